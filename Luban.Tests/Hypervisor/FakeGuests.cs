using System.Collections.Concurrent;
using Luban.Actors.Hypervisor;
using Luban.Protocol;

namespace Luban.Tests.Hypervisor;

/// <summary>An in-memory hypervisor whose starts, ACPI behaviour and guest deaths the spec controls.</summary>
internal sealed class FakeHypervisor : IHypervisor
{
    private readonly ConcurrentDictionary<string, DomainStateInfo> _domains = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource<HypervisorResult<Done>>> _heldStarts = new();

    public ConcurrentQueue<string> Calls { get; } = new();
    public ConcurrentDictionary<string, DomainSpec> Specs { get; } = new();

    /// <summary>When true a start waits for <see cref="CompleteStart"/>.</summary>
    public bool HoldStarts { get; set; }

    /// <summary>When set every start fails with this message.</summary>
    public string? StartError { get; set; }

    /// <summary>Whether the guest obeys the ACPI power button.</summary>
    public bool AcpiPowersOff { get; set; } = true;

    public bool Disposed { get; private set; }

    public static DomainStateInfo Running => new(DomainState.Running, (int)RunningReason.Booted);

    public static DomainStateInfo Off(ShutOffReason reason) => new(DomainState.ShutOff, (int)reason);

    public void Set(string name, DomainStateInfo state) => _domains[name] = state;

    public DomainStateInfo? StateOf(string name) => _domains.TryGetValue(name, out var state) ? state : null;

    public void CompleteStart(string name, string? error = null)
    {
        if (!_heldStarts.TryRemove(name, out var held)) throw new InvalidOperationException($"no held start of {name}");
        if (error is null) _domains[name] = Running;
        held.SetResult(error is null ? new HypervisorResult<Done>.Ok(Done.Value) : new HypervisorError($"start {name}", error));
    }

    /// <summary>When set every listing fails with this message (the daemon does not answer).</summary>
    public string? ListError { get; set; }

    public Task<HypervisorResult<IReadOnlyList<GuestDomain>>> ListDomainsAsync(string namePrefix) =>
        Task.FromResult<HypervisorResult<IReadOnlyList<GuestDomain>>>(ListError is { } error
            ? new HypervisorError("list domains", error)
            : new HypervisorResult<IReadOnlyList<GuestDomain>>.Ok(
                _domains.Where(d => d.Key.StartsWith(namePrefix, StringComparison.Ordinal))
                    .Select(d => new GuestDomain(d.Key, d.Value)).OrderBy(d => d.Name, StringComparer.Ordinal).ToList()));

    public Task<HypervisorResult<Done>> DefineAndStartAsync(DomainSpec spec)
    {
        Calls.Enqueue($"start {spec.Name}");
        Specs[spec.Name] = spec;
        if (StartError is { } error) return Task.FromResult<HypervisorResult<Done>>(new HypervisorError($"start {spec.Name}", error));
        if (HoldStarts)
        {
            // Continuations run inline: the agent has its result queued when CompleteStart returns.
            var held = new TaskCompletionSource<HypervisorResult<Done>>();
            _heldStarts[spec.Name] = held;
            return held.Task;
        }

        _domains[spec.Name] = Running;
        return Task.FromResult<HypervisorResult<Done>>(new HypervisorResult<Done>.Ok(Done.Value));
    }

    public Task<HypervisorResult<Done>> ShutdownAsync(string name)
    {
        Calls.Enqueue($"shutdown {name}");
        if (!_domains.ContainsKey(name)) return Task.FromResult<HypervisorResult<Done>>(new HypervisorError($"shutdown {name}", "no domain", NotFound: true));
        if (AcpiPowersOff) _domains[name] = Off(ShutOffReason.Shutdown);
        return Task.FromResult<HypervisorResult<Done>>(new HypervisorResult<Done>.Ok(Done.Value));
    }

    public Task<HypervisorResult<Done>> DestroyAsync(string name)
    {
        Calls.Enqueue($"destroy {name}");
        _domains[name] = Off(ShutOffReason.Destroyed);
        return Task.FromResult<HypervisorResult<Done>>(new HypervisorResult<Done>.Ok(Done.Value));
    }

    /// <summary>When set every suspend or resume fails with this message.</summary>
    public string? PauseError { get; set; }

    public static DomainStateInfo Suspended => new(DomainState.Paused, (int)PausedReason.User);

    public Task<HypervisorResult<Done>> SuspendAsync(string name)
    {
        Calls.Enqueue($"suspend {name}");
        if (PauseError is { } error) return Task.FromResult<HypervisorResult<Done>>(new HypervisorError($"suspend {name}", error));
        _domains[name] = Suspended;
        return Task.FromResult<HypervisorResult<Done>>(new HypervisorResult<Done>.Ok(Done.Value));
    }

    public Task<HypervisorResult<Done>> ResumeAsync(string name)
    {
        Calls.Enqueue($"resume {name}");
        if (PauseError is { } error) return Task.FromResult<HypervisorResult<Done>>(new HypervisorError($"resume {name}", error));
        _domains[name] = new DomainStateInfo(DomainState.Running, (int)RunningReason.Unpaused);
        return Task.FromResult<HypervisorResult<Done>>(new HypervisorResult<Done>.Ok(Done.Value));
    }

    public void Dispose() => Disposed = true;
}

/// <summary>Health and connection counts per VM, as the spec sets them; unknown VMs are unhealthy.</summary>
internal sealed class FakeGuestProbes : IHealthProbe, IConnectionProbe
{
    public ConcurrentDictionary<VmId, bool> Healthy { get; } = new();
    public ConcurrentDictionary<VmId, ProbeResult> Counts { get; } = new();
    public ConcurrentQueue<VmId> Forgotten { get; } = new();

    /// <summary>Guests whose health check times out (busy) instead of being refused.</summary>
    public ConcurrentDictionary<VmId, bool> Late { get; } = new();

    public Task<HealthAnswer> CheckAsync(GuestAddress guest, TimeSpan timeout) =>
        Task.FromResult(Healthy.GetValueOrDefault(guest.Vm) ? HealthAnswer.Healthy
            : Late.GetValueOrDefault(guest.Vm) ? HealthAnswer.Late : HealthAnswer.Down);

    public Task<ProbeResult> CountAsync(GuestAddress guest, CancellationToken cancellationToken) =>
        Task.FromResult(Counts.GetValueOrDefault(guest.Vm) ?? ProbeResult.Unknown("no count set"));

    public void Forget(VmId vm) => Forgotten.Enqueue(vm);

    public void Dispose()
    {
    }
}
