using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using Luban.Protocol.Security;
using static Luban.Protocol.Scaling.ScalingProtocol;

namespace Luban.Seed.Metrics;

/// <summary>
/// Feeds <see cref="ScaleEventMetrics"/> from the supervisor's two topics: its events and its rotations. Only what the
/// wire authority accepts from its signer is counted (the same rule the front door applies to a rotation).
/// </summary>
public sealed class MetricsRecorder : ReceiveActor
{
    private readonly ScaleEventMetrics _metrics;

    public MetricsRecorder(ScaleEventMetrics metrics)
    {
        _metrics = metrics;
        Receive<ScaleEvent>(e => WireAuthority.Refusal(e, MessageSigners.Of(e)) is null,
            e => _metrics.OnEvent(e, Context.System.Scheduler.Now));
        Receive<BackendsChanged>(b => WireAuthority.Refusal(b, MessageSigners.Of(b)) is null,
            b => _metrics.OnRotation(b, Context.System.Scheduler.Now));
        Receive<SubscribeAck>(_ => { });
    }

    public static Props Props(ScaleEventMetrics metrics) => Akka.Actor.Props.Create(() => new MetricsRecorder(metrics));

    protected override void PreStart()
    {
        var mediator = DistributedPubSub.Get(Context.System).Mediator;
        mediator.Tell(new Subscribe(Topics.ScaleEvents, Self));
        mediator.Tell(new Subscribe(Topics.Backends, Self));
    }
}
