using Akka.Actor;
using Akka.Cluster;
using Akka.Event;
using Luban.Protocol.Security;
using static Luban.Protocol.Cluster.MembershipProtocol;
using static Luban.Protocol.Scaling.ScalingProtocol;

namespace Luban.Actors.Cluster;

/// <summary>How long a member has to identify itself (<c>luban.cluster.identify-within</c>).</summary>
public static class MembershipGuardSettings
{
    public const string IdentifyWithinKey = "luban.cluster.identify-within";
    public static readonly TimeSpan DefaultIdentifyWithin = TimeSpan.FromSeconds(15);
}

/// <summary>
/// On every seed: a member's cluster roles must be the ones its certificate gives (a B agent certificate cannot take
/// the seed role and so host the supervisor). Every member that comes Up must identify itself, signed, within
/// <c>luban.cluster.identify-within</c>; one that does not, or whose certificate does not give its roles, is downed,
/// and the supervisor's event log names it.
/// </summary>
public sealed class MembershipGuard : ReceiveActor, IWithTimers
{
    private sealed class Check
    {
        public static readonly Check Instance = new();
    }

    private readonly TimeSpan _within;
    private readonly IActorRef _supervisor;
    private readonly Akka.Cluster.Cluster _cluster = Akka.Cluster.Cluster.Get(Context.System);
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<Address, DateTimeOffset> _unidentified = new();
    private readonly HashSet<Address> _identified = new();

    public MembershipGuard(TimeSpan within, IActorRef supervisor)
    {
        _within = within;
        _supervisor = supervisor;
        Receive<ClusterEvent.MemberUp>(up =>
        {
            if (up.Member.Address != _cluster.SelfAddress && !_identified.Contains(up.Member.Address))
                _unidentified.TryAdd(up.Member.Address, Now + _within);
        });
        Receive<ClusterEvent.MemberRemoved>(removed =>
        {
            _unidentified.Remove(removed.Member.Address);
            _identified.Remove(removed.Member.Address);
        });
        Receive<MemberIdentity>(OnIdentity);
        Receive<Check>(_ =>
        {
            foreach (var (address, deadline) in _unidentified.Where(u => Now > u.Value).ToList())
                Refuse(address, $"it did not identify itself with a certificate within {_within.TotalSeconds:0} s");
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(TimeSpan within, IActorRef supervisor) =>
        Akka.Actor.Props.Create(() => new MembershipGuard(within, supervisor));

    private DateTimeOffset Now => Context.System.Scheduler.Now;

    protected override void PreStart()
    {
        _cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents,
            typeof(ClusterEvent.MemberUp), typeof(ClusterEvent.MemberRemoved));
        Timers.StartPeriodicTimer("check", Check.Instance, TimeSpan.FromSeconds(1));
    }

    protected override void PostStop() => _cluster.Unsubscribe(Self);

    private void OnIdentity(MemberIdentity identity)
    {
        // A member vouches only for the address it speaks from; our own node needs no proof.
        var signer = MessageSigners.Of(identity);
        if (signer is null || identity.Address != Sender.Path.Address.ToString()) return;
        var member = _cluster.State.Members.FirstOrDefault(m => m.Address.ToString() == identity.Address);
        if (member is null) return;
        if (WireAuthority.MemberRefusal(member.Roles, signer) is { } why)
        {
            Refuse(member.Address, why);
            return;
        }

        _unidentified.Remove(member.Address);
        if (_identified.Add(member.Address)) _log.Info("Member {0} is {1}", member.Address, signer.Subject);
    }

    private void Refuse(Address address, string why)
    {
        _unidentified.Remove(address);
        _log.Warning("Downing member {0}: {1}", address, why);
        _supervisor.Tell(new SecurityNotice($"member {address}", $"{why}; downed"));
        _cluster.Down(address);
    }
}

/// <summary>
/// On every node: once this node is Up, and whenever a seed comes Up, it identifies itself to every seed's
/// <see cref="MembershipGuard"/> (the message is signed with this node's certificate, which is the proof); and again
/// every <see cref="Repeat"/> while it is Up, so that no ordering of membership events (a seed seen Up before this node
/// sees itself Up) or lost message leaves a guard waiting until it downs this node. A guard takes a repeat as a no-op.
/// </summary>
public sealed class MemberIdentifier : ReceiveActor, IWithTimers
{
    /// <summary>How often a node that is Up identifies itself again: well inside <c>identify-within</c> (15 s).</summary>
    public static readonly TimeSpan Repeat = TimeSpan.FromSeconds(4);

    private sealed class IdentifyAgain
    {
        public static readonly IdentifyAgain Instance = new();
    }

    private readonly Akka.Cluster.Cluster _cluster = Akka.Cluster.Cluster.Get(Context.System);

    public MemberIdentifier()
    {
        Receive<ClusterEvent.MemberUp>(up =>
        {
            if (up.Member.Address == _cluster.SelfAddress) IdentifyToSeeds();
            else if (up.Member.HasRole(ClusterRoles.Seed) && _cluster.SelfMember.Status == MemberStatus.Up)
                Identify(up.Member.Address);
        });
        Receive<IdentifyAgain>(_ =>
        {
            if (_cluster.SelfMember.Status == MemberStatus.Up) IdentifyToSeeds();
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props() => Akka.Actor.Props.Create(() => new MemberIdentifier());

    protected override void PreStart()
    {
        _cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents, typeof(ClusterEvent.MemberUp));
        Timers.StartPeriodicTimer("again", IdentifyAgain.Instance, Repeat);
    }

    protected override void PostStop() => _cluster.Unsubscribe(Self);

    private void IdentifyToSeeds()
    {
        foreach (var seed in _cluster.State.Members.Where(m => m.HasRole(ClusterRoles.Seed) && m.Status == MemberStatus.Up))
            Identify(seed.Address);
    }

    private void Identify(Address seed)
    {
        if (seed == _cluster.SelfAddress) return;
        Context.ActorSelection(new RootActorPath(seed) / "user" / "membership-guard")
            .Tell(new MemberIdentity(_cluster.SelfAddress.ToString()));
    }
}
