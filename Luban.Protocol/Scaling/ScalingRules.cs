namespace Luban.Protocol.Scaling;

/// <summary>The machine-readable rule names a decision reason carries. Stable: events and dashboards key on them.</summary>
public static class ScalingRules
{
    // Holds that block every decision because the view cannot be trusted.
    public const string NoReachableHost = "hold/no-reachable-host";
    public const string MissingReport = "hold/missing-report";
    public const string StaleReport = "hold/stale-report";
    public const string UnknownConnections = "hold/unknown-connections";

    // Floors: a host or the cluster has fewer VMs than its minimum (a crash, a lost host); not elastic scaling.
    public const string RestoreHostMinimum = "restore/host-below-minimum";
    public const string RestoreClusterMinimum = "restore/cluster-below-minimum";
    public const string AwaitingAgents = "hold/awaiting-agents";

    /// <summary>The operator paused automatic scaling.</summary>
    public const string Paused = "hold/paused";

    public const string NoInServiceVm = "hold/no-in-service-vm";

    // The paper's scale-out clause and what we add to it.
    public const string ScaleOutAllAboveUpper = "scale-out/all-above-upper";
    public const string ScaleOutUndrain = "scale-out/undrain";
    public const string BootInFlight = "hold/boot-in-flight";
    public const string AtCapacity = "warn/at-capacity";
    public const string Cooldown = "hold/cooldown";
    public const string WarmingUp = "hold/warming-up";

    // The paper's scale-in clause, its two tie rules, and our guards.
    public const string ScaleInIdleVmEqualHosts = "scale-in/idle-vm/equal-hosts";
    public const string ScaleInIdleVmFullestHost = "scale-in/idle-vm/fullest-host";
    public const string WithinBand = "hold/within-band";
    public const string AtMinimum = "hold/at-minimum";
    public const string ScaleInWouldOverload = "hold/scale-in-would-overload";

    /// <summary>The code of the warning raised when no VM can be added.</summary>
    public const string AtCapacityWarning = "at-capacity";

    // What an operator did (the CLI, the dashboard).
    public const string OperatorStart = "operator/start";
    public const string OperatorStop = "operator/stop";
    public const string OperatorAutoscale = "operator/autoscale";
    public const string OperatorPolicySet = "operator/policy-set";
    public const string OperatorRefused = "operator/refused";

    /// <summary>A message refused because the certificate that signed it may not say it.</summary>
    public const string SecurityRefused = "security/refused";

    // Who is in the cluster, as the supervisor sees its agents.
    public const string AgentRegistered = "membership/agent-registered";
    public const string AgentReported = "membership/agent-reported";
    public const string AgentLost = "membership/agent-lost";
    public const string AgentReachable = "membership/agent-reachable";
    public const string AgentUnreachable = "membership/agent-unreachable";
    public const string AllAgentsUnreachable = "membership/all-agents-unreachable";

    // Commands to agents and how they ended.
    public const string StartAccepted = "command/start-accepted";
    public const string StartFailed = "command/start-failed";
    public const string StartTimeout = "command/start-timeout";
    public const string StopDone = "command/stop-done";
    public const string StopFailed = "command/stop-failed";
    public const string StopTimeout = "command/stop-timeout";

    // The warm pool: a start that resumed a suspended VM, a stop that suspended one, and the refill rule.
    public const string StartResumed = "command/start-resumed";
    public const string StopSuspended = "command/stop-suspended";
    public const string WarmPoolRefill = "pool/refill";
    public const string WarmPoolReady = "pool/ready";

    // How a drain ended.
    public const string DrainComplete = "drain/complete";
    public const string DrainDeadline = "drain/deadline";

    /// <summary>A bond event's rule: <c>bond/</c> and the event's kind.</summary>
    public static string Bond(string kind) => $"bond/{kind}";
}

/// <summary>The <see cref="ScalingProtocol.ScaleEvent.Kind"/> values. Stable: the CLI, the dashboard and the figure key on them.</summary>
public static class ScaleEventKinds
{
    public const string Start = "start";
    public const string Drain = "drain";
    public const string Undrain = "undrain";
    public const string Warn = "warn";
    public const string Hold = "hold";
    public const string Stop = "stop";
    public const string Started = "started";
    public const string Stopped = "stopped";
    public const string CommandFailed = "command-failed";
    public const string HostRegistered = "host-registered";
    public const string HostLost = "host-lost";
    public const string HostReachable = "host-reachable";
    public const string HostUnreachable = "host-unreachable";
    public const string RotationKept = "rotation-kept";
    public const string Paused = "paused";
    public const string Resumed = "resumed";
    public const string Policy = "policy";
    public const string Bond = "bond";

    /// <summary>A VM booted into a host's warm pool (the refill rule).</summary>
    public const string Refill = "refill";

    /// <summary>A VM went into a host's warm pool: a refill is suspended, or a drained VM was suspended instead of stopped.</summary>
    public const string Warm = "warm";

    /// <summary>Something refused: an operator's command, or a message its signer may not send.</summary>
    public const string Refused = "refused";
}
