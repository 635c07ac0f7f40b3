using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using Luban.Protocol.Security;
using static Luban.Protocol.Scaling.ScalingProtocol;

namespace Luban.Seed.Dashboard;

/// <summary>Registry key of this seed's <see cref="HistorySampler"/>.</summary>
public sealed class HistorySamplerKey;

/// <summary>
/// Keeps this seed's <see cref="DashboardHistory"/>: asks the supervisor (through its singleton proxy) for its status
/// once a sample interval, and hears every scale event on <see cref="Topics.ScaleEvents"/>. Every seed runs one, so the
/// seed that survives a failover already has the recent past. Answers <see cref="GetHistory"/>.
/// </summary>
public sealed class HistorySampler : ReceiveActor, IWithTimers
{
    /// <summary>A question not answered for this long is a gap in the chart (the supervisor moves or is busy); a new
    /// question is asked then. Slower answers are still samples, taken when they come.</summary>
    public static readonly TimeSpan GapAfter = TimeSpan.FromSeconds(3);

    /// <summary>Asks for the <see cref="HistoryDocument"/> of the window until now. Local: never crosses the wire.</summary>
    public sealed class GetHistory : INoSerializationVerificationNeeded
    {
        public static readonly GetHistory Instance = new();
    }

    private sealed class Sample
    {
        public static readonly Sample Instance = new();
    }

    private readonly DashboardHistory _history;
    private readonly IActorRef _supervisor;
    private readonly IActorRef _mediator;
    private readonly TimeSpan _interval;
    private DateTimeOffset? _askedAt;

    public HistorySampler(DashboardSettings settings, IActorRef supervisor, IActorRef? mediator)
    {
        _history = new DashboardHistory(settings);
        _supervisor = supervisor;
        _interval = settings.SampleInterval;
        _mediator = mediator ?? DistributedPubSub.Get(Context.System).Mediator;

        Receive<Sample>(_ => OnSample());
        // Status and events come only from the supervisor (a seed): a rogue member cannot write the chart's past.
        Receive<SupervisorStatus>(FromASeed, status =>
        {
            _askedAt = null;
            _history.Record(Now, HistorySample.Of(status));
        });
        Receive<ScaleEvent>(FromASeed, scaleEvent => _history.Record(scaleEvent));
        Receive<GetHistory>(_ => Sender.Tell(_history.Document(Now)));
        Receive<SubscribeAck>(_ => { });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    /// <param name="mediator">The pub-sub mediator (tests give a probe); the cluster's by default.</param>
    public static Props Props(DashboardSettings settings, IActorRef supervisor, IActorRef? mediator = null) =>
        Akka.Actor.Props.Create(() => new HistorySampler(settings, supervisor, mediator));

    private DateTimeOffset Now => Context.System.Scheduler.Now;

    private static bool FromASeed(object message) => WireAuthority.Refusal(message, MessageSigners.Of(message)) is null;

    protected override void PreStart()
    {
        Timers.StartPeriodicTimer("sample", Sample.Instance, TimeSpan.Zero, _interval);
        _mediator.Tell(new Subscribe(Topics.ScaleEvents, Self));
    }

    private void OnSample()
    {
        if (_askedAt is { } asked)
        {
            // Still waiting: one question at a time, unless it has gone unanswered so long that the chart shows a gap.
            if (Now - asked < GapAfter) return;
            _history.Record(Now, HistorySample.Gap);
        }

        _askedAt = Now;
        _supervisor.Tell(GetSupervisorStatus.Instance);
    }
}
