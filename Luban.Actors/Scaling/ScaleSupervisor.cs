using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Event;
using Luban.Protocol;
using Luban.Protocol.Bonding;
using Luban.Protocol.Operator;
using Luban.Protocol.Security;
using static Luban.Protocol.Hypervisor.HypervisorProtocol;
using static Luban.Protocol.Scaling.ScalingProtocol;

namespace Luban.Actors.Scaling;

/// <summary>
/// The single writer of scaling decisions (a cluster singleton on role <c>seed</c>): the messaging around a
/// <see cref="SupervisorLedger"/>. It feeds the ledger agents' reports, command results, the front door's drain
/// progress, membership changes and the tick, and carries out what the ledger asks: commands to agents, timeouts,
/// DeathWatch, the backends for the front door and the events for the log.
/// </summary>
public sealed class ScaleSupervisor : ReceiveActor, IWithTimers
{
    private const string TickTimer = "tick";

    /// <summary>
    /// A supervisor that has just started (the cluster's first, or one taking over from a lost front-end host) decides
    /// once this soon, when the agents' first reports (every second) are in, rather than a whole tick interval later;
    /// until then it publishes no rotation (the front doors keep theirs).
    /// </summary>
    public static readonly TimeSpan FirstTickAfter = TimeSpan.FromSeconds(2);

    private sealed class Tick
    {
        public static readonly Tick Instance = new();
    }

    private sealed record CommandTimedOut(string CommandId);

    private readonly SupervisorSettings _initialSettings;
    private readonly HostId? _host;
    private readonly IActorRef _mediator;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<HostId, IActorRef> _agents = new();
    private readonly Dictionary<HostId, IActorRef> _frontDoors = new();
    private SupervisorLedger _ledger = null!;

    public ScaleSupervisor(SupervisorSettings settings, IActorRef? mediator = null, HostId? host = null)
    {
        _initialSettings = settings;
        _host = host;
        _mediator = mediator ?? DistributedPubSub.Get(Context.System).Mediator;

        Receive<RegisterAgent>(Authorized, register =>
        {
            Carry(_ledger.OnRegister(register.Host, IdentityOf(Sender), AddressOf(Sender), Now));
            Sender.Tell(new AgentRegistered(register.Host));
        });
        Receive<Terminated>(terminated => Carry(_ledger.OnAgentLost(IdentityOf(terminated.ActorRef), Now)));
        Receive<HostReport>(Authorized, report => Carry(_ledger.OnReport(report, IdentityOf(Sender), AddressOf(Sender), Now)));
        Receive<Tick>(_ => Carry(_ledger.OnTick(Now)));
        Receive<StartVmResult>(Authorized, result => Carry(_ledger.OnStartResult(result, Now)));
        Receive<StopVmResult>(Authorized, result => Carry(_ledger.OnStopResult(result, Now)));
        Receive<CommandTimedOut>(timeout => Carry(_ledger.OnCommandTimedOut(timeout.CommandId, Now)));
        Receive<DrainProgress>(Authorized, progress => Carry(_ledger.OnDrainProgress(progress, Now)));
        Receive<FrontDoorReport>(Authorized, report =>
        {
            _frontDoors[report.FrontDoor] = Sender;
            Carry(_ledger.OnFrontDoorReport(report, Now));
        });
        Receive<BondProtocol.HostBondReport>(Authorized, report => Carry(_ledger.OnBondReport(report, Now)));
        Receive<SecurityNotice>(Authorized, notice => Carry(_ledger.OnRefused(notice.What, notice.Why, Now)));
        Receive<OperatorProtocol.StartVmNow>(Authorized, command => Answer(_ledger.OnOperatorStart(command, Now)));
        Receive<OperatorProtocol.StopVmNow>(Authorized, command => Answer(_ledger.OnOperatorStop(command, Now)));
        Receive<OperatorProtocol.SetAutoscale>(Authorized, command => Answer(_ledger.OnSetAutoscale(command, Now)));
        Receive<OperatorProtocol.SetPolicy>(Authorized, command => Answer(_ledger.OnSetPolicy(command, Now)));
        Receive<GetSupervisorStatus>(_ => Sender.Tell(_ledger.Status()));
        Receive<ClusterEvent.UnreachableMember>(e => Carry(_ledger.OnReachability(e.Member.Address.ToString(), reachable: false, Now)));
        Receive<ClusterEvent.ReachableMember>(e => Carry(_ledger.OnReachability(e.Member.Address.ToString(), reachable: true, Now)));
        Receive<ClusterEvent.MemberRemoved>(e => _ledger.OnMemberRemoved(e.Member.Address.ToString()));
        // What an unauthorised signer sent: dropped, and the event log says who tried what.
        Receive<ILubanWireMessage>(message => Carry(_ledger.OnRefused(
            $"{message.GetType().Name} from {MessageSigners.Of(message)?.Subject ?? "this process"}",
            WireAuthority.Refusal(message, MessageSigners.Of(message)) ?? "not a message for the supervisor", Now)));
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(SupervisorSettings settings, IActorRef? mediator = null, HostId? host = null) =>
        Akka.Actor.Props.Create(() => new ScaleSupervisor(settings, mediator, host));

    private DateTimeOffset Now => Context.System.Scheduler.Now;

    protected override void PreStart()
    {
        _ledger = new SupervisorLedger(_initialSettings, Now, _host, quietStart: FirstTickAfter);
        Timers.StartPeriodicTimer(TickTimer, Tick.Instance, _initialSettings.Policy.TickInterval);
        if (_initialSettings.Policy.TickInterval > FirstTickAfter)
            Timers.StartSingleTimer("first-tick", Tick.Instance, FirstTickAfter);
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

    /// <summary>The signer of a message from another process may say it (see <see cref="WireAuthority"/>).</summary>
    private static bool Authorized(object message) => WireAuthority.Refusal(message, MessageSigners.Of(message)) is null;

    private static string IdentityOf(IActorRef agent) => agent.Path.ToStringWithUid();

    private static string AddressOf(IActorRef agent) => agent.Path.Address.ToString();

    private void Answer((OperatorProtocol.OperatorReply Reply, IReadOnlyList<SupervisorEffect> Effects) outcome)
    {
        Carry(outcome.Effects);
        Sender.Tell(outcome.Reply);
    }

    private void Carry(IReadOnlyList<SupervisorEffect> effects)
    {
        foreach (var effect in effects)
        {
            switch (effect)
            {
                case SupervisorEffect.WatchAgent(var host):
                    if (_agents.Remove(host, out var previous)) Context.Unwatch(previous);
                    Context.Watch(Sender);
                    _agents[host] = Sender;
                    break;
                case SupervisorEffect.SendStart(var host, var command):
                    if (_agents.TryGetValue(host, out var starter)) starter.Tell(command);
                    break;
                case SupervisorEffect.SendStop(var host, var command):
                    if (_agents.TryGetValue(host, out var stopper)) stopper.Tell(command);
                    break;
                case SupervisorEffect.StartTimeout(var id, var after):
                    Timers.StartSingleTimer(id, new CommandTimedOut(id), after);
                    break;
                case SupervisorEffect.CancelTimeout(var id):
                    Timers.Cancel(id);
                    break;
                case SupervisorEffect.PublishBackends(var backends):
                    _mediator.Tell(new Publish(Topics.Backends, backends));
                    break;
                case SupervisorEffect.SendRotation(var frontDoor, var rotation):
                    if (_frontDoors.TryGetValue(frontDoor, out var door)) door.Tell(rotation);
                    break;
                case SupervisorEffect.Recorded(var scaleEvent):
                    _log.Info("{0} [{1}] {2}", scaleEvent.Kind, scaleEvent.Rule, scaleEvent.Reason);
                    _mediator.Tell(new Publish(Topics.ScaleEvents, scaleEvent));
                    break;
                case SupervisorEffect.RestartTick(var interval):
                    Timers.StartPeriodicTimer(TickTimer, Tick.Instance, interval);
                    break;
            }
        }
    }
}
