
namespace Luban.Actors.Hypervisor;

/// <summary>
/// What the <see cref="HypervisorAgent"/> needs from a hypervisor. Every call is asynchronous and answers with a
/// <see cref="HypervisorResult{T}"/>: a hypervisor failure is a value, never an exception.
/// </summary>
public interface IHypervisor : IDisposable
{
    /// <summary>Every domain whose name starts with <paramref name="namePrefix"/>, with its state.</summary>
    Task<HypervisorResult<IReadOnlyList<GuestDomain>>> ListDomainsAsync(string namePrefix);

    /// <summary>Defines (or redefines) the domain from <paramref name="spec"/> and boots it.</summary>
    Task<HypervisorResult<Done>> DefineAndStartAsync(DomainSpec spec);

    /// <summary>Asks the guest to power off (ACPI power button) and returns at once.</summary>
    Task<HypervisorResult<Done>> ShutdownAsync(string name);

    /// <summary>Cuts the guest's power at once; the definition stays.</summary>
    Task<HypervisorResult<Done>> DestroyAsync(string name);

    /// <summary>Stops the guest's vCPUs and keeps its memory where it is (a warm VM): the domain reads Paused.</summary>
    Task<HypervisorResult<Done>> SuspendAsync(string name);

    /// <summary>Lets a suspended guest run again from where it stopped.</summary>
    Task<HypervisorResult<Done>> ResumeAsync(string name);
}

/// <summary>One domain of the pool as plain data.</summary>
public sealed record GuestDomain(string Name, DomainStateInfo State)
{
    /// <summary>Paused because someone asked (virDomainSuspend), not because of an I/O error or a migration: a warm VM.</summary>
    public bool IsSuspended => State.State == DomainState.Paused && State.Reason == (int)PausedReason.User;

    /// <summary>The guest is up in some form (booting, serving, or being shut down), not powered off.</summary>
    public bool IsUp => State.State is DomainState.Running or DomainState.Blocked or DomainState.ShuttingDown
        or DomainState.Paused or DomainState.PmSuspended or DomainState.NoState;
}

/// <summary>Why a hypervisor call failed, in words; <see cref="NotFound"/> when the domain does not exist.</summary>
public sealed record HypervisorError(string Operation, string Message, bool NotFound = false)
{
    public override string ToString() => $"{Operation}: {Message}";
}

/// <summary>The outcome of a hypervisor call: <see cref="Ok"/> with a value, or <see cref="Failed"/> with the reason.</summary>
public abstract record HypervisorResult<T>
{
    private HypervisorResult()
    {
    }

    public sealed record Ok(T Value) : HypervisorResult<T>;

    public sealed record Failed(HypervisorError Error) : HypervisorResult<T>;

    public bool IsOk => this is Ok;

    public HypervisorError? ErrorOrNull => (this as Failed)?.Error;

    public static implicit operator HypervisorResult<T>(HypervisorError error) => new Failed(error);
}
