using System.Collections.Immutable;
using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Event;
using Luban.Actors.Bonding;
using Luban.Protocol;
using Luban.Protocol.Operator;
using static Luban.Protocol.Hypervisor.HypervisorProtocol;
using static Luban.Protocol.Scaling.ScalingProtocol;
using Luban.Protocol.Scaling;
using Luban.Protocol.Bonding;

namespace Luban.Actors.Scaling;

/// <summary>Settings of the supervisor around the pure policy: drain and command deadlines, the event log.</summary>
public sealed record SupervisorSettings
{
    public const string DrainDeadlineKey = "luban.scaling.drain-deadline";
    public const string StartTimeoutKey = "luban.scaling.start-timeout";
    public const string StopTimeoutKey = "luban.scaling.stop-timeout";
    public const string EventLogSizeKey = "luban.scaling.event-log-size";

    public ScalingSettings Policy { get; init; } = ScalingSettings.Default;
    public TimeSpan DrainDeadline { get; init; } = TimeSpan.FromSeconds(30);
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(120);
    public TimeSpan StopTimeout { get; init; } = TimeSpan.FromSeconds(60);
    public int EventLogSize { get; init; } = 200;

    public IReadOnlyList<string> Validate()
    {
        var problems = Policy.Validate().ToList();
        if (DrainDeadline <= TimeSpan.Zero) problems.Add($"{DrainDeadlineKey} = {DrainDeadline}: must be a positive duration.");
        if (StartTimeout <= TimeSpan.Zero) problems.Add($"{StartTimeoutKey} = {StartTimeout}: must be a positive duration.");
        if (StopTimeout <= TimeSpan.Zero) problems.Add($"{StopTimeoutKey} = {StopTimeout}: must be a positive duration.");
        if (EventLogSize is < 1 or > 100_000) problems.Add($"{EventLogSizeKey} = {EventLogSize}: must be 1..100000.");
        return problems;
    }
}

/// <summary>
/// The single writer of scaling decisions (a cluster singleton on role <c>seed</c>). It builds the cluster view from
/// agents' reports, asks <see cref="ScalingPolicy"/> once per tick, carries the decision out (drain before stop),
/// tracks commands in flight, watches agents, and keeps the recent events with their reasons.
/// </summary>
public sealed class ScaleSupervisor : ReceiveActor, IWithTimers
{
    private sealed record Agent(IActorRef Ref, HostReport? Report, DateTimeOffset? ReportedAt);

    private sealed record PendingStart(string CommandId, HostId Host, DateTimeOffset SentAt, VmId? Vm);

    private sealed record PendingStop(string CommandId, HostId Host, VmId Vm, DateTimeOffset SentAt);

    private sealed record Drain(HostId Host, VmId Vm, DateTimeOffset Deadline, int? FrontDoorInFlight);

    private sealed class Tick
    {
        public static readonly Tick Instance = new();
    }

    private sealed record CommandTimedOut(string CommandId);

    private SupervisorSettings _settings;
    private bool _paused;
    private readonly IActorRef _mediator;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<HostId, Agent> _agents = new();
    private readonly HashSet<HostId> _lostHosts = new();
    private readonly HashSet<Address> _unreachable = new();
    private DateTimeOffset _startedAt;
    private readonly Dictionary<string, PendingStart> _starts = new();
    private readonly Dictionary<string, PendingStop> _stops = new();
    private readonly Dictionary<VmId, Drain> _drains = new();
    private readonly Dictionary<HostId, IReadOnlyList<BondHealthSummary>> _bondHealth = new();
    private readonly LinkedList<ScaleEvent> _events = new();
    private ScaleEvent? _lastDecision;
    private string? _lastHoldRule;
    private DateTimeOffset? _lastScaleOutAt;
    private DateTimeOffset? _lastScaleInAt;
    private long _commandSeq;
    private long _backendsVersion;
    private IReadOnlyList<Backend> _publishedBackends = [];
    private bool _keepingUnreachable;

    public ScaleSupervisor(SupervisorSettings settings, IActorRef? mediator = null)
    {
        _settings = settings;
        _mediator = mediator ?? DistributedPubSub.Get(Context.System).Mediator;

        Receive<RegisterAgent>(OnRegister);
        Receive<Terminated>(OnAgentLost);
        Receive<HostReport>(OnReport);
        Receive<Tick>(_ => OnTick());
        Receive<StartVmResult>(OnStartResult);
        Receive<StopVmResult>(OnStopResult);
        Receive<CommandTimedOut>(OnCommandTimedOut);
        Receive<DrainProgress>(OnDrainProgress);
        Receive<BondProtocol.HostBondReport>(OnBondReport);
        Receive<OperatorProtocol.StartVmNow>(OnOperatorStart);
        Receive<OperatorProtocol.StopVmNow>(OnOperatorStop);
        Receive<OperatorProtocol.SetAutoscale>(OnSetAutoscale);
        Receive<OperatorProtocol.SetPolicy>(OnSetPolicy);
        Receive<GetSupervisorStatus>(_ => Sender.Tell(Status()));
        Receive<ClusterEvent.UnreachableMember>(e => OnReachability(e.Member.Address, reachable: false));
        Receive<ClusterEvent.ReachableMember>(e => OnReachability(e.Member.Address, reachable: true));
        Receive<ClusterEvent.MemberRemoved>(e => _unreachable.Remove(e.Member.Address));
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(SupervisorSettings settings, IActorRef? mediator = null) =>
        Akka.Actor.Props.Create(() => new ScaleSupervisor(settings, mediator));

    private DateTimeOffset Now => Context.System.Scheduler.Now;

    protected override void PreStart()
    {
        _startedAt = Now;
        Timers.StartPeriodicTimer("tick", Tick.Instance, _settings.Policy.TickInterval);
        // A crashed agent's node is unreachable within seconds, but downed (and so Terminated) only after the split-brain
        // resolver's stable-after: its VMs leave the rotation at the first, not the second.
        if (IsClustered)
        {
            Akka.Cluster.Cluster.Get(Context.System).Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents,
                typeof(ClusterEvent.UnreachableMember), typeof(ClusterEvent.ReachableMember), typeof(ClusterEvent.MemberRemoved));
        }
    }

    protected override void PostStop()
    {
        if (IsClustered) Akka.Cluster.Cluster.Get(Context.System).Unsubscribe(Self);
    }

    private bool IsClustered => Context.System is ExtendedActorSystem { Provider: IClusterActorRefProvider };

    private bool IsReachable(Agent agent) => !_unreachable.Contains(agent.Ref.Path.Address);

    private void OnReachability(Address address, bool reachable)
    {
        if (!(reachable ? _unreachable.Remove(address) : _unreachable.Add(address))) return;
        foreach (var (host, _) in _agents.Where(a => a.Value.Ref.Path.Address.Equals(address)))
        {
            if (reachable)
                Record("host-reachable", "membership/agent-reachable", $"Agent of host {host} is reachable again; its VMs rejoin the rotation.", host);
            else
                Record("host-unreachable", "membership/agent-unreachable", $"Agent of host {host} is unreachable ({address}); its VMs left the rotation until it is back or removed.", host);
        }

        PublishBackends();
    }

    private void OnRegister(RegisterAgent register)
    {
        var known = _agents.TryGetValue(register.Host, out var existing);
        if (!known || !existing!.Ref.Equals(Sender))
        {
            if (known) Context.Unwatch(existing!.Ref);
            Context.Watch(Sender);
            _agents[register.Host] = new Agent(Sender, existing?.Report, existing?.ReportedAt);
            _lostHosts.Remove(register.Host);
            Record("host-registered", "membership/agent-registered", $"Agent of host {register.Host} registered.", register.Host);
        }

        Sender.Tell(new AgentRegistered(register.Host));
    }

    private void OnAgentLost(Terminated terminated)
    {
        var lost = _agents.FirstOrDefault(a => a.Value.Ref.Equals(terminated.ActorRef));
        if (lost.Value is null) return;

        _agents.Remove(lost.Key);
        _lostHosts.Add(lost.Key);
        foreach (var start in _starts.Values.Where(s => s.Host == lost.Key).ToList()) _starts.Remove(start.CommandId);
        foreach (var stop in _stops.Values.Where(s => s.Host == lost.Key).ToList()) _stops.Remove(stop.CommandId);
        foreach (var drain in _drains.Values.Where(d => d.Host == lost.Key).ToList()) _drains.Remove(drain.Vm);
        Record("host-lost", "membership/agent-lost",
            $"Agent of host {lost.Key} is gone; its VMs left the rotation.", lost.Key);
        PublishBackends();
    }

    private void OnReport(HostReport report)
    {
        if (!_agents.TryGetValue(report.Host, out var agent))
        {
            // A report from an agent we do not know yet (e.g. after a seed restart): treat the sender as registering.
            Context.Watch(Sender);
            agent = new Agent(Sender, null, null);
            _lostHosts.Remove(report.Host);
            Record("host-registered", "membership/agent-reported", $"Host {report.Host} reported before registering; accepted.", report.Host);
        }

        _agents[report.Host] = agent with { Report = report, ReportedAt = Now };

        var byVm = report.Vms.ToDictionary(v => v.Vm);
        // A start is settled once the report shows its VM; a stop once the report shows the VM shut off.
        foreach (var start in _starts.Values.Where(s => s.Host == report.Host && s.Vm is { } vm
                     && byVm.TryGetValue(vm, out var seen) && seen.State != VmState.ShutOff).ToList())
            _starts.Remove(start.CommandId);
        foreach (var stop in _stops.Values.Where(s => s.Host == report.Host
                     && (!byVm.TryGetValue(s.Vm, out var seen) || seen.State is VmState.ShutOff or VmState.Failed)).ToList())
            _stops.Remove(stop.CommandId);
        foreach (var drain in _drains.Values.Where(d => d.Host == report.Host
                     && (!byVm.TryGetValue(d.Vm, out var seen) || seen.State is VmState.ShutOff or VmState.Failed)).ToList())
            _drains.Remove(drain.Vm);

        PublishBackends();
        FinishDrains();
    }

    private void OnTick()
    {
        FinishDrains();
        if (_paused)
        {
            _lastDecision = new ScaleEvent(Now, "hold", "hold/paused", "Automatic scaling is paused by the operator.");
            return;
        }

        var decision = ScalingPolicy.Decide(View(), _settings.Policy, Now);
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
                _lastScaleOutAt = Now;
                Decided("undrain", decision, undrain.Host, undrain.Vm);
                PublishBackends();
                break;
            case ScalingDecision.Warn warn:
                Decided("warn", decision);
                break;
            case ScalingDecision.NoAction:
                _lastDecision = EventOf("hold", decision);
                // Holding is the normal state: only a change of reason goes into the event log.
                if (_lastHoldRule != decision.Reason.Rule) Append(_lastDecision);
                _lastHoldRule = decision.Reason.Rule;
                break;
        }
    }

    private void SendStart(ScalingDecision.StartVm start)
    {
        if (!_agents.TryGetValue(start.Host, out var agent)) return;
        var id = NextCommandId("start");
        _starts[id] = new PendingStart(id, start.Host, Now, null);
        agent.Ref.Tell(new StartVm(start.Host, id));
        Timers.StartSingleTimer(id, new CommandTimedOut(id), _settings.StartTimeout);
        _lastScaleOutAt = Now;
        Decided("start", start, start.Host);
    }

    private void BeginDrain(ScalingDecision.StopVm stop)
    {
        _drains[stop.Vm] = new Drain(stop.Host, stop.Vm, Now + _settings.DrainDeadline, null);
        _lastScaleInAt = Now;
        Decided("drain", stop, stop.Host, stop.Vm);
        PublishBackends();
        FinishDrains();
    }

    private void OnOperatorStart(OperatorProtocol.StartVmNow command)
    {
        var view = View();
        var policy = _settings.Policy;
        var running = view.Hosts.Where(h => h.Reachable)
            .Sum(h => h.Vms.Count(v => v.State is not (VmState.ShutOff or VmState.Failed)));
        HostView? target;
        if (command.Host is { } wanted)
        {
            target = view.Hosts.FirstOrDefault(h => h.Id == wanted && h.Reachable);
            if (target is null)
            {
                Sender.Tell(new OperatorProtocol.OperatorReply(false, $"Host {wanted} has no registered agent."));
                return;
            }
        }
        else
        {
            // Where the policy would place it: healthy network first, fewest VMs, then the preferred order.
            target = view.Hosts.Where(h => h.Reachable)
                .OrderBy(h => h.NetworkDegraded)
                .ThenBy(h => h.Vms.Count(v => v.State is not (VmState.ShutOff or VmState.Failed)))
                .ThenBy(h => PreferredRank(h.Id))
                .FirstOrDefault(h => h.Vms.Count(v => v.State is not (VmState.ShutOff or VmState.Failed)) < h.MaxVms);
        }

        var onTarget = target?.Vms.Count(v => v.State is not (VmState.ShutOff or VmState.Failed)) ?? 0;
        var refusal = target is null
                ? view.Hosts.Any(h => h.Reachable) ? "Every reachable host is at its maximum." : "No host has a registered agent."
            : running >= policy.MaxTotalVms ? $"The cluster already runs {running} VMs, its maximum of {policy.MaxTotalVms}."
            : onTarget >= target.MaxVms ? $"Host {target.Id} already runs {onTarget} VMs, its maximum of {target.MaxVms}."
            : null;
        if (refusal is not null)
        {
            Sender.Tell(new OperatorProtocol.OperatorReply(false, refusal));
            return;
        }

        var reason = new DecisionReason("operator/start", $"The operator asked for a VM on {target!.Id}.", [], []);
        SendStart(new ScalingDecision.StartVm(target.Id, reason));
        Sender.Tell(new OperatorProtocol.OperatorReply(true, $"Starting a VM on host {target.Id}."));
    }

    private void OnOperatorStop(OperatorProtocol.StopVmNow command)
    {
        var host = View().Hosts.FirstOrDefault(h => h.Vms.Any(v => v.Id == command.Vm));
        var vm = host?.Vms.First(v => v.Id == command.Vm);
        if (host is null || vm is null)
        {
            Sender.Tell(new OperatorProtocol.OperatorReply(false, $"No VM named {command.Vm} is known."));
            return;
        }

        var serving = host.Vms.Count(v => v.State is VmState.InService or VmState.Booting);
        var refusal = vm.State is not (VmState.InService or VmState.Booting)
            ? $"{command.Vm} is {vm.State}; only a booting or in-service VM can be stopped."
            : serving - 1 < host.MinVms
                ? $"Stopping {command.Vm} would leave host {host.Id} with {serving - 1} VM(s), below its minimum of {host.MinVms}."
                : null;
        if (refusal is not null)
        {
            Sender.Tell(new OperatorProtocol.OperatorReply(false, refusal));
            return;
        }

        var reason = new DecisionReason("operator/stop", $"The operator asked to stop {command.Vm}.", [], []);
        BeginDrain(new ScalingDecision.StopVm(host.Id, command.Vm, reason));
        Sender.Tell(new OperatorProtocol.OperatorReply(true, $"Draining {command.Vm}; it stops when its requests finish."));
    }

    private void OnSetAutoscale(OperatorProtocol.SetAutoscale command)
    {
        _paused = command.Paused;
        Record(command.Paused ? "paused" : "resumed", "operator/autoscale",
            command.Paused ? "The operator paused automatic scaling." : "The operator resumed automatic scaling.");
        Sender.Tell(new OperatorProtocol.OperatorReply(true, command.Paused ? "Automatic scaling paused." : "Automatic scaling resumed."));
    }

    private void OnSetPolicy(OperatorProtocol.SetPolicy command)
    {
        var updated = PolicyTable.Apply(_settings, command.Key, command.Value, out var problem);
        if (updated is null)
        {
            Sender.Tell(new OperatorProtocol.OperatorReply(false, problem!));
            return;
        }

        var tickChanged = updated.Policy.TickInterval != _settings.Policy.TickInterval;
        _settings = updated;
        if (tickChanged) Timers.StartPeriodicTimer("tick", Tick.Instance, _settings.Policy.TickInterval);
        Record("policy", "operator/policy-set", $"The operator set {command.Key} = {command.Value}.");
        Sender.Tell(new OperatorProtocol.OperatorReply(true, $"{command.Key} = {command.Value}"));
    }

    private int PreferredRank(HostId host)
    {
        var index = _settings.Policy.PreferredHostOrder.IndexOf(host);
        return index < 0 ? int.MaxValue : index;
    }

    private void OnBondReport(BondProtocol.HostBondReport report)
    {
        _bondHealth[report.Host] = report.Changed.Health;
        foreach (var bondEvent in report.Changed.Events)
            Record("bond", $"bond/{bondEvent.Kind}", bondEvent.Message, report.Host);
    }

    /// <summary>A host whose bond is anything but healthy is placed after healthy hosts (see the policy).</summary>
    private bool NetworkDegraded(HostId host) =>
        _bondHealth.TryGetValue(host, out var health) && health.Any(h => h.Health != BondHealth.Healthy);

    private void OnDrainProgress(DrainProgress progress)
    {
        if (!_drains.TryGetValue(progress.Vm, out var drain)) return;
        _drains[progress.Vm] = drain with { FrontDoorInFlight = progress.InFlight };
        FinishDrains();
    }

    /// <summary>A drain ends when no request is left in flight (front door, else the probe) or its deadline passes.</summary>
    private void FinishDrains()
    {
        foreach (var drain in _drains.Values.ToList())
        {
            if (_stops.Values.Any(s => s.Vm == drain.Vm)) continue;
            var probeConnections = _agents.TryGetValue(drain.Host, out var agent)
                ? agent.Report?.Vms.FirstOrDefault(v => v.Vm == drain.Vm)?.Connections
                : null;
            var idle = drain.FrontDoorInFlight is 0 || (drain.FrontDoorInFlight is null && probeConnections is 0);
            var expired = Now >= drain.Deadline;
            if (!idle && !expired) continue;
            if (agent is null) continue;

            var id = NextCommandId("stop");
            _stops[id] = new PendingStop(id, drain.Host, drain.Vm, Now);
            agent.Ref.Tell(new StopVm(drain.Host, drain.Vm, id));
            Timers.StartSingleTimer(id, new CommandTimedOut(id), _settings.StopTimeout);
            var why = idle ? "no request left in flight" : $"the drain deadline of {_settings.DrainDeadline.TotalSeconds:0} s passed";
            Record("stop", idle ? "drain/complete" : "drain/deadline", $"Stopping {drain.Vm} on {drain.Host}: {why}.", drain.Host, drain.Vm);
        }
    }

    private void OnStartResult(StartVmResult result)
    {
        if (!_starts.TryGetValue(result.CommandId, out var pending)) return;
        Timers.Cancel(result.CommandId);
        if (result.Succeeded)
        {
            _starts[result.CommandId] = pending with { Vm = result.Vm };
            Timers.StartSingleTimer(result.CommandId, new CommandTimedOut(result.CommandId), _settings.StartTimeout);
            Record("started", "command/start-accepted", $"Host {result.Host} is booting {result.Vm}.", result.Host, result.Vm);
        }
        else
        {
            _starts.Remove(result.CommandId);
            Record("command-failed", "command/start-failed", $"Host {result.Host} could not start a VM: {result.Error}", result.Host);
        }
    }

    private void OnStopResult(StopVmResult result)
    {
        if (!_stops.TryGetValue(result.CommandId, out _)) return;
        Timers.Cancel(result.CommandId);
        if (result.Succeeded)
        {
            Record("stopped", "command/stop-done", $"Host {result.Host} stopped {result.Vm}.", result.Host, result.Vm);
            _stops.Remove(result.CommandId);
            _drains.Remove(result.Vm);
        }
        else
        {
            _stops.Remove(result.CommandId);
            Record("command-failed", "command/stop-failed", $"Host {result.Host} could not stop {result.Vm}: {result.Error}", result.Host, result.Vm);
        }
    }

    private void OnCommandTimedOut(CommandTimedOut timeout)
    {
        if (_starts.Remove(timeout.CommandId, out var start))
            Record("command-failed", "command/start-timeout",
                $"Start on {start.Host} ({start.Vm?.ToString() ?? "no VM yet"}) did not settle within {_settings.StartTimeout.TotalSeconds:0} s.", start.Host, start.Vm);
        else if (_stops.Remove(timeout.CommandId, out var stop))
            Record("command-failed", "command/stop-timeout",
                $"Stop of {stop.Vm} on {stop.Host} did not settle within {_settings.StopTimeout.TotalSeconds:0} s.", stop.Host, stop.Vm);
    }

    /// <summary>The policy's view: reports, overlaid with what only the supervisor knows (drains, commands in flight).</summary>
    private ClusterView View()
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
                vms.Add(new VmView(vm.Vm, state, vm.Connections, vm.InServiceSince));
            }

            // A start in flight whose VM is not yet in a report counts as booting, so a slow boot never causes a second start.
            foreach (var start in _starts.Values.Where(s => s.Host == hostId))
            {
                var shown = start.Vm is { } vm && vms.Any(v => v.Id == vm && v.State != VmState.ShutOff);
                if (!shown) vms.Add(new VmView(start.Vm ?? new VmId($"pending-{start.CommandId}"), VmState.Booting, null));
            }

            hosts.Add(new HostView(hostId, IsReachable(agent), agent.ReportedAt, vms.ToImmutable(),
                agent.Report?.MinVms ?? _settings.Policy.DefaultHostMinVms,
                agent.Report?.MaxVms ?? _settings.Policy.DefaultHostMaxVms,
                NetworkDegraded(hostId)));
        }

        foreach (var lost in _lostHosts.Order())
            hosts.Add(new HostView(lost, false, null, [], _settings.Policy.DefaultHostMinVms, _settings.Policy.DefaultHostMaxVms));

        return new ClusterView(hosts.ToImmutable(), _lastScaleOutAt, _lastScaleInAt, _startedAt);
    }

    private void PublishBackends()
    {
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
                Record("rotation-kept", "membership/all-agents-unreachable",
                    $"No reachable agent has a VM; {backends.Count} VM(s) of unreachable agents stay in the rotation, judged by the front door's health checks.");
        }

        _keepingUnreachable = keeping;

        if (backends.SequenceEqual(_publishedBackends)) return;

        _publishedBackends = backends;
        _mediator.Tell(new Publish(Topics.Backends, new BackendsChanged(++_backendsVersion, backends)));
    }

    private List<Backend> BackendsOf(IEnumerable<KeyValuePair<HostId, Agent>> agents) => agents
        .SelectMany(a => (a.Value.Report?.Vms ?? []).Select(vm => (Host: a.Key, Vm: vm)))
        .Where(x => x.Vm.Endpoint is not null && x.Vm.State is VmState.InService or VmState.Booting
                    && !_drains.ContainsKey(x.Vm.Vm) && !_stops.Values.Any(s => s.Vm == x.Vm.Vm))
        .Select(x => new Backend(x.Vm.Vm, x.Host, x.Vm.Endpoint!))
        .OrderBy(b => b.Vm.Value, StringComparer.Ordinal)
        .ToList();

    private SupervisorStatus Status()
    {
        var view = View();
        var policy = _settings.Policy;
        var hosts = view.Hosts.Select(h => new HostStatus(
            h.Id.Value, h.Reachable, h.LastReportAt, h.MinVms, h.MaxVms, h.NetworkDegraded,
            h.Vms.Select(v => new VmStatus(v.Id.Value, v.State.ToString(), v.Connections,
                v.Connections is { } c ? Math.Round((double)c / policy.SMax, 4) : null,
                EndpointOf(h.Id, v.Id))).ToList())).ToList();
        return new SupervisorStatus(hosts, new PolicyStatus(
                policy.SMax, policy.TUpper, policy.TLower, policy.MinTotalVms, policy.MaxTotalVms,
                policy.DefaultHostMinVms, policy.DefaultHostMaxVms,
                policy.PreferredHostOrder.Select(h => h.Value).ToList(),
                policy.TickInterval.TotalSeconds, policy.ScaleOutCooldown.TotalSeconds,
                policy.ScaleInCooldown.TotalSeconds, policy.ReportStaleAfter.TotalSeconds, policy.AgentRejoinGrace.TotalSeconds,
                _settings.DrainDeadline.TotalSeconds, _paused, PolicyTable.Show(_settings)),
            _lastDecision, _events.Reverse().ToList());
    }

    private string? EndpointOf(HostId host, VmId vm) =>
        _agents.TryGetValue(host, out var agent) ? agent.Report?.Vms.FirstOrDefault(v => v.Vm == vm)?.Endpoint : null;

    private string NextCommandId(string kind) => $"{kind}-{++_commandSeq}";

    private void Decided(string kind, ScalingDecision decision, HostId? host = null, VmId? vm = null)
    {
        _lastHoldRule = null;
        _lastDecision = EventOf(kind, decision, host, vm);
        Append(_lastDecision);
    }

    private ScaleEvent EventOf(string kind, ScalingDecision decision, HostId? host = null, VmId? vm = null) =>
        new(Now, kind, decision.Reason.Rule, decision.Reason.Sentence, host, vm);

    private void Record(string kind, string rule, string reason, HostId? host = null, VmId? vm = null) =>
        Append(new ScaleEvent(Now, kind, rule, reason, host, vm));

    private void Append(ScaleEvent scaleEvent)
    {
        _log.Info("{0} [{1}] {2}", scaleEvent.Kind, scaleEvent.Rule, scaleEvent.Reason);
        _events.AddLast(scaleEvent);
        while (_events.Count > _settings.EventLogSize) _events.RemoveFirst();
        _mediator.Tell(new Publish(Topics.ScaleEvents, scaleEvent));
    }
}
