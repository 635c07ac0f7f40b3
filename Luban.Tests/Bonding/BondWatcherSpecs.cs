using System.Diagnostics;
using Akka.Actor;
using Akka.Configuration;
using Akka.TestKit;
using Luban.Actors.Bonding;
using Luban.Protocol.Bonding;
using Xunit.Abstractions;
using static Luban.Protocol.Bonding.BondProtocol;

namespace Luban.Tests.Bonding;

/// <summary>Deterministic specs: the virtual scheduler decides when a poll happens.</summary>
public sealed class BondWatcherSpecs : Akka.TestKit.Xunit2.TestKit
{
    private static readonly Config VirtualTime = ConfigurationFactory.ParseString(
        "akka.scheduler.implementation = \"Akka.TestKit.TestScheduler, Akka.TestKit\"");

    private readonly FixtureCopy _tree = new("8023ad-healthy");

    public BondWatcherSpecs(ITestOutputHelper output) : base(VirtualTime, output: output)
    {
    }

    private TestScheduler Scheduler => (TestScheduler)Sys.Scheduler;

    [Fact]
    public void BondWatcher_should_answer_the_status_read_at_start()
    {
        var watcher = Sys.ActorOf(BondWatcher.Props(_tree.Settings(), TestActor));

        watcher.Tell(GetBondStatus.Instance);

        var report = ExpectMsg<BondStatusReport>();
        Assert.Equal(BondHealth.Healthy, Assert.Single(report.Health).Health);
        Assert.Equal(2, report.Bonds.Single().Status!.Slaves.Count);
        Assert.True(report.Interfaces.All(i => i.IsUp));
    }

    [Fact]
    public void BondWatcher_should_publish_a_change_at_the_next_poll()
    {
        var watcher = Sys.ActorOf(BondWatcher.Props(_tree.Settings(), TestActor));
        watcher.Tell(GetBondStatus.Instance);
        ExpectMsg<BondStatusReport>();

        _tree.Become("8023ad-one-slave-down");
        // Nothing is read between polls: asked now, the watcher answers from the old reading and published nothing
        // before (its answer would come after a change it had sent).
        watcher.Tell(GetBondStatus.Instance);
        Assert.Equal(BondHealth.Healthy, Assert.Single(ExpectMsg<BondStatusReport>().Health).Health);
        Scheduler.Advance(BondWatcherSettings.DefaultPollInterval);

        var changed = ExpectMsg<BondStatusChanged>();
        Assert.Contains(changed.Events, e => e is { Kind: BondEventKind.SlaveDown, Slave: "enp1s0f1" });
        Assert.Equal(BondHealth.Degraded, Assert.Single(changed.Health).Health);
    }

    [Fact]
    public void BondWatcher_should_stay_quiet_while_nothing_changes()
    {
        var watcher = Sys.ActorOf(BondWatcher.Props(_tree.Settings(), TestActor));

        Scheduler.Advance(TimeSpan.FromSeconds(1));

        // Ten polls ran before this question, in the same mailbox: a change they published would arrive first.
        watcher.Tell(GetBondStatus.Instance);
        ExpectMsg<BondStatusReport>();
        Assert.False(HasMessages);
    }

    [Fact]
    public void BondWatcher_should_publish_initial_warnings_and_read_failures_to_the_event_stream()
    {
        using var garbage = new FixtureCopy("garbage");
        Sys.EventStream.Subscribe(TestActor, typeof(BondStatusChanged));

        Sys.ActorOf(BondWatcher.Props(garbage.Settings()));

        var changed = ExpectMsg<BondStatusChanged>();
        Assert.Equal(BondEventKind.ReadFailed, Assert.Single(changed.Events).Kind);
        Assert.Equal(BondHealth.Error, Assert.Single(changed.Health).Health);
    }

    [Fact]
    public void BondWatcher_should_render_metrics_of_the_current_reading()
    {
        var watcher = Sys.ActorOf(BondWatcher.Props(_tree.Settings()));

        watcher.Tell(GetBondMetrics.Instance);

        Assert.Contains("luban_bond_up{bond=\"bond0\"} 1\n", ExpectMsg<BondMetricsText>().Text, StringComparison.Ordinal);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _tree.Dispose();
        }

        base.Dispose(disposing);
    }
}

/// <summary>
/// The watcher's real timer (not the test scheduler) picks up a fixture changed on disk. The time it took is printed,
/// not bounded: "within two poll periods" is the test-scheduler spec above; on a loaded 2-core machine a wall-clock
/// bound of 200 ms would measure the machine.
/// </summary>
public sealed class BondWatcherTimingSpecs : Akka.TestKit.Xunit2.TestKit
{
    private readonly FixtureCopy _tree = new("8023ad-healthy");
    private readonly ITestOutputHelper _output;

    public BondWatcherTimingSpecs(ITestOutputHelper output) : base(output: output)
    {
        _output = output;
    }

    [Fact]
    public void BondWatcher_should_report_a_file_changed_on_disk_with_its_real_timer()
    {
        var watcher = Sys.ActorOf(BondWatcher.Props(_tree.Settings(), TestActor));
        watcher.Tell(GetBondStatus.Instance);
        ExpectMsg<BondStatusReport>();

        var clock = Stopwatch.StartNew();
        _tree.Become("active-backup-failover");

        var changed = ExpectMsg<BondStatusChanged>(TimeSpan.FromSeconds(10));
        _output.WriteLine($"reported after {clock.Elapsed.TotalMilliseconds:F0} ms");
        Assert.Contains(changed.Events, e => e is { Kind: BondEventKind.WarningRaised, Warning: ConfigurationWarningKind.UnexpectedMode });
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _tree.Dispose();
        }

        base.Dispose(disposing);
    }
}

/// <summary>A private, writable copy of a fixture tree whose bond file can be swapped atomically.</summary>
internal sealed class FixtureCopy : IDisposable
{
    public FixtureCopy(string fixtureCase)
    {
        Root = Directory.CreateTempSubdirectory("luban-bond-").FullName;
        Copy(BondFixtures.Root(fixtureCase), Root);
    }

    public string Root { get; }

    public BondWatcherSettings Settings() => BondWatcherSettings.For(["bond0"], ["enp1s0f0", "enp1s0f1"], Root);

    /// <summary>Replace the bond file (and link files) with another case's, by rename so a poll never sees half a file.</summary>
    public void Become(string fixtureCase)
    {
        var source = BondFixtures.Root(fixtureCase);
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(Root, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            var staging = target + ".new";
            File.Copy(file, staging, overwrite: true);
            File.Move(staging, target, overwrite: true);
        }
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);

    private static void Copy(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}
