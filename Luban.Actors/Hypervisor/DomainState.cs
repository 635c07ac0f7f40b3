namespace Luban.Actors.Hypervisor;

/// <summary>virDomainState.</summary>
public enum DomainState
{
    NoState = 0,
    Running = 1,
    Blocked = 2,
    Paused = 3,
    /// <summary>VIR_DOMAIN_SHUTDOWN: being shut down, not yet off.</summary>
    ShuttingDown = 4,
    ShutOff = 5,
    Crashed = 6,
    PmSuspended = 7,
}

/// <summary>virDomainShutoffReason: why a domain is shut off.</summary>
public enum ShutOffReason
{
    Unknown = 0,
    Shutdown = 1,
    Destroyed = 2,
    Crashed = 3,
    Migrated = 4,
    Saved = 5,
    Failed = 6,
    FromSnapshot = 7,
    Daemon = 8,
}

/// <summary>virDomainRunningReason: why a domain is running.</summary>
public enum RunningReason
{
    Unknown = 0,
    Booted = 1,
    Migrated = 2,
    Restored = 3,
    FromSnapshot = 4,
    Unpaused = 5,
    MigrationCanceled = 6,
    SaveCanceled = 7,
    Wakeup = 8,
    Crashed = 9,
    PostCopy = 10,
    PostCopyFailed = 11,
}

/// <summary>virDomainPausedReason: why a domain is paused (only <see cref="User"/> is a warm VM).</summary>
public enum PausedReason
{
    Unknown = 0,
    User = 1,
    Migration = 2,
    Save = 3,
    Dump = 4,
    IoError = 5,
    Watchdog = 6,
    FromSnapshot = 7,
    ShuttingDown = 8,
    Snapshot = 9,
    Crashed = 10,
    StartingUp = 11,
    PostCopy = 12,
    PostCopyFailed = 13,
}

/// <summary>A domain's state and libvirt's reason code for it (the reason's meaning depends on the state).</summary>
public readonly record struct DomainStateInfo(DomainState State, int Reason)
{
    public ShutOffReason? ShutOffReason => State == DomainState.ShutOff ? (ShutOffReason)Reason : null;

    public RunningReason? RunningReason => State == DomainState.Running ? (RunningReason)Reason : null;

    /// <summary>Like virsh: "shut off (shutdown)", "running (booted)".</summary>
    public override string ToString() => State switch
    {
        DomainState.ShutOff => $"ShutOff ({(ShutOffReason)Reason})",
        DomainState.Running => $"Running ({(RunningReason)Reason})",
        DomainState.Paused => $"Paused ({(PausedReason)Reason})",
        _ => $"{State} (reason {Reason})",
    };
}
