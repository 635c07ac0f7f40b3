using Akka.Actor;
using Akka.Cluster;
using Akka.Event;

namespace Luban.Actors.Cluster;

/// <summary>
/// Runs on agents. When the seed leaves the cluster (it crashed and was downed, or it restarted), this node's
/// membership is useless: a restarted seed forms a new cluster that an existing member cannot join. So the watcher
/// shuts the actor system down and the hosting process starts a fresh one that joins the seed again.
/// </summary>
public sealed class SeedWatcher : ReceiveActor
{
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private bool _seedSeen;

    public SeedWatcher()
    {
        Receive<ClusterEvent.CurrentClusterState>(state =>
        {
            _seedSeen |= state.Members.Any(m => m.HasRole(ClusterRoles.Seed) && m.Status == MemberStatus.Up);
        });
        Receive<ClusterEvent.MemberUp>(up => { _seedSeen |= up.Member.HasRole(ClusterRoles.Seed); });
        Receive<ClusterEvent.MemberRemoved>(OnRemoved);
    }

    public static Props Props() => Akka.Actor.Props.Create(() => new SeedWatcher());

    protected override void PreStart() =>
        Akka.Cluster.Cluster.Get(Context.System).Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsSnapshot,
            typeof(ClusterEvent.MemberUp), typeof(ClusterEvent.MemberRemoved));

    protected override void PostStop() => Akka.Cluster.Cluster.Get(Context.System).Unsubscribe(Self);

    private void OnRemoved(ClusterEvent.MemberRemoved removed)
    {
        if (!_seedSeen || !removed.Member.HasRole(ClusterRoles.Seed)) return;
        var remainingSeeds = Akka.Cluster.Cluster.Get(Context.System).State.Members
            .Count(m => m.HasRole(ClusterRoles.Seed) && m.Status == MemberStatus.Up);
        if (remainingSeeds > 0) return;

        _log.Warning("Seed {0} left the cluster; restarting this node's membership to rejoin the seed", removed.Member.Address);
        CoordinatedShutdown.Get(Context.System).Run(SeedLostReason.Instance);
    }

    /// <summary>Why the actor system stopped: the hosting loop restarts it instead of exiting.</summary>
    public sealed class SeedLostReason : CoordinatedShutdown.Reason
    {
        public static readonly SeedLostReason Instance = new();

        private SeedLostReason()
        {
        }

        public override int ExitCode => 0;
    }
}
