using Akka.Actor;
using Luban.Protocol.Bonding;
using static Luban.Protocol.Bonding.BondProtocol;

namespace Luban.Actors.Bonding;

/// <summary>Where and how often the <see cref="BondWatcher"/> looks. Root "/" in production, a fixture tree in tests.</summary>
public sealed record BondWatcherSettings(
    string Root,
    IReadOnlyList<string> Bonds,
    IReadOnlyList<string> Interfaces,
    TimeSpan PollInterval,
    BondExpectations Expectations)
{
    public static readonly TimeSpan DefaultPollInterval = TimeSpan.FromMilliseconds(100);

    public static BondWatcherSettings For(IReadOnlyList<string> bonds, IReadOnlyList<string> interfaces, string root = "/") =>
        new(root, bonds, interfaces, DefaultPollInterval, BondExpectations.Default);
}

/// <summary>
/// Polls bond and link state, publishes <see cref="BondStatusChanged"/> on transitions and answers <see cref="GetBondStatus"/>.
/// Reads are a few small procfs/sysfs files (microseconds), so they run in the handler; give the actor its own
/// dispatcher in hosting if the root ever sits on slow storage.
/// </summary>
public sealed class BondWatcher : ReceiveActor, IWithTimers
{
    private readonly BondWatcherSettings _settings;
    private readonly IActorRef? _subscriber;
    private readonly TimeProvider _clock;
    private readonly BondStateReader _reader;
    private BondSnapshot _current = BondSnapshot.Empty;

    public BondWatcher(BondWatcherSettings settings, IActorRef? subscriber, TimeProvider clock)
    {
        _settings = settings;
        _subscriber = subscriber;
        _clock = clock;
        _reader = new BondStateReader(settings.Root, settings.Bonds, settings.Interfaces);
        Receive<Poll>(_ => HandlePoll());
        Receive<GetBondStatus>(_ => Sender.Tell(Report()));
        Receive<GetBondMetrics>(_ => Sender.Tell(new BondMetricsText(BondMetrics.Render(_current, _settings.Expectations))));
    }

    public ITimerScheduler Timers { get; set; } = null!;

    /// <param name="subscriber">Also receives every <see cref="BondStatusChanged"/> (e.g. a cluster topic forwarder); the EventStream always does.</param>
    public static Props Props(BondWatcherSettings settings, IActorRef? subscriber = null, TimeProvider? clock = null) =>
        Akka.Actor.Props.Create(() => new BondWatcher(settings, subscriber, clock ?? TimeProvider.System));

    protected override void PreStart()
    {
        // The first reading is taken at once, so status and initial warnings do not wait a period.
        HandlePoll();
        Timers.StartPeriodicTimer(PollKey, Poll.Instance, _settings.PollInterval);
    }

    private void HandlePoll()
    {
        var next = _reader.Read(_clock.GetUtcNow());
        var events = BondDiff.Compare(_current, next, _settings.Expectations);
        _current = next;
        if (events.Count == 0)
        {
            return;
        }

        var changed = new BondStatusChanged(events, Health());
        Context.System.EventStream.Publish(changed);
        _subscriber?.Tell(changed);
    }

    private BondStatusReport Report() => new(_current.TakenAt, Health(), _current.Bonds, _current.Interfaces, _current.Counters);

    private IReadOnlyList<BondHealthSummary> Health() =>
        _current.Bonds.Select(b => BondHealthRules.Evaluate(b, _settings.Expectations)).ToArray();

    private const string PollKey = "poll";

    private sealed class Poll
    {
        public static Poll Instance { get; } = new();
    }
}
