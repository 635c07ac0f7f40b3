using System.Globalization;
using Luban.Protocol;
using Luban.Protocol.Scaling;
using static Luban.Protocol.Hypervisor.HypervisorProtocol;

namespace Luban.Actors.Hypervisor;

/// <summary>What a <see cref="HostPool{TReplyTo}"/> asks its actor to do after an event: I/O, timers and replies.</summary>
public abstract record PoolEffect<TReplyTo>
{
    private PoolEffect()
    {
    }

    /// <summary>List the pool's domains; answer with <see cref="HostPool{TReplyTo}.OnListed"/> and this sequence.</summary>
    public sealed record ListDomains(long Sequence) : PoolEffect<TReplyTo>;

    /// <summary>Health check, then count the connections; answer with <see cref="HostPool{TReplyTo}.OnGuestChecked"/>.</summary>
    public sealed record CheckGuest(GuestAddress Guest, long Generation, bool InService) : PoolEffect<TReplyTo>;

    public sealed record DefineAndStart(string CommandId, VmId Vm, DomainSpec Spec) : PoolEffect<TReplyTo>;

    public sealed record Shutdown(VmId Vm) : PoolEffect<TReplyTo>;

    public sealed record Destroy(VmId Vm) : PoolEffect<TReplyTo>;

    /// <summary>Suspend the guest (its memory stays); answer with <see cref="HostPool{TReplyTo}.OnSuspended"/>.</summary>
    public sealed record Suspend(VmId Vm) : PoolEffect<TReplyTo>;

    /// <summary>Resume a suspended guest; answer with <see cref="HostPool{TReplyTo}.OnResumed"/>.</summary>
    public sealed record Resume(string CommandId, VmId Vm) : PoolEffect<TReplyTo>;

    /// <summary>Drop what the connection probe keeps for the VM (its SSH session).</summary>
    public sealed record ForgetProbe(VmId Vm) : PoolEffect<TReplyTo>;

    public sealed record StartTimer(string Key, PoolTimer Timer, TimeSpan After) : PoolEffect<TReplyTo>;

    public sealed record CancelTimer(string Key) : PoolEffect<TReplyTo>;

    public sealed record Reply(TReplyTo To, ILubanWireMessage Message) : PoolEffect<TReplyTo>;

    public sealed record SendReport(HostReport Report) : PoolEffect<TReplyTo>;

    /// <summary>Something worth a line in the agent's log.</summary>
    public sealed record Note(NoteLevel Level, string Message) : PoolEffect<TReplyTo>;
}

public enum NoteLevel
{
    Info,
    Warning,
    Error,
}

/// <summary>A timer the pool sets; when it fires the actor hands it back to <see cref="HostPool{TReplyTo}.OnTimer"/>.</summary>
public abstract record PoolTimer
{
    private PoolTimer()
    {
    }

    public sealed record StartTimedOut(string CommandId) : PoolTimer;

    public sealed record GraceExpired(VmId Vm) : PoolTimer;

    public sealed record DestroyTimedOut(VmId Vm) : PoolTimer;

    /// <summary>A VM booted for the warm pool has not answered its health check in time.</summary>
    public sealed record PoolBootTimedOut(VmId Vm) : PoolTimer;
}

/// <summary>The pool's rules that do not depend on who waits for answers.</summary>
public static class HostPool
{
    /// <summary>An in-service VM whose /healthz fails this many times in a row is reported Failed.</summary>
    public const int UnhealthyAfterFailedChecks = 3;

    /// <summary>A VM booted for the warm pool that has not answered within this many command timeouts is powered off
    /// (it would otherwise hold the pool's place for ever).</summary>
    public const int PoolBootTimeouts = 4;
}

/// <summary>
/// The hypervisor agent's pool of up to <c>max-vms</c> domains named <c>luban-&lt;host&gt;-&lt;n&gt;</c>, without Akka:
/// each event (a listing, a health check, a command, a hypervisor answer, a timer) changes the slots and returns what
/// to do next. <typeparamref name="TReplyTo"/> is whoever waits for a command's answer (an actor reference in the agent).
/// </summary>
public sealed class HostPool<TReplyTo>
{
    private readonly HostId _host;
    private readonly HypervisorSettings _settings;
    private readonly Func<int, bool> _portIsFree;
    private readonly SortedDictionary<int, Slot> _slots = new();
    private readonly string _namePrefix;
    private readonly List<PoolEffect<TReplyTo>> _effects = [];
    private long _listSequence;
    private bool _registered;
    private bool _reportNow;

    // No report before the pool has been listed once: an empty report from a fresh agent (e.g. one rejoining a
    // restarted seed) would read as "this host runs no VM" and make the supervisor start one beside those running.
    private bool _listed;
    private bool _listInFlight;
    private string? _lastListError;

    /// <param name="portIsFree">Whether a host port can be forwarded (tried before a start, for a clear refusal).</param>
    public HostPool(HostId host, HypervisorSettings settings, Func<int, bool> portIsFree)
    {
        _host = host;
        _settings = settings;
        _portIsFree = portIsFree;
        _namePrefix = VmId.For(host, 1).Value[..^1];
    }

    /// <summary>Every domain of this host's pool starts with this (<c>luban-b-</c>).</summary>
    public string NamePrefix => _namePrefix;

    /// <summary>The slots as the report would show them (for tests and status).</summary>
    public HostReport Report(DateTimeOffset now)
    {
        var vms = new List<VmReport>();
        foreach (var slot in _slots.Values)
        {
            if (StateOf(slot) is not { } state) continue;
            // A warm VM has no endpoint: nothing may route to it until it is resumed and checked.
            var up = state != VmState.Warm && (slot.Start is not null || slot.Stop is not null || slot.Domain?.IsUp == true);
            vms.Add(new VmReport(slot.Id, state, up ? slot.Address.Endpoint : null,
                state == VmState.InService ? slot.Connections : null,
                state == VmState.InService ? slot.InServiceSince : null,
                Suspended: state == VmState.Warm && IsIdleWarm(slot)));
        }

        return new HostReport(_host, _settings.MinVms, _settings.MaxVms, vms, now, _settings.ForwardAddress, _settings.WarmPoolSize);
    }

    // ---- the life of the agent ----

    /// <summary>The agent started: list the pool at once.</summary>
    public IReadOnlyList<PoolEffect<TReplyTo>> OnStarted() => Carry(PollHypervisor);

    /// <summary>The supervisor acknowledged the registration: report from now on (at once if the pool is listed).</summary>
    public IReadOnlyList<PoolEffect<TReplyTo>> OnRegistered(DateTimeOffset now) => Carry(() =>
    {
        _registered = true;
        Note(NoteLevel.Info, $"Host {_host} registered with the ScaleSupervisor");
        if (_listed) Emit(new PoolEffect<TReplyTo>.SendReport(Report(now)));
    });

    /// <summary>A report interval passed: report (once registered and listed), list again, check the guests.</summary>
    public IReadOnlyList<PoolEffect<TReplyTo>> OnTick(DateTimeOffset now) => Carry(() =>
    {
        if (_registered && _listed) Emit(new PoolEffect<TReplyTo>.SendReport(Report(now)));
        PollHypervisor();
        CheckGuests();
    });

    // ---- the pool as the hypervisor sees it ----

    private void PollHypervisor()
    {
        // One listing at a time: a slow daemon must not pile up calls on the hypervisor's queue.
        if (_listInFlight) return;
        _listInFlight = true;
        Emit(new PoolEffect<TReplyTo>.ListDomains(++_listSequence));
    }

    public IReadOnlyList<PoolEffect<TReplyTo>> OnListed(long sequence, HypervisorResult<IReadOnlyList<GuestDomain>> result,
        DateTimeOffset now) => Carry(() =>
    {
        _listInFlight = false;
        if (result is not HypervisorResult<IReadOnlyList<GuestDomain>>.Ok ok)
        {
            var error = result.ErrorOrNull!.ToString();
            // Said once per distinct error: the agent keeps its last view and keeps asking every interval.
            if (error != _lastListError) Note(NoteLevel.Warning, $"Host {_host}: cannot list the pool: {error}");
            _lastListError = error;
            return;
        }

        if (_lastListError is not null) Note(NoteLevel.Info, $"Host {_host}: the hypervisor answers again");
        _lastListError = null;
        var byIndex = new Dictionary<int, GuestDomain>();
        foreach (var domain in ok.Value)
        {
            if (IndexOf(domain.Name) is { } index) byIndex[index] = domain;
        }

        foreach (var index in byIndex.Keys.Where(i => !_slots.ContainsKey(i)).ToList())
            SlotAt(index);
        foreach (var slot in _slots.Values)
        {
            if (sequence < slot.IgnoreListingsBefore) continue;
            Observe(slot, byIndex.GetValueOrDefault(slot.Index));
        }

        TrimPool();
        if (_listed) return;
        _listed = true;
        if (_registered) Emit(new PoolEffect<TReplyTo>.SendReport(Report(now)));
    });

    /// <summary>Suspended VMs beyond the pool's size (adopted after the setting was lowered) are powered off: a paused
    /// guest cannot answer the ACPI button, and it holds nothing worth keeping.</summary>
    private void TrimPool()
    {
        var idle = _slots.Values.Where(IsIdleWarm).ToList();
        foreach (var slot in idle.Skip(_settings.WarmPoolSize).Reverse())
        {
            Note(NoteLevel.Info, $"Host {_host}: {slot.Id} is suspended but the warm pool holds {_settings.WarmPoolSize}; powering it off");
            slot.Stop = new StopInProgress(null);
            BeginDestroy(slot, slot.Stop);
        }
    }

    private void Observe(Slot slot, GuestDomain? domain)
    {
        var wasUp = slot.Domain?.IsUp == true;
        slot.Domain = domain;
        var isUp = domain?.IsUp == true;

        if (slot.Stop is { } stop)
        {
            if (!isUp) FinishStop(slot, null);
            else if (stop.DestroyError is { } destroyError) FinishStop(slot, destroyError);
            return;
        }

        if (wasUp && !isUp && slot.Start is null)
        {
            slot.Died = true;
            slot.PoolBoot = false;
            slot.Suspending = false;
            slot.ForgetGuest();
            Emit(new PoolEffect<TReplyTo>.ForgetProbe(slot.Id));
            Note(NoteLevel.Warning, $"Host {_host}: {slot.Id} went down without being stopped ({domain?.State.ToString() ?? "no longer defined"}); reported Failed");
        }
    }

    // ---- health and connections ----

    private void CheckGuests()
    {
        foreach (var slot in _slots.Values)
        {
            if (slot.CheckInFlight || slot.Start is not null || slot.Stop is not null || slot.Suspending) continue;
            if (slot.Domain?.State.State is not (DomainState.Running or DomainState.Blocked)) continue;

            slot.CheckInFlight = true;
            Emit(new PoolEffect<TReplyTo>.CheckGuest(slot.Address, slot.Generation, slot.InServiceSince is not null));
        }
    }

    /// <param name="healthy">The guest answered its health check, or it answered late but SSH could count it.</param>
    /// <param name="probe">The connection count when the guest was healthy; null otherwise.</param>
    public IReadOnlyList<PoolEffect<TReplyTo>> OnGuestChecked(VmId vm, long generation, bool healthy, ProbeResult? probe,
        DateTimeOffset now) => Carry(() =>
    {
        if (!_slots.TryGetValue(IndexOf(vm.Value) ?? 0, out var slot)) return;
        slot.CheckInFlight = false;
        if (generation != slot.Generation) return;

        if (healthy && slot.PoolBoot)
        {
            // Booted for the pool and answering (health and the pinned SSH key checked once): suspend it now.
            slot.PoolBoot = false;
            slot.Suspending = true;
            Emit(new PoolEffect<TReplyTo>.CancelTimer(PoolBootTimerKey(slot.Id)));
            // Its SSH session stays open: QEMU keeps the connection while the vCPUs stand still, so the first count
            // after a resume needs no new key exchange.
            Note(NoteLevel.Info, $"Host {_host}: {slot.Id} answers; suspending it into the warm pool");
            Emit(new PoolEffect<TReplyTo>.Suspend(slot.Id));
            return;
        }

        if (healthy)
        {
            if (slot.InServiceSince is null)
            {
                Note(NoteLevel.Info, $"Host {_host}: {slot.Id} is in service");
                // Said at once rather than at the next interval: a resumed VM is in the rotation a report sooner.
                if (_registered && _listed) _reportNow = true;
            }
            slot.Healthy = true;
            slot.Unhealthy = false;
            slot.FailedChecks = 0;
            slot.InServiceSince ??= now;
        }
        else
        {
            slot.Healthy = false;
            slot.FailedChecks++;
            if (slot.InServiceSince is not null && slot.FailedChecks >= HostPool.UnhealthyAfterFailedChecks)
            {
                Note(NoteLevel.Warning, $"Host {_host}: {slot.Id} failed {slot.FailedChecks} health checks in a row; reported Failed");
                slot.InServiceSince = null;
                slot.Unhealthy = true;
            }
        }

        // A failed probe keeps the last count while it is recent: a saturated guest answers its SSH probe late, and
        // "unknown" then would hold every decision exactly when the load calls for one.
        if (probe?.Connections is { } counted)
        {
            slot.Connections = counted;
            slot.CountedAt = now;
        }
        else if (!(slot.CountedAt is { } at && now - at <= _settings.CountValidFor && slot.InServiceSince is not null))
        {
            slot.Connections = null;
            slot.CountedAt = null;
        }

        var probeError = probe?.Error;
        if (probeError is not null && probeError != slot.ProbeError)
        {
            Note(probe!.HostKeyRejected ? NoteLevel.Error : NoteLevel.Warning, probe.HostKeyRejected
                ? $"Host {_host}: {slot.Id} presented an SSH host key that is not the pinned one; refused: {probeError}"
                : $"Host {_host}: connection probe of {slot.Id} failed (count unknown): {probeError}");
        }

        slot.ProbeError = probeError;
        if (_reportNow)
        {
            _reportNow = false;
            Emit(new PoolEffect<TReplyTo>.SendReport(Report(now)));
        }
    });

    // ---- StartVm ----

    public IReadOnlyList<PoolEffect<TReplyTo>> OnStartVm(StartVm command, TReplyTo replyTo) => Carry(() =>
    {
        if (command.Host != _host)
        {
            Emit(new PoolEffect<TReplyTo>.Reply(replyTo, new StartVmResult(command.Host, command.CommandId, null, false,
                $"this is the agent of host {_host}, not {command.Host}")));
            return;
        }

        if (command.ForWarmPool)
        {
            StartIntoPool(command, replyTo);
            return;
        }

        var occupied = _slots.Values.Where(s => Occupied(s) && !IsWarm(s)).ToList();
        if (occupied.Count >= _settings.MaxVms)
        {
            Emit(new PoolEffect<TReplyTo>.Reply(replyTo, new StartVmResult(_host, command.CommandId, null, false,
                $"host {_host} already runs {occupied.Count} VM(s) ({string.Join(", ", occupied.Select(s => s.Id))}), its max-vms of {_settings.MaxVms}")));
            return;
        }

        // A warm VM first: resumed, it serves in about a second instead of a boot.
        if (_slots.Values.FirstOrDefault(IsIdleWarm) is { } warm)
        {
            warm.Start = new Waiter(command.CommandId, replyTo, StartKind.Resume);
            warm.Died = false;
            Emit(new PoolEffect<TReplyTo>.StartTimer(StartTimerKey(command.CommandId), new PoolTimer.StartTimedOut(command.CommandId),
                _settings.CommandTimeout));
            Note(NoteLevel.Info, $"Host {_host}: resuming warm {warm.Id} (command {command.CommandId})");
            Emit(new PoolEffect<TReplyTo>.Resume(command.CommandId, warm.Id));
            return;
        }

        // One booting for the pool is further along than a new boot: it becomes capacity instead.
        if (_slots.Values.FirstOrDefault(s => s.PoolBoot && s.Start is null && s.Stop is null) is { } booting)
        {
            booting.PoolBoot = false;
            Emit(new PoolEffect<TReplyTo>.CancelTimer(PoolBootTimerKey(booting.Id)));
            Note(NoteLevel.Info, $"Host {_host}: {booting.Id} was booting for the warm pool; it serves instead (command {command.CommandId})");
            Emit(new PoolEffect<TReplyTo>.Reply(replyTo, new StartVmResult(_host, command.CommandId, booting.Id, true, null)));
            return;
        }

        if (FreeSlot() is not { } slot)
        {
            Emit(new PoolEffect<TReplyTo>.Reply(replyTo, new StartVmResult(_host, command.CommandId, null, false,
                $"host {_host} has no free slot: its {_settings.SlotCount} slots ({HypervisorSettings.MaxVmsKey} plus {HypervisorSettings.WarmPoolSizeKey}) are taken")));
            return;
        }

        BootInto(slot, command, replyTo, StartKind.Boot);
    });

    /// <summary>A refill: boot a VM that is suspended once it answers, if the pool is short and a slot is free.</summary>
    private void StartIntoPool(StartVm command, TReplyTo replyTo)
    {
        var warm = WarmOrBecomingWarm();
        var refusal = _settings.WarmPoolSize == 0 ? $"host {_host} keeps no warm pool ({HypervisorSettings.WarmPoolSizeKey} = 0)"
            : warm >= _settings.WarmPoolSize ? $"host {_host}'s warm pool is full ({warm} of {_settings.WarmPoolSize})"
            : null;
        var slot = refusal is null ? FreeSlot() : null;
        if (refusal is null && slot is null) refusal = $"host {_host} has no free slot for a warm VM";
        if (refusal is not null)
        {
            Emit(new PoolEffect<TReplyTo>.Reply(replyTo, new StartVmResult(_host, command.CommandId, null, false, refusal)));
            return;
        }

        BootInto(slot!, command, replyTo, StartKind.PoolBoot);
    }

    private Slot? FreeSlot() => Enumerable.Range(1, _settings.SlotCount).Select(SlotAt).FirstOrDefault(s => !Occupied(s));

    private void BootInto(Slot slot, StartVm command, TReplyTo replyTo, StartKind kind)
    {
        var busy = new[] { slot.Address.ServiceHostPort, slot.Address.SshHostPort }.Where(p => !_portIsFree(p)).ToList();
        if (busy.Count > 0)
        {
            Emit(new PoolEffect<TReplyTo>.Reply(replyTo, new StartVmResult(_host, command.CommandId, slot.Id, false,
                $"host port(s) {string.Join(", ", busy)} for {slot.Id} are in use by another process ({HypervisorSettings.HostPortBaseKey} = {_settings.HostPortBaseFor(_host)})")));
            return;
        }

        DomainSpec spec;
        try
        {
            spec = SpecOf(slot);
        }
        catch (ArgumentException error)
        {
            // A template value the guest cannot take (e.g. a database string with spaces) fails the command, not the agent.
            Emit(new PoolEffect<TReplyTo>.Reply(replyTo, new StartVmResult(_host, command.CommandId, slot.Id, false,
                $"cannot build the domain of {slot.Id}: {error.Message}")));
            return;
        }

        slot.Start = new Waiter(command.CommandId, replyTo, kind);
        slot.Died = false;
        slot.ForgetGuest();
        Emit(new PoolEffect<TReplyTo>.StartTimer(StartTimerKey(command.CommandId), new PoolTimer.StartTimedOut(command.CommandId),
            _settings.CommandTimeout));
        Note(NoteLevel.Info, kind == StartKind.PoolBoot
            ? $"Host {_host}: booting {slot.Id} into the warm pool (command {command.CommandId})"
            : $"Host {_host}: starting {slot.Id} (command {command.CommandId})");
        Emit(new PoolEffect<TReplyTo>.DefineAndStart(command.CommandId, slot.Id, spec));
    }

    private static bool Occupied(Slot slot) => slot.Start is not null || slot.Stop is not null || slot.Domain?.IsUp == true;

    /// <summary>In the warm pool: booting for it, being suspended into it, or suspended and idle.</summary>
    private static bool IsWarm(Slot slot) => StateOf(slot) == VmState.Warm;

    /// <summary>How full the pool is: warm VMs, and VMs being stopped into it (a refill or a stop must not overfill it).</summary>
    private int WarmOrBecomingWarm() => _slots.Values.Count(s => IsWarm(s) || s.Stop?.IntoPool == true);

    /// <summary>Suspended, with nothing in flight: a VM a scale-out may resume.</summary>
    private static bool IsIdleWarm(Slot slot) =>
        slot.Start is null && slot.Stop is null && !slot.Suspending && slot.Domain?.IsSuspended == true;

    /// <summary>The hypervisor answered a suspend: a warm VM, or a stop fed into the pool.</summary>
    public IReadOnlyList<PoolEffect<TReplyTo>> OnSuspended(VmId vm, HypervisorResult<Done> result) => Carry(() =>
    {
        if (!_slots.TryGetValue(IndexOf(vm.Value) ?? 0, out var slot)) return;
        var error = result.ErrorOrNull;
        if (slot.Stop is { IntoPool: true } stop)
        {
            if (error is null)
            {
                Suspended(slot);
                FinishStop(slot, null);
                return;
            }

            // The pool stays short; the stop itself goes on the ordinary way.
            Note(NoteLevel.Warning, $"Host {_host}: could not suspend {slot.Id} into the warm pool ({error}); shutting it down instead");
            stop.IntoPool = false;
            Emit(new PoolEffect<TReplyTo>.ForgetProbe(slot.Id));
            Emit(new PoolEffect<TReplyTo>.Shutdown(slot.Id));
            return;
        }

        if (!slot.Suspending) return;
        slot.Suspending = false;
        if (error is null)
        {
            Suspended(slot);
            Note(NoteLevel.Info, $"Host {_host}: {slot.Id} is warm (suspended)");
            return;
        }

        Note(NoteLevel.Warning, $"Host {_host}: could not suspend {slot.Id} ({error}); powering it off");
        slot.Stop = new StopInProgress(null);
        BeginDestroy(slot, slot.Stop);
    });

    private void Suspended(Slot slot)
    {
        slot.Domain = new GuestDomain(slot.Id.Value, new DomainStateInfo(DomainState.Paused, (int)PausedReason.User));
        slot.IgnoreListingsBefore = _listSequence + 1;
        slot.ForgetGuest();
    }

    /// <summary>The hypervisor answered a resume: the VM runs again and is checked at once (it is in service, and in
    /// the rotation, as soon as it answers).</summary>
    public IReadOnlyList<PoolEffect<TReplyTo>> OnResumed(string commandId, VmId vm, HypervisorResult<Done> result) => Carry(() =>
    {
        if (!_slots.TryGetValue(IndexOf(vm.Value) ?? 0, out var slot)) return;
        if (slot.Start?.CommandId != commandId)
        {
            Note(NoteLevel.Warning, $"Host {_host}: resume of {vm} finished after its timeout: {result.ErrorOrNull?.ToString() ?? "resumed"}");
            return;
        }

        Emit(new PoolEffect<TReplyTo>.CancelTimer(StartTimerKey(commandId)));
        var waiter = slot.Start;
        slot.Start = null;
        if (result.ErrorOrNull is { } error)
        {
            // A warm VM that cannot be resumed is of no use: powered off, and the next start boots one.
            Note(NoteLevel.Warning, $"Host {_host}: could not resume {slot.Id} ({error}); powering it off");
            Emit(new PoolEffect<TReplyTo>.Reply(waiter.ReplyTo, new StartVmResult(_host, waiter.CommandId, slot.Id, false,
                $"could not resume {slot.Id}: {error}")));
            slot.Stop = new StopInProgress(null);
            BeginDestroy(slot, slot.Stop);
            return;
        }

        slot.Domain = new GuestDomain(slot.Id.Value, new DomainStateInfo(DomainState.Running, (int)RunningReason.Unpaused));
        slot.IgnoreListingsBefore = _listSequence + 1;
        slot.ForgetGuest();
        Emit(new PoolEffect<TReplyTo>.Reply(waiter.ReplyTo, new StartVmResult(_host, waiter.CommandId, slot.Id, true, null, Resumed: true)));
        slot.CheckInFlight = true;
        Emit(new PoolEffect<TReplyTo>.CheckGuest(slot.Address, slot.Generation, false));
    });

    public IReadOnlyList<PoolEffect<TReplyTo>> OnStartFinished(string commandId, VmId vm, HypervisorResult<Done> result) => Carry(() =>
    {
        if (!_slots.TryGetValue(IndexOf(vm.Value) ?? 0, out var slot)) return;
        if (slot.Start?.CommandId != commandId)
        {
            // Answered already (timed out): the listings tell what really happened.
            Note(NoteLevel.Warning, $"Host {_host}: start of {vm} finished after its timeout: {result.ErrorOrNull?.ToString() ?? "started"}");
            return;
        }

        Emit(new PoolEffect<TReplyTo>.CancelTimer(StartTimerKey(commandId)));
        var waiter = slot.Start;
        slot.Start = null;
        if (result.ErrorOrNull is { } error)
        {
            Note(NoteLevel.Warning, $"Host {_host}: could not start {slot.Id}: {error}");
            Emit(new PoolEffect<TReplyTo>.Reply(waiter.ReplyTo, new StartVmResult(_host, waiter.CommandId, slot.Id, false, error.ToString())));
            return;
        }

        slot.Domain = new GuestDomain(slot.Id.Value, new DomainStateInfo(DomainState.Running, (int)RunningReason.Booted));
        slot.IgnoreListingsBefore = _listSequence + 1;
        slot.PoolBoot = waiter.Kind == StartKind.PoolBoot;
        if (slot.PoolBoot)
            Emit(new PoolEffect<TReplyTo>.StartTimer(PoolBootTimerKey(slot.Id), new PoolTimer.PoolBootTimedOut(slot.Id),
                _settings.CommandTimeout * HostPool.PoolBootTimeouts));
        Emit(new PoolEffect<TReplyTo>.Reply(waiter.ReplyTo, new StartVmResult(_host, waiter.CommandId, slot.Id, true, null)));
    });

    // ---- StopVm ----

    public IReadOnlyList<PoolEffect<TReplyTo>> OnStopVm(StopVm command, TReplyTo replyTo) => Carry(() =>
    {
        var waiter = new Waiter(command.CommandId, replyTo);
        if (command.Host != _host)
        {
            Reply(waiter, command.Vm, $"this is the agent of host {_host}, not {command.Host}");
            return;
        }

        if (IndexOf(command.Vm.Value) is not { } index || !_slots.TryGetValue(index, out var slot)
                                                       || (slot.Domain is null && slot.Start is null && slot.Stop is null))
        {
            Reply(waiter, command.Vm, $"unknown VM {command.Vm}: not a defined domain of host {_host}'s pool");
            return;
        }

        if (slot.Start is not null)
        {
            Reply(waiter, command.Vm, $"{slot.Id} is still being started (command {slot.Start.CommandId}); stop it once it runs");
            return;
        }

        if (slot.Stop is { } running)
        {
            running.Waiters.Add(waiter);
            return;
        }

        if (slot.Domain?.IsUp != true)
        {
            slot.Died = false;
            Reply(waiter, slot.Id, null);
            return;
        }

        if (IsWarm(slot))
        {
            // A warm VM cannot answer the ACPI button: powered off at once.
            slot.Stop = new StopInProgress(waiter);
            slot.PoolBoot = slot.Suspending = false;
            Note(NoteLevel.Info, $"Host {_host}: powering off warm {slot.Id}");
            BeginDestroy(slot, slot.Stop);
            return;
        }

        slot.Stop = new StopInProgress(waiter);
        slot.ForgetGuest();
        var warm = WarmOrBecomingWarm();
        if (warm < _settings.WarmPoolSize && slot.Domain!.State.State is DomainState.Running or DomainState.Blocked)
        {
            // The pool is short: this drained VM is kept, suspended, instead of being shut down and booted again later
            // (its SSH session stays open, as for a refill).
            slot.Stop.IntoPool = true;
            Emit(new PoolEffect<TReplyTo>.StartTimer(GraceTimerKey(slot.Id), new PoolTimer.GraceExpired(slot.Id), _settings.ShutdownGrace));
            Note(NoteLevel.Info, $"Host {_host}: suspending {slot.Id} into the warm pool ({warm} of {_settings.WarmPoolSize}) instead of shutting it down");
            Emit(new PoolEffect<TReplyTo>.Suspend(slot.Id));
            return;
        }

        Emit(new PoolEffect<TReplyTo>.ForgetProbe(slot.Id));
        Emit(new PoolEffect<TReplyTo>.StartTimer(GraceTimerKey(slot.Id), new PoolTimer.GraceExpired(slot.Id), _settings.ShutdownGrace));
        Note(NoteLevel.Info, $"Host {_host}: stopping {slot.Id} (ACPI, destroyed after {_settings.ShutdownGrace})");
        Emit(new PoolEffect<TReplyTo>.Shutdown(slot.Id));
    });

    public IReadOnlyList<PoolEffect<TReplyTo>> OnShutdownSent(VmId vm, HypervisorResult<Done> result) => Carry(() =>
    {
        if (!TryGetStopping(vm, out var slot, out var stop) || result.ErrorOrNull is not { } error) return;
        if (error.NotFound)
        {
            FinishStop(slot, null);
            return;
        }

        // A guest that cannot be asked is powered off without waiting for the grace period.
        Note(NoteLevel.Warning, $"Host {_host}: ACPI shutdown of {slot.Id} failed ({error}); destroying it");
        if (!stop.Destroying) BeginDestroy(slot, stop);
    });

    public IReadOnlyList<PoolEffect<TReplyTo>> OnDestroyFinished(VmId vm, HypervisorResult<Done> result) => Carry(() =>
    {
        if (!TryGetStopping(vm, out var slot, out var stop)) return;
        Emit(new PoolEffect<TReplyTo>.CancelTimer(DestroyTimerKey(slot.Id)));
        if (result.ErrorOrNull is { } error && !error.NotFound)
        {
            // It may have powered off just before the destroy: the next listing decides success or failure.
            stop.DestroyError = error.ToString();
            slot.IgnoreListingsBefore = _listSequence + 1;
            return;
        }

        slot.Domain = slot.Domain is null ? null
            : slot.Domain with { State = new DomainStateInfo(DomainState.ShutOff, (int)ShutOffReason.Destroyed) };
        slot.IgnoreListingsBefore = _listSequence + 1;
        FinishStop(slot, null);
    });

    // ---- timers ----

    public IReadOnlyList<PoolEffect<TReplyTo>> OnTimer(PoolTimer timer) => Carry(() =>
    {
        switch (timer)
        {
            case PoolTimer.StartTimedOut(var commandId):
                var starting = _slots.Values.FirstOrDefault(s => s.Start?.CommandId == commandId);
                if (starting is null) return;
                var waiter = starting.Start!;
                starting.Start = null;
                Note(NoteLevel.Warning, $"Host {_host}: start of {starting.Id} did not finish within {_settings.CommandTimeout}");
                Emit(new PoolEffect<TReplyTo>.Reply(waiter.ReplyTo, new StartVmResult(_host, waiter.CommandId, starting.Id, false,
                    $"the hypervisor did not finish starting {starting.Id} within {Seconds(_settings.CommandTimeout)} s; the next reports show whether it booted")));
                break;
            case PoolTimer.GraceExpired(var vm):
                if (!TryGetStopping(vm, out var slot, out var stop) || stop.Destroying) return;
                Note(NoteLevel.Warning, stop.IntoPool
                    ? $"Host {_host}: suspending {slot.Id} did not finish within {_settings.ShutdownGrace}; destroying it"
                    : $"Host {_host}: {slot.Id} still runs {_settings.ShutdownGrace} after the ACPI shutdown; destroying it");
                stop.IntoPool = false;
                BeginDestroy(slot, stop);
                break;
            case PoolTimer.PoolBootTimedOut(var vm):
                if (!_slots.TryGetValue(IndexOf(vm.Value) ?? 0, out var late) || !late.PoolBoot || late.Stop is not null) return;
                late.PoolBoot = false;
                Note(NoteLevel.Warning, $"Host {_host}: {late.Id} was booted for the warm pool but has not answered within {Seconds(_settings.CommandTimeout * HostPool.PoolBootTimeouts)} s; powering it off");
                late.Stop = new StopInProgress(null);
                BeginDestroy(late, late.Stop);
                break;
            case PoolTimer.DestroyTimedOut(var vm):
                if (!TryGetStopping(vm, out var stuck, out _)) return;
                FinishStop(stuck, $"destroying {stuck.Id} did not finish within {Seconds(_settings.CommandTimeout)} s");
                break;
        }
    });

    private void BeginDestroy(Slot slot, StopInProgress stop)
    {
        stop.Destroying = true;
        Emit(new PoolEffect<TReplyTo>.CancelTimer(GraceTimerKey(slot.Id)));
        Emit(new PoolEffect<TReplyTo>.StartTimer(DestroyTimerKey(slot.Id), new PoolTimer.DestroyTimedOut(slot.Id), _settings.CommandTimeout));
        Emit(new PoolEffect<TReplyTo>.Destroy(slot.Id));
    }

    private bool TryGetStopping(VmId vm, out Slot slot, out StopInProgress stop)
    {
        slot = null!;
        stop = null!;
        if (!_slots.TryGetValue(IndexOf(vm.Value) ?? 0, out var found) || found.Stop is null) return false;
        (slot, stop) = (found, found.Stop);
        return true;
    }

    private void FinishStop(Slot slot, string? error)
    {
        var stop = slot.Stop!;
        slot.Stop = null;
        // A warm VM keeps its SSH session; one that is off (or was powered off from the pool) does not.
        if (!stop.IntoPool) Emit(new PoolEffect<TReplyTo>.ForgetProbe(slot.Id));
        Emit(new PoolEffect<TReplyTo>.CancelTimer(GraceTimerKey(slot.Id)));
        Emit(new PoolEffect<TReplyTo>.CancelTimer(DestroyTimerKey(slot.Id)));
        if (error is null)
        {
            slot.Died = false;
            Note(NoteLevel.Info, stop.IntoPool ? $"Host {_host}: {slot.Id} is warm (suspended into the pool)" : $"Host {_host}: {slot.Id} is shut off");
        }
        else
        {
            Note(NoteLevel.Warning, $"Host {_host}: could not stop {slot.Id}: {error}");
        }

        foreach (var waiter in stop.Waiters)
            Reply(waiter, slot.Id, error, suspended: error is null && stop.IntoPool);
    }

    private void Reply(Waiter waiter, VmId vm, string? error, bool suspended = false) =>
        Emit(new PoolEffect<TReplyTo>.Reply(waiter.ReplyTo, new StopVmResult(_host, waiter.CommandId, vm, error is null, error, suspended)));

    /// <summary>The reported state; null for a slot with no domain (never defined, or undefined by someone).</summary>
    private static VmState? StateOf(Slot slot)
    {
        if (slot.Stop is not null) return VmState.Stopping;
        if (slot.Start is not null) return slot.Start.Kind == StartKind.PoolBoot ? VmState.Warm : VmState.Booting;
        if (slot.PoolBoot || slot.Suspending) return VmState.Warm;
        if (slot.Domain is not { } domain) return null;
        if (!domain.IsUp) return slot.Died || domain.State.State == DomainState.Crashed ? VmState.Failed : VmState.ShutOff;
        if (domain.IsSuspended) return VmState.Warm;
        return domain.State.State switch
        {
            // Paused for any reason but ours (an I/O error, a failed migration) is a fault.
            DomainState.Paused or DomainState.PmSuspended => VmState.Failed,
            DomainState.ShuttingDown => VmState.Stopping,
            _ when slot.Healthy || slot.InServiceSince is not null => VmState.InService,
            _ when slot.Unhealthy => VmState.Failed,
            _ => VmState.Booting,
        };
    }

    // ---- naming and the domain template ----

    private int? IndexOf(string name)
    {
        if (!name.StartsWith(_namePrefix, StringComparison.Ordinal)) return null;
        return int.TryParse(name.AsSpan(_namePrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var index)
               && index > 0 && VmId.For(_host, index).Value == name
            ? index
            : null;
    }

    private Slot SlotAt(int index)
    {
        if (_slots.TryGetValue(index, out var slot)) return slot;
        slot = new Slot(VmId.For(_host, index), index, _settings.AddressOf(_host, index));
        _slots[index] = slot;
        return slot;
    }

    private DomainSpec SpecOf(Slot slot) => _settings.DomainSpecOf(slot.Address);

    private static string StartTimerKey(string commandId) => $"start:{commandId}";

    private static string GraceTimerKey(VmId vm) => $"grace:{vm}";

    private static string DestroyTimerKey(VmId vm) => $"destroy:{vm}";

    private static string PoolBootTimerKey(VmId vm) => $"pool-boot:{vm}";

    private static string Seconds(TimeSpan span) => span.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture);

    // ---- effects ----

    private IReadOnlyList<PoolEffect<TReplyTo>> Carry(Action handle)
    {
        _effects.Clear();
        handle();
        return _effects.ToList();
    }

    private void Emit(PoolEffect<TReplyTo> effect) => _effects.Add(effect);

    private void Note(NoteLevel level, string message) => Emit(new PoolEffect<TReplyTo>.Note(level, message));

    private enum StartKind
    {
        Boot,
        PoolBoot,
        Resume,
    }

    private sealed record Waiter(string CommandId, TReplyTo ReplyTo, StartKind Kind = StartKind.Boot);

    /// <param name="first">Who asked; null when the pool itself stops the VM (a warm VM it cannot keep).</param>
    private sealed class StopInProgress(Waiter? first)
    {
        public List<Waiter> Waiters { get; } = first is null ? [] : [first];
        public bool Destroying { get; set; }

        /// <summary>Suspended into the warm pool instead of shut down.</summary>
        public bool IntoPool { get; set; }
        public string? DestroyError { get; set; }
    }

    /// <summary>Everything the pool knows about one VM.</summary>
    private sealed class Slot(VmId id, int index, GuestAddress address)
    {
        public VmId Id { get; } = id;
        public int Index { get; } = index;
        public GuestAddress Address { get; } = address;

        /// <summary>The last state the hypervisor gave; null when the domain is not defined.</summary>
        public GuestDomain? Domain { get; set; }

        /// <summary>Listings issued before this sequence number predate our own last start/stop and are ignored.</summary>
        public long IgnoreListingsBefore { get; set; }

        public Waiter? Start { get; set; }
        public StopInProgress? Stop { get; set; }

        /// <summary>It went down without being told to: reported Failed until started or stopped again.</summary>
        public bool Died { get; set; }

        public bool Healthy { get; set; }
        public bool Unhealthy { get; set; }
        public int FailedChecks { get; set; }
        public DateTimeOffset? InServiceSince { get; set; }
        public int? Connections { get; set; }

        /// <summary>When <see cref="Connections"/> was counted.</summary>
        public DateTimeOffset? CountedAt { get; set; }

        public string? ProbeError { get; set; }
        public bool CheckInFlight { get; set; }

        /// <summary>Booted for the warm pool: suspended as soon as it answers its health check.</summary>
        public bool PoolBoot { get; set; }

        /// <summary>A suspend into the pool is in flight (after a pool boot).</summary>
        public bool Suspending { get; set; }

        /// <summary>Bumped whenever the guest's life restarts, so a health check started before is dropped.</summary>
        public long Generation { get; set; }

        public void ForgetGuest()
        {
            Generation++;
            Healthy = false;
            Unhealthy = false;
            FailedChecks = 0;
            InServiceSince = null;
            Connections = null;
            CountedAt = null;
            ProbeError = null;
        }
    }
}
