using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Event;
using Luban.Protocol.Security;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Model;
using static Luban.Protocol.Scaling.ScalingProtocol;

namespace Luban.Seed.FrontDoor;

/// <summary>
/// Keeps YARP's configuration equal to the supervisor's backends: each <see cref="BackendsChanged"/> replaces it
/// atomically. A VM that leaves the rotation is draining: its requests in flight go to the supervisor until they reach 0.
/// </summary>
public sealed class FrontDoorMembership : ReceiveActor, IWithTimers
{
    private sealed class ReportDrains
    {
        public static readonly ReportDrains Instance = new();
    }

    private sealed class ReportAlive
    {
        public static readonly ReportAlive Instance = new();
    }

    /// <summary>Probe the VMs that joined the rotation as soon as YARP has applied it (look again shortly if not yet).</summary>
    private sealed record ProbeJoined(int Attempt);

    /// <summary>How often, and how many times, the front door looks whether YARP has applied a rotation with new VMs.</summary>
    private static readonly TimeSpan ProbeJoinedEvery = TimeSpan.FromMilliseconds(20);

    private const int ProbeJoinedAttempts = 100;

    private sealed class JudgeStanding
    {
        public static readonly JudgeStanding Instance = new();
    }

    /// <summary>How often the front door re-reads its standing in the cluster (keepalived checks it every second).</summary>
    public static readonly TimeSpan StandingInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>How often the front door tells the supervisor it is alive (drains wait for every live front door).</summary>
    public static readonly TimeSpan AliveInterval = TimeSpan.FromSeconds(1);

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly InMemoryConfigProvider _yarp;
    private readonly InFlightRequests _inFlight;
    private readonly IProxyStateLookup _live;
    private readonly FrontDoorSettings _settings;
    private readonly IActorRef _supervisor;
    private readonly FrontDoorStanding _standing;
    private readonly HashSet<string> _leaving = new(StringComparer.Ordinal);
    private readonly Func<IEnumerable<ClusterState>, Task>? _probe;

    /// <summary>VMs that joined the rotation and have not been probed at once yet (several rotations may come in a row).</summary>
    private readonly HashSet<string> _joined = new(StringComparer.Ordinal);
    private IReadOnlyList<Backend> _backends = [];
    private bool _hasRotation;

    /// <param name="probe">Runs the active health check of a cluster now (YARP's
    /// <c>IActiveHealthCheckMonitor.CheckHealthAsync</c>): a VM that joins the rotation takes traffic once a probe found
    /// it healthy, and without this the first probe waits for the next health-check interval.</param>
    public FrontDoorMembership(InMemoryConfigProvider yarp, IProxyStateLookup live, InFlightRequests inFlight,
        FrontDoorSettings settings, IActorRef supervisor, FrontDoorStanding standing,
        Func<IEnumerable<ClusterState>, Task>? probe = null)
    {
        _probe = probe;
        _standing = standing;
        _yarp = yarp;
        _live = live;
        _inFlight = inFlight;
        _settings = settings;
        _supervisor = supervisor;

        Receive<SubscribeAck>(_ => { });
        // Membership comes only from the supervisor (a seed); a rogue member cannot put its own "VMs" in the rotation.
        Receive<BackendsChanged>(changed => WireAuthority.Refusal(changed, MessageSigners.Of(changed)) is null, OnBackendsChanged);
        Receive<BackendsChanged>(changed => _log.Warning("Front door: refused a membership change: {0}",
            WireAuthority.Refusal(changed, MessageSigners.Of(changed))));
        Receive<ReportDrains>(_ => OnReportDrains());
        Receive<ReportAlive>(_ => _supervisor.Tell(new FrontDoorReport(_settings.Host, VirtualAddress.HeldHere(_settings.VirtualAddress))));
        Receive<JudgeStanding>(_ => OnJudgeStanding());
        Receive<ProbeJoined>(OnProbeJoined);
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(InMemoryConfigProvider yarp, IProxyStateLookup live, InFlightRequests inFlight,
        FrontDoorSettings settings, IActorRef supervisor, FrontDoorStanding standing,
        Func<IEnumerable<ClusterState>, Task>? probe = null) =>
        Akka.Actor.Props.Create(() => new FrontDoorMembership(yarp, live, inFlight, settings, supervisor, standing, probe));

    /// <summary>Whether YARP's live configuration (applied asynchronously after an update) still routes to a VM.</summary>
    public static bool StillRouted(IProxyStateLookup live, string vm) =>
        live.TryGetCluster(FrontDoorConfig.ClusterId, out var cluster) && cluster.Destinations.ContainsKey(vm);

    protected override void PreStart()
    {
        DistributedPubSub.Get(Context.System).Mediator.Tell(new Subscribe(Topics.Backends, Self));
        Apply([]);
        Timers.StartPeriodicTimer("drains", ReportDrains.Instance, _settings.DrainReportInterval);
        Self.Tell(ReportAlive.Instance);
        Timers.StartPeriodicTimer("alive", ReportAlive.Instance, AliveInterval);
        Timers.StartPeriodicTimer("standing", JudgeStanding.Instance, StandingInterval);
    }

    private void OnJudgeStanding()
    {
        var cluster = Akka.Cluster.Cluster.Get(Context.System);
        var state = cluster.State;
        var members = state.Members.Count(m => m.Status is Akka.Cluster.MemberStatus.Up or Akka.Cluster.MemberStatus.WeaklyUp);
        var unreachable = state.Unreachable.Count(m => m.Status is Akka.Cluster.MemberStatus.Up or Akka.Cluster.MemberStatus.WeaklyUp);
        if (!_standing.Update(cluster.SelfMember.Status == Akka.Cluster.MemberStatus.Up, members, unreachable, _hasRotation)) return;
        if (_standing.NotServing is { } why)
            _log.Warning("Front door stops standing for the public address: {0}", why);
        else
            _log.Info("Front door stands for the public address ({0} cluster members reached)", members - unreachable);
    }

    private void OnBackendsChanged(BackendsChanged changed)
    {
        // One publisher: pub-sub keeps its order, so the latest message is the truth (a rotation sent to this front door
        // alone, when it appeared, is the same list as the last one published).
        _hasRotation = true;
        var now = changed.Backends.Select(b => b.Vm.Value).ToHashSet(StringComparer.Ordinal);
        _joined.UnionWith(now.Except(_backends.Select(b => b.Vm.Value), StringComparer.Ordinal));
        _joined.IntersectWith(now);
        foreach (var gone in _backends.Where(b => !now.Contains(b.Vm.Value))) _leaving.Add(gone.Vm.Value);
        _leaving.ExceptWith(now);
        _backends = changed.Backends;
        Apply(changed.Backends);
        _log.Info("Front door rotation v{0}: [{1}]; draining: [{2}]", changed.Version,
            string.Join(", ", changed.Backends.Select(b => $"{b.Vm}={b.Endpoint}")), string.Join(", ", _leaving));
        OnReportDrains();
        if (_joined.Count > 0 && _probe is not null)
            Timers.StartSingleTimer("probe-joined", new ProbeJoined(0), ProbeJoinedEvery);
    }

    private void OnProbeJoined(ProbeJoined probe)
    {
        if (_joined.Count == 0 || !_live.TryGetCluster(FrontDoorConfig.ClusterId, out var cluster)) return;
        if (!_joined.All(cluster.Destinations.ContainsKey))
        {
            if (probe.Attempt < ProbeJoinedAttempts)
                Timers.StartSingleTimer("probe-joined", probe with { Attempt = probe.Attempt + 1 }, ProbeJoinedEvery);
            return;
        }

        // Fire and forget: the health updater records the outcome; a failed probe is the next interval's business.
        var log = _log;
        var vms = string.Join(", ", _joined.Order(StringComparer.Ordinal));
        _joined.Clear();
        _probe!([cluster]).ContinueWith(t => log.Warning("Front door: probing {0} at once failed: {1}",
            vms, t.Exception?.GetBaseException().Message), TaskContinuationOptions.OnlyOnFaulted);
    }

    private void Apply(IReadOnlyList<Backend> backends)
    {
        var (routes, clusters) = FrontDoorConfig.Build(backends, _settings);
        _yarp.Update(routes, clusters);
    }

    private void OnReportDrains()
    {
        foreach (var vm in _leaving.ToList())
        {
            // Until YARP has applied the new configuration, new requests may still reach the VM: not drained yet.
            if (StillRouted(_live, vm)) continue;
            var inFlight = _inFlight.Of(vm);
            _supervisor.Tell(new DrainProgress(new Luban.Protocol.VmId(vm), inFlight, _settings.Host));
            if (inFlight == 0) _leaving.Remove(vm);
        }
    }
}
