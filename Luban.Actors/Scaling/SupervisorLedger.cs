using System.Collections.Immutable;
using Luban.Protocol;
using Luban.Protocol.Bonding;
using Luban.Protocol.Operator;
using Luban.Protocol.Scaling;
using static Luban.Protocol.Hypervisor.HypervisorProtocol;
using static Luban.Protocol.Scaling.ScalingProtocol;

namespace Luban.Actors.Scaling;

/// <summary>What the <see cref="SupervisorLedger"/> asks its actor to do after an event: messages, timers, watches.</summary>
public abstract record SupervisorEffect
{
    private SupervisorEffect()
    {
    }

    /// <summary>Watch the agent that sent the current message for <paramref name="Host"/>; it replaces the one watched
    /// before (if any).</summary>
    public sealed record WatchAgent(HostId Host) : SupervisorEffect;

    public sealed record SendStart(HostId Host, StartVm Command) : SupervisorEffect;

    public sealed record SendStop(HostId Host, StopVm Command) : SupervisorEffect;

    /// <summary>Tell the ledger <see cref="SupervisorLedger.OnCommandTimedOut"/> after this long unless cancelled.</summary>
    public sealed record StartTimeout(string CommandId, TimeSpan After) : SupervisorEffect;

    public sealed record CancelTimeout(string CommandId) : SupervisorEffect;

    public sealed record PublishBackends(BackendsChanged Message) : SupervisorEffect;

    /// <summary>Send the rotation to one front door that has just appeared (started, restarted, or first heard by
    /// this supervisor): publications reach only those subscribed when the rotation last changed.</summary>
    public sealed record SendRotation(HostId FrontDoor, BackendsChanged Message) : SupervisorEffect;

    /// <summary>An event went into the log: publish it (and write it to the process log).</summary>
    public sealed record Recorded(ScaleEvent Event) : SupervisorEffect;

    public sealed record RestartTick(TimeSpan Interval) : SupervisorEffect;
}

/// <summary>
/// The ScaleSupervisor's bookkeeping without Akka: its agents and their last reports, commands in flight, drains, the
/// view the policy decides from, the backends the front door gets, and the event log. Each event in changes the ledger
/// and returns the effects to carry out; time is passed in.
/// </summary>
/// <remarks>An agent is known by an opaque identity (its actor path with uid) and the cluster address it lives at.</remarks>
public sealed class SupervisorLedger
{
    private sealed record Agent(string Identity, string Address, HostReport? Report, DateTimeOffset? ReportedAt);

    private sealed record PendingStart(string CommandId, HostId Host, DateTimeOffset SentAt, VmId? Vm);

    /// <summary>A boot into a host's warm pool: settled once the report shows its VM suspended (or gone).</summary>
    private sealed record PendingRefill(string CommandId, HostId Host, DateTimeOffset SentAt, VmId? Vm);

    private sealed record PendingStop(string CommandId, HostId Host, VmId Vm, DateTimeOffset SentAt);

    /// <param name="InFlight">What each front door last said it has in flight to the VM.</param>
    private sealed record Drain(HostId Host, VmId Vm, DateTimeOffset Deadline, ImmutableDictionary<HostId, int> InFlight);

    private sealed record FrontDoor(DateTimeOffset LastSeen, bool HoldsVirtualAddress);

    /// <summary>A front door not heard from for this long is gone: drains no longer wait for it.</summary>
    public static readonly TimeSpan FrontDoorSilence = TimeSpan.FromSeconds(3);

    private readonly Dictionary<HostId, Agent> _agents = new();
    private readonly HashSet<HostId> _lostHosts = new();
    private readonly HashSet<string> _unreachable = new(StringComparer.Ordinal);
    private readonly DateTimeOffset _startedAt;
    private readonly TimeSpan _quietStart;
    private readonly Dictionary<string, PendingStart> _starts = new();
    private readonly Dictionary<string, PendingStop> _stops = new();
    private readonly Dictionary<string, PendingRefill> _refills = new();
    private readonly Dictionary<VmId, Drain> _drains = new();
    private readonly Dictionary<HostId, IReadOnlyList<BondHealthSummary>> _bondHealth = new();
    private readonly LinkedList<ScaleEvent> _events = new();
    private readonly HashSet<(VmId, string)> _refusedEndpoints = new();
    private readonly Dictionary<HostId, FrontDoor> _frontDoors = new();
    private readonly HashSet<HostId> _frontDoorsAwaitingRotation = new();
    private readonly List<SupervisorEffect> _effects = [];
    private ScaleEvent? _lastDecision;
    private string? _lastHoldRule;
    private DateTimeOffset? _lastScaleOutAt;
    private DateTimeOffset? _lastScaleInAt;
    private long _commandSeq;
    private long _backendsVersion;
    private IReadOnlyList<Backend> _publishedBackends = [];
    private bool _keepingUnreachable;
    private DateTimeOffset _now;

    /// <param name="host">The front-end host this supervisor runs on (shown in the status).</param>
    /// <param name="quietStart">For this long after its start the ledger publishes no backends: a supervisor taking
    /// over from a lost front-end host hears the agents one by one, and the front doors keep the rotation they have
    /// until it has heard them all (else a VM whose agent reported a moment later would look drained).</param>
    public SupervisorLedger(SupervisorSettings settings, DateTimeOffset startedAt, HostId? host = null, TimeSpan quietStart = default)
    {
        Host = host;
        _quietStart = quietStart;
        Settings = settings;
        _startedAt = startedAt;
        _now = startedAt;
    }

    public SupervisorSettings Settings { get; private set; }

    public HostId? Host { get; }

    public bool Paused { get; private set; }

    // ---- agents ----

    public IReadOnlyList<SupervisorEffect> OnRegister(HostId host, string identity, string address, DateTimeOffset now) => Carry(now, () =>
    {
        var known = _agents.TryGetValue(host, out var existing);
        if (known && existing!.Identity == identity) return;
        Emit(new SupervisorEffect.WatchAgent(host));
        _agents[host] = new Agent(identity, address, existing?.Report, existing?.ReportedAt);
        _lostHosts.Remove(host);
        Record(ScaleEventKinds.HostRegistered, ScalingRules.AgentRegistered, $"Agent of host {host} registered.", host);
    });

    /// <summary>The agent with this identity is gone (terminated: its node was downed or it stopped).</summary>
    public IReadOnlyList<SupervisorEffect> OnAgentLost(string identity, DateTimeOffset now) => Carry(now, () =>
    {
        var lost = _agents.FirstOrDefault(a => a.Value.Identity == identity);
        if (lost.Value is null) return;

        _agents.Remove(lost.Key);
        _lostHosts.Add(lost.Key);
        foreach (var start in _starts.Values.Where(s => s.Host == lost.Key).ToList()) _starts.Remove(start.CommandId);
        foreach (var refill in _refills.Values.Where(s => s.Host == lost.Key).ToList()) _refills.Remove(refill.CommandId);
        foreach (var stop in _stops.Values.Where(s => s.Host == lost.Key).ToList()) _stops.Remove(stop.CommandId);
        foreach (var drain in _drains.Values.Where(d => d.Host == lost.Key).ToList()) _drains.Remove(drain.Vm);
        Record(ScaleEventKinds.HostLost, ScalingRules.AgentLost, $"Agent of host {lost.Key} is gone; its VMs left the rotation.", lost.Key);
        PublishBackends();
    });

    /// <summary>A cluster member became unreachable or reachable again: its agents' VMs leave or rejoin the rotation.</summary>
    public IReadOnlyList<SupervisorEffect> OnReachability(string address, bool reachable, DateTimeOffset now) => Carry(now, () =>
    {
        if (!(reachable ? _unreachable.Remove(address) : _unreachable.Add(address))) return;
        foreach (var (host, _) in _agents.Where(a => a.Value.Address == address).OrderBy(a => a.Key.Value, StringComparer.Ordinal))
        {
            if (reachable)
                Record(ScaleEventKinds.HostReachable, ScalingRules.AgentReachable, $"Agent of host {host} is reachable again; its VMs rejoin the rotation.", host);
            else
                Record(ScaleEventKinds.HostUnreachable, ScalingRules.AgentUnreachable, $"Agent of host {host} is unreachable ({address}); its VMs left the rotation until it is back or removed.", host);
        }

        PublishBackends();
    });

    public void OnMemberRemoved(string address) => _unreachable.Remove(address);

    /// <summary>A message its signer may not send was dropped: the log says who tried what.</summary>
    public IReadOnlyList<SupervisorEffect> OnRefused(string what, string why, DateTimeOffset now) => Carry(now, () =>
        Record(ScaleEventKinds.Refused, ScalingRules.SecurityRefused, $"Refused {what}: {why}."));

    public IReadOnlyList<SupervisorEffect> OnReport(HostReport report, string identity, string address, DateTimeOffset now) => Carry(now, () =>
    {
        if (!_agents.TryGetValue(report.Host, out var agent))
        {
            // A report from an agent we do not know yet (e.g. after a seed restart): treat the sender as registering.
            Emit(new SupervisorEffect.WatchAgent(report.Host));
            agent = new Agent(identity, address, null, null);
            _lostHosts.Remove(report.Host);
            Record(ScaleEventKinds.HostRegistered, ScalingRules.AgentReported, $"Host {report.Host} reported before registering; accepted.", report.Host);
        }

        _agents[report.Host] = agent with { Report = WithinForwardAddress(report), ReportedAt = now };

        var byVm = report.Vms.ToDictionary(v => v.Vm);
        // A start is settled once the report shows its VM (not shut off, and no longer warm: a resumed VM reports
        // Booting); a stop once the report shows the VM shut off or suspended into the pool.
        foreach (var start in _starts.Values.Where(s => s.Host == report.Host && s.Vm is { } vm
                     && byVm.TryGetValue(vm, out var seen) && seen.State is not (VmState.ShutOff or VmState.Warm)).ToList())
            _starts.Remove(start.CommandId);
        foreach (var stop in _stops.Values.Where(s => s.Host == report.Host
                     && (!byVm.TryGetValue(s.Vm, out var seen) || seen.State is VmState.ShutOff or VmState.Failed or VmState.Warm)).ToList())
            _stops.Remove(stop.CommandId);
        foreach (var drain in _drains.Values.Where(d => d.Host == report.Host
                     && (!byVm.TryGetValue(d.Vm, out var seen) || seen.State is VmState.ShutOff or VmState.Failed or VmState.Warm)).ToList())
            _drains.Remove(drain.Vm);
        // A refill is settled once its VM is suspended (ready), or it became capacity (a scale-out took it while it
        // booted), or it is gone.
        foreach (var refill in _refills.Values.Where(r => r.Host == report.Host && r.Vm is not null).ToList())
        {
            byVm.TryGetValue(refill.Vm!.Value, out var seen);
            if (seen is { State: VmState.Warm, Suspended: false }) continue;
            _refills.Remove(refill.CommandId);
            Emit(new SupervisorEffect.CancelTimeout(refill.CommandId));
            if (seen is { State: VmState.Warm })
                Record(ScaleEventKinds.Warm, ScalingRules.WarmPoolReady, $"{refill.Vm} is warm on {refill.Host}: suspended, ready to be resumed.", refill.Host, refill.Vm);
            else if (seen is null or { State: VmState.ShutOff or VmState.Failed })
                Record(ScaleEventKinds.CommandFailed, ScalingRules.StartFailed, $"The refill of host {refill.Host}'s warm pool ({refill.Vm}) did not become warm: it is {seen?.State.ToString() ?? "gone"}.", refill.Host, refill.Vm);
        }

        PublishBackends();
        FinishDrains();
    });

    /// <summary>The report with every VM endpoint that is not on the agent's forward address removed (and said once):
    /// an agent puts only its own VMs into the rotation.</summary>
    private HostReport WithinForwardAddress(HostReport report)
    {
        if (report.Vms.All(vm => vm.Endpoint is null || IsOnAddress(vm.Endpoint, report.ForwardAddress))) return report;
        var vms = report.Vms.Select(vm =>
        {
            if (vm.Endpoint is null || IsOnAddress(vm.Endpoint, report.ForwardAddress)) return vm;
            if (_refusedEndpoints.Add((vm.Vm, vm.Endpoint)))
                Record(ScaleEventKinds.Refused, ScalingRules.SecurityRefused,
                    $"Refused the endpoint {vm.Endpoint} of {vm.Vm} from host {report.Host}: not on its forward address {report.ForwardAddress}; it stays out of the rotation.",
                    report.Host, vm.Vm);
            return vm with { Endpoint = null };
        }).ToList();
        return report with { Vms = vms };
    }

    private static bool IsOnAddress(string endpoint, string address) =>
        Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttp && uri.Host == address
        && !uri.IsDefaultPort && string.IsNullOrEmpty(uri.UserInfo) && uri.AbsolutePath == "/" && string.IsNullOrEmpty(uri.Query);

    public IReadOnlyList<SupervisorEffect> OnBondReport(BondProtocol.HostBondReport report, DateTimeOffset now) => Carry(now, () =>
    {
        _bondHealth[report.Host] = report.Changed.Health;
        foreach (var bondEvent in report.Changed.Events)
            Record(ScaleEventKinds.Bond, ScalingRules.Bond(bondEvent.Kind.ToString()), bondEvent.Message, report.Host);
    });

    // ---- the tick: the policy decides ----

    public IReadOnlyList<SupervisorEffect> OnTick(DateTimeOffset now) => Carry(now, () =>
    {
        PublishBackends();
        SendRotations();
        FinishDrains();
        if (Paused)
        {
            _lastDecision = new ScaleEvent(_now, ScaleEventKinds.Hold, ScalingRules.Paused, "Automatic scaling is paused by the operator.");
            return;
        }

        var view = View();
        var decision = ScalingPolicy.Decide(view, Settings.Policy, _now);
        switch (decision)
        {
            case ScalingDecision.StartVm start:
                SendStart(start);
                break;
            case ScalingDecision.StopVm stop:
                BeginDrain(stop);
                break;
            case ScalingDecision.Undrain undrain:
                _drains.Remove(undrain.Vm);
                _lastScaleOutAt = _now;
                Decided(ScaleEventKinds.Undrain, decision, undrain.Host, undrain.Vm);
                PublishBackends();
                break;
            case ScalingDecision.Warn:
                Decided(ScaleEventKinds.Warn, decision);
                break;
            case ScalingDecision.NoAction:
                _lastDecision = EventOf(ScaleEventKinds.Hold, decision);
                // Holding is the normal state: only a change of reason goes into the event log.
                if (_lastHoldRule != decision.Reason.Rule) Append(_lastDecision);
                _lastHoldRule = decision.Reason.Rule;
                var inFlight = _starts.Count + _stops.Count + _drains.Count + _refills.Count > 0;
                if (ScalingPolicy.DecideRefill(view, Settings.Policy, _now, decision, inFlight) is { } refill)
                    SendRefill(refill);
                break;
        }
    });

    private void SendRefill(ScalingDecision.RefillPool refill)
    {
        if (!_agents.ContainsKey(refill.Host)) return;
        var id = NextCommandId("refill");
        _refills[id] = new PendingRefill(id, refill.Host, _now, null);
        Emit(new SupervisorEffect.SendStart(refill.Host, new StartVm(refill.Host, id, ForWarmPool: true)));
        Emit(new SupervisorEffect.StartTimeout(id, Settings.StartTimeout));
        Record(ScaleEventKinds.Refill, refill.Reason.Rule, refill.Reason.Sentence, refill.Host);
    }

    private void SendStart(ScalingDecision.StartVm start)
    {
        if (!_agents.ContainsKey(start.Host)) return;
        var id = NextCommandId("start");
        _starts[id] = new PendingStart(id, start.Host, _now, null);
        Emit(new SupervisorEffect.SendStart(start.Host, new StartVm(start.Host, id)));
        Emit(new SupervisorEffect.StartTimeout(id, Settings.StartTimeout));
        _lastScaleOutAt = _now;
        Decided(ScaleEventKinds.Start, start, start.Host);
    }

    private void BeginDrain(ScalingDecision.StopVm stop)
    {
        _drains[stop.Vm] = new Drain(stop.Host, stop.Vm, _now + Settings.DrainDeadline, ImmutableDictionary<HostId, int>.Empty);
        _lastScaleInAt = _now;
        Decided(ScaleEventKinds.Drain, stop, stop.Host, stop.Vm);
        PublishBackends();
        FinishDrains();
    }

    // ---- the operator ----

    public (OperatorProtocol.OperatorReply Reply, IReadOnlyList<SupervisorEffect> Effects) OnOperatorStart(
        OperatorProtocol.StartVmNow command, DateTimeOffset now)
    {
        OperatorProtocol.OperatorReply reply = null!;
        var effects = Carry(now, () =>
        {
            if (MayNotAct(command, "start a VM", out reply)) return;
            var verdict = ScalingPolicy.PlaceStart(View(), Settings.Policy, _now, command.Host, SubjectOf(command));
            if (verdict.Decision is not ScalingDecision.StartVm start)
            {
                reply = Refuse(command, "start a VM", verdict.Refusal!);
                return;
            }

            SendStart(start);
            reply = new OperatorProtocol.OperatorReply(true, $"Starting a VM on host {start.Host}.");
        });
        return (reply, effects);
    }

    public (OperatorProtocol.OperatorReply Reply, IReadOnlyList<SupervisorEffect> Effects) OnOperatorStop(
        OperatorProtocol.StopVmNow command, DateTimeOffset now)
    {
        OperatorProtocol.OperatorReply reply = null!;
        var effects = Carry(now, () =>
        {
            if (MayNotAct(command, $"stop {command.Vm}", out reply)) return;
            var verdict = ScalingPolicy.CheckStop(View(), Settings.Policy, _now, command.Vm, SubjectOf(command));
            if (verdict.Decision is not ScalingDecision.StopVm stop)
            {
                reply = Refuse(command, $"stop {command.Vm}", verdict.Refusal!);
                return;
            }

            BeginDrain(stop);
            reply = new OperatorProtocol.OperatorReply(true, $"Draining {command.Vm}; it stops when its requests finish.");
        });
        return (reply, effects);
    }

    public (OperatorProtocol.OperatorReply Reply, IReadOnlyList<SupervisorEffect> Effects) OnSetAutoscale(
        OperatorProtocol.SetAutoscale command, DateTimeOffset now)
    {
        OperatorProtocol.OperatorReply reply = null!;
        var effects = Carry(now, () =>
        {
            if (MayNotAct(command, command.Paused ? "pause automatic scaling" : "resume automatic scaling", out reply)) return;
            Paused = command.Paused;
            Record(command.Paused ? ScaleEventKinds.Paused : ScaleEventKinds.Resumed, ScalingRules.OperatorAutoscale,
                $"{Capitalised(SubjectOf(command))} {(command.Paused ? "paused" : "resumed")} automatic scaling.");
            reply = new OperatorProtocol.OperatorReply(true, command.Paused ? "Automatic scaling paused." : "Automatic scaling resumed.");
        });
        return (reply, effects);
    }

    public (OperatorProtocol.OperatorReply Reply, IReadOnlyList<SupervisorEffect> Effects) OnSetPolicy(
        OperatorProtocol.SetPolicy command, DateTimeOffset now)
    {
        OperatorProtocol.OperatorReply reply = null!;
        var effects = Carry(now, () =>
        {
            if (MayNotAct(command, $"set {command.Key}", out reply)) return;
            var updated = PolicyTable.Apply(Settings, command.Key, command.Value, out var problem);
            if (updated is null)
            {
                reply = Refuse(command, $"set {command.Key} = {command.Value}", problem!);
                return;
            }

            if (updated.Policy.TickInterval != Settings.Policy.TickInterval)
                Emit(new SupervisorEffect.RestartTick(updated.Policy.TickInterval));
            Settings = updated;
            Record(ScaleEventKinds.Policy, ScalingRules.OperatorPolicySet, $"{Capitalised(SubjectOf(command))} set {command.Key} = {command.Value}.");
            reply = new OperatorProtocol.OperatorReply(true, $"{command.Key} = {command.Value}");
        });
        return (reply, effects);
    }

    /// <summary>"operator alice" for a command the operator endpoint attributed; "the operator" for one made here.</summary>
    private static string SubjectOf(OperatorProtocol.IOperatorCommand command) => command.By?.Subject ?? "the operator";

    private static string Capitalised(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];

    /// <summary>A viewer's certificate may read, not act: refused, and the refusal is an event naming the subject.</summary>
    private bool MayNotAct(OperatorProtocol.IOperatorCommand command, string what, out OperatorProtocol.OperatorReply reply)
    {
        reply = null!;
        if (command.By is not { MayAct: false } by) return false;
        reply = Refuse(command, what, $"the certificate of {by.Subject} may only read");
        return true;
    }

    private OperatorProtocol.OperatorReply Refuse(OperatorProtocol.IOperatorCommand command, string what, string why)
    {
        Record(ScaleEventKinds.Refused, ScalingRules.OperatorRefused, $"Refused {SubjectOf(command)} to {what}: {why}");
        return new OperatorProtocol.OperatorReply(false, why);
    }

    // ---- commands and drains ----

    public IReadOnlyList<SupervisorEffect> OnDrainProgress(DrainProgress progress, DateTimeOffset now) => Carry(now, () =>
    {
        if (!_drains.TryGetValue(progress.Vm, out var drain)) return;
        _drains[progress.Vm] = drain with { InFlight = drain.InFlight.SetItem(progress.FrontDoor, progress.InFlight) };
        FinishDrains();
    });

    /// <summary>A front door is alive (its drains count) and says whether its host holds the virtual address. One this
    /// supervisor has not heard from (or not for <see cref="FrontDoorSilence"/>) is sent the rotation (see
    /// <see cref="SendRotations"/>).</summary>
    public IReadOnlyList<SupervisorEffect> OnFrontDoorReport(FrontDoorReport report, DateTimeOffset now) => Carry(now, () =>
    {
        var appeared = !_frontDoors.TryGetValue(report.FrontDoor, out var known) || _now - known.LastSeen > FrontDoorSilence;
        _frontDoors[report.FrontDoor] = new FrontDoor(now, report.HoldsVirtualAddress);
        if (appeared) _frontDoorsAwaitingRotation.Add(report.FrontDoor);
        SendRotations();
        FinishDrains();
    });

    private bool Quiet => _now - _startedAt < _quietStart;

    /// <summary>Sends the rotation to the front doors waiting for it, once there is one: a supervisor that has never
    /// published (no VM yet, or the quiet start) sends nothing, and the front doors keep what they have.</summary>
    private void SendRotations()
    {
        if (Quiet || _backendsVersion == 0) return;
        foreach (var frontDoor in _frontDoorsAwaitingRotation.OrderBy(f => f.Value, StringComparer.Ordinal))
            Emit(new SupervisorEffect.SendRotation(frontDoor, new BackendsChanged(_backendsVersion, _publishedBackends)));
        _frontDoorsAwaitingRotation.Clear();
    }

    /// <summary>The front doors heard from within <see cref="FrontDoorSilence"/>.</summary>
    private IEnumerable<HostId> LiveFrontDoors() =>
        _frontDoors.Where(f => _now - f.Value.LastSeen <= FrontDoorSilence).Select(f => f.Key);

    /// <summary>No request left in flight to the VM: every live front door said 0 (without any front door known,
    /// whatever was reported, else the connection probe).</summary>
    private bool Idle(Drain drain, int? probeConnections)
    {
        var live = LiveFrontDoors().ToList();
        if (live.Count > 0) return live.All(f => drain.InFlight.TryGetValue(f, out var n) && n == 0);
        return drain.InFlight.Count > 0 ? drain.InFlight.Values.All(n => n == 0) : probeConnections is 0;
    }

    /// <summary>A drain ends when no request is left in flight (every front door, else the probe) or its deadline
    /// passes.</summary>
    private void FinishDrains()
    {
        foreach (var drain in _drains.Values.ToList())
        {
            if (_stops.Values.Any(s => s.Vm == drain.Vm)) continue;
            var probeConnections = _agents.TryGetValue(drain.Host, out var agent)
                ? agent.Report?.Vms.FirstOrDefault(v => v.Vm == drain.Vm)?.Connections
                : null;
            var idle = Idle(drain, probeConnections);
            var expired = _now >= drain.Deadline;
            if (!idle && !expired) continue;
            if (agent is null) continue;

            var id = NextCommandId("stop");
            _stops[id] = new PendingStop(id, drain.Host, drain.Vm, _now);
            Emit(new SupervisorEffect.SendStop(drain.Host, new StopVm(drain.Host, drain.Vm, id)));
            Emit(new SupervisorEffect.StartTimeout(id, Settings.StopTimeout));
            var why = idle ? "no request left in flight" : $"the drain deadline of {Settings.DrainDeadline.TotalSeconds:0} s passed";
            Record(ScaleEventKinds.Stop, idle ? ScalingRules.DrainComplete : ScalingRules.DrainDeadline,
                $"Stopping {drain.Vm} on {drain.Host}: {why}.", drain.Host, drain.Vm);
        }
    }

    public IReadOnlyList<SupervisorEffect> OnStartResult(StartVmResult result, DateTimeOffset now) => Carry(now, () =>
    {
        if (_refills.TryGetValue(result.CommandId, out var refill))
        {
            Emit(new SupervisorEffect.CancelTimeout(result.CommandId));
            if (result.Succeeded)
            {
                _refills[result.CommandId] = refill with { Vm = result.Vm };
                Emit(new SupervisorEffect.StartTimeout(result.CommandId, Settings.StartTimeout));
            }
            else
            {
                _refills.Remove(result.CommandId);
                Record(ScaleEventKinds.CommandFailed, ScalingRules.StartFailed, $"Host {result.Host} could not boot a VM into its warm pool: {result.Error}", result.Host);
            }

            return;
        }

        if (!_starts.TryGetValue(result.CommandId, out var pending)) return;
        Emit(new SupervisorEffect.CancelTimeout(result.CommandId));
        if (result.Succeeded)
        {
            _starts[result.CommandId] = pending with { Vm = result.Vm };
            Emit(new SupervisorEffect.StartTimeout(result.CommandId, Settings.StartTimeout));
            if (result.Resumed)
                Record(ScaleEventKinds.Started, ScalingRules.StartResumed, $"Host {result.Host} resumed warm {result.Vm}.", result.Host, result.Vm);
            else
                Record(ScaleEventKinds.Started, ScalingRules.StartAccepted, $"Host {result.Host} is booting {result.Vm}.", result.Host, result.Vm);
        }
        else
        {
            _starts.Remove(result.CommandId);
            Record(ScaleEventKinds.CommandFailed, ScalingRules.StartFailed, $"Host {result.Host} could not start a VM: {result.Error}", result.Host);
        }
    });

    public IReadOnlyList<SupervisorEffect> OnStopResult(StopVmResult result, DateTimeOffset now) => Carry(now, () =>
    {
        if (!_stops.Remove(result.CommandId)) return;
        Emit(new SupervisorEffect.CancelTimeout(result.CommandId));
        if (result.Succeeded)
        {
            if (result.Suspended)
                Record(ScaleEventKinds.Warm, ScalingRules.StopSuspended, $"Host {result.Host} suspended {result.Vm} into its warm pool instead of shutting it down.", result.Host, result.Vm);
            else
                Record(ScaleEventKinds.Stopped, ScalingRules.StopDone, $"Host {result.Host} stopped {result.Vm}.", result.Host, result.Vm);
            _drains.Remove(result.Vm);
        }
        else
        {
            Record(ScaleEventKinds.CommandFailed, ScalingRules.StopFailed, $"Host {result.Host} could not stop {result.Vm}: {result.Error}", result.Host, result.Vm);
        }
    });

    public IReadOnlyList<SupervisorEffect> OnCommandTimedOut(string commandId, DateTimeOffset now) => Carry(now, () =>
    {
        if (_refills.Remove(commandId, out var refill))
            Record(ScaleEventKinds.CommandFailed, ScalingRules.StartTimeout,
                $"The refill of host {refill.Host}'s warm pool ({refill.Vm?.ToString() ?? "no VM yet"}) did not become warm within {Settings.StartTimeout.TotalSeconds:0} s.", refill.Host, refill.Vm);
        else if (_starts.Remove(commandId, out var start))
            Record(ScaleEventKinds.CommandFailed, ScalingRules.StartTimeout,
                $"Start on {start.Host} ({start.Vm?.ToString() ?? "no VM yet"}) did not settle within {Settings.StartTimeout.TotalSeconds:0} s.", start.Host, start.Vm);
        else if (_stops.Remove(commandId, out var stop))
            Record(ScaleEventKinds.CommandFailed, ScalingRules.StopTimeout,
                $"Stop of {stop.Vm} on {stop.Host} did not settle within {Settings.StopTimeout.TotalSeconds:0} s.", stop.Host, stop.Vm);
    });

    // ---- what the policy and the status see ----

    /// <summary>The policy's view: reports, overlaid with what only the supervisor knows (drains, commands in flight).</summary>
    public ClusterView View()
    {
        var hosts = ImmutableArray.CreateBuilder<HostView>();
        foreach (var (hostId, agent) in _agents.OrderBy(a => a.Key.Value, StringComparer.Ordinal))
        {
            var vms = ImmutableArray.CreateBuilder<VmView>();
            foreach (var vm in agent.Report?.Vms ?? [])
            {
                var state = vm.State;
                if (_drains.ContainsKey(vm.Vm) && state is VmState.InService or VmState.Booting) state = VmState.Draining;
                if (_stops.Values.Any(s => s.Vm == vm.Vm) && state != VmState.ShutOff) state = VmState.Stopping;
                // A resume the report does not show yet: the VM counts as coming up, never as still warm.
                if (state == VmState.Warm && _starts.Values.Any(s => s.Vm == vm.Vm)) state = VmState.Booting;
                vms.Add(new VmView(vm.Vm, state, vm.Connections, vm.InServiceSince, vm.Suspended));
            }

            // A start in flight whose VM is not yet in a report counts as booting, so a slow boot never causes a second start.
            foreach (var start in _starts.Values.Where(s => s.Host == hostId))
            {
                var shown = start.Vm is { } vm && vms.Any(v => v.Id == vm && v.State != VmState.ShutOff);
                if (!shown) vms.Add(new VmView(start.Vm ?? new VmId($"pending-{start.CommandId}"), VmState.Booting, null));
            }

            hosts.Add(new HostView(hostId, IsReachable(agent), agent.ReportedAt, vms.ToImmutable(),
                agent.Report?.MinVms ?? Settings.Policy.DefaultHostMinVms,
                agent.Report?.MaxVms ?? Settings.Policy.DefaultHostMaxVms,
                NetworkDegraded(hostId),
                agent.Report?.WarmPoolSize ?? 0));
        }

        foreach (var lost in _lostHosts.Order())
            hosts.Add(new HostView(lost, false, null, [], Settings.Policy.DefaultHostMinVms, Settings.Policy.DefaultHostMaxVms));

        return new ClusterView(hosts.ToImmutable(), _lastScaleOutAt, _lastScaleInAt, _startedAt);
    }

    public SupervisorStatus Status()
    {
        var view = View();
        var policy = Settings.Policy;
        var hosts = view.Hosts.Select(h => new HostStatus(
            h.Id.Value, h.Reachable, h.LastReportAt, h.MinVms, h.MaxVms, h.NetworkDegraded,
            h.Vms.Select(v => new VmStatus(v.Id.Value, v.State.ToString(), v.Connections,
                v.Connections is { } c ? Math.Round((double)c / policy.SMax, 4) : null,
                EndpointOf(h.Id, v.Id), v.Suspended)).ToList(), h.WarmPoolSize)).ToList();
        var frontDoors = _frontDoors.Where(f => _now - f.Value.LastSeen <= FrontDoorSilence)
            .OrderBy(f => f.Key.Value, StringComparer.Ordinal)
            .Select(f => new FrontDoorStatus(f.Key.Value, f.Value.HoldsVirtualAddress, f.Value.LastSeen)).ToList();
        return new SupervisorStatus(hosts, new PolicyStatus(
                policy.SMax, policy.TUpper, policy.TLower, policy.MinTotalVms, policy.MaxTotalVms,
                policy.DefaultHostMinVms, policy.DefaultHostMaxVms,
                policy.PreferredHostOrder.Select(h => h.Value).ToList(),
                policy.TickInterval.TotalSeconds, policy.ScaleOutCooldown.TotalSeconds,
                policy.ScaleInCooldown.TotalSeconds, policy.ReportStaleAfter.TotalSeconds, policy.AgentRejoinGrace.TotalSeconds,
                Settings.DrainDeadline.TotalSeconds, Paused, PolicyTable.Show(Settings)),
            _lastDecision, _events.Reverse().ToList(), Host?.Value, frontDoors, _startedAt);
    }

    private bool IsReachable(Agent agent) => !_unreachable.Contains(agent.Address);

    /// <summary>A host whose bond is anything but healthy is placed after healthy hosts (see the policy).</summary>
    private bool NetworkDegraded(HostId host) =>
        _bondHealth.TryGetValue(host, out var health) && health.Any(h => h.Health != BondHealth.Healthy);

    private void PublishBackends()
    {
        if (Quiet) return;
        var backends = BackendsOf(_agents.Where(a => IsReachable(a.Value)));
        var keeping = false;
        if (backends.Count == 0 && _unreachable.Count > 0)
        {
            // Every agent that reports a VM is unreachable. Either they all crashed at once, or (far likelier on a
            // loaded host) this seed is the one starved of CPU and missing their heartbeats. Taking every VM out would
            // answer every request with 503 while the VMs themselves may be fine: keep them, and let the front door's
            // own health checks judge them.
            backends = BackendsOf(_agents.Where(a => !IsReachable(a.Value)));
            keeping = backends.Count > 0;
            if (keeping && !_keepingUnreachable)
                Record(ScaleEventKinds.RotationKept, ScalingRules.AllAgentsUnreachable,
                    $"No reachable agent has a VM; {backends.Count} VM(s) of unreachable agents stay in the rotation, judged by the front door's health checks.");
        }

        _keepingUnreachable = keeping;

        if (backends.SequenceEqual(_publishedBackends)) return;

        _publishedBackends = backends;
        Emit(new SupervisorEffect.PublishBackends(new BackendsChanged(++_backendsVersion, backends)));
    }

    private List<Backend> BackendsOf(IEnumerable<KeyValuePair<HostId, Agent>> agents) => agents
        .SelectMany(a => (a.Value.Report?.Vms ?? []).Select(vm => (Host: a.Key, Vm: vm)))
        .Where(x => x.Vm.Endpoint is not null && x.Vm.State is VmState.InService or VmState.Booting
                    && !_drains.ContainsKey(x.Vm.Vm) && !_stops.Values.Any(s => s.Vm == x.Vm.Vm))
        .Select(x => new Backend(x.Vm.Vm, x.Host, x.Vm.Endpoint!))
        .OrderBy(b => b.Vm.Value, StringComparer.Ordinal)
        .ToList();

    private string? EndpointOf(HostId host, VmId vm) =>
        _agents.TryGetValue(host, out var agent) ? agent.Report?.Vms.FirstOrDefault(v => v.Vm == vm)?.Endpoint : null;

    private string NextCommandId(string kind) => $"{kind}-{++_commandSeq}";

    // ---- the event log ----

    private void Decided(string kind, ScalingDecision decision, HostId? host = null, VmId? vm = null)
    {
        _lastHoldRule = null;
        _lastDecision = EventOf(kind, decision, host, vm);
        Append(_lastDecision);
    }

    private ScaleEvent EventOf(string kind, ScalingDecision decision, HostId? host = null, VmId? vm = null) =>
        new(_now, kind, decision.Reason.Rule, decision.Reason.Sentence, host, vm);

    private void Record(string kind, string rule, string reason, HostId? host = null, VmId? vm = null) =>
        Append(new ScaleEvent(_now, kind, rule, reason, host, vm));

    private void Append(ScaleEvent scaleEvent)
    {
        _events.AddLast(scaleEvent);
        while (_events.Count > Settings.EventLogSize) _events.RemoveFirst();
        Emit(new SupervisorEffect.Recorded(scaleEvent));
    }

    // ---- effects ----

    private IReadOnlyList<SupervisorEffect> Carry(DateTimeOffset now, Action handle)
    {
        _now = now;
        _effects.Clear();
        handle();
        return _effects.ToList();
    }

    private void Emit(SupervisorEffect effect) => _effects.Add(effect);
}
