using System.Globalization;
using Luban.Benchmarks.BondFailover;
using Luban.Tests.Bonding;

namespace Luban.Tests.Benchmarks;

/// <summary>The bond lab's pure parts: the guest record's lines, the phases of a run, the fixture states. The lab
/// itself (two emulated guests) runs as a benchmark, not in the suite.</summary>
public sealed class BondFailoverSpecs
{
    private const long Ms = 1_000_000;

    [Fact]
    public void Record_should_read_every_kind_of_line_and_keep_the_kernels_text_as_it_is()
    {
        var record = new LabRecord("luban-lab-1");
        string[] lines =
        [
            "S t=1000000000 sent=0 got=0 gap=0 eth1=10,1,20,2,1 eth2=30,3,40,4,1 bond0=40,4,60,6,1",
            "D t=1000000000 1",
            "F proc/net/bonding/bond0",
            "| Ethernet Channel Bonding Driver: v6.1.0-57-cloud-amd64",
            "| ",
            "| \tAggregator ID: 1",
            "X sys/class/net/eth1/speed 22",
            "F sys/class/net/eth1/operstate",
            "| down",
            "E 1",
            "M t=1100000000 start rate=1000 flows=8 size=512 seconds=35",
            "G t=1050000000 flow=3 ms=41.5 from=1008500000",
            "L 401 1866",
            "R t=1100000000 sent=35000 got=33483 dup=2 maxseq=34999",
            "junk",
        ];

        // Lines as a tty with CR-LF would give them, read 10 ms apart starting 4 s after the guest's clock.
        foreach (var (line, i) in lines.Select((l, i) => (l + "\r", i)))
        {
            record.Add(line, hostNs: 5_000_000_000 + i * 10 * Ms);
        }

        var sample = Assert.Single(record.Samples);
        Assert.Equal(new LinkCounters(30, 3, 40, 4, 1), sample.Links["eth2"]);
        var dump = Assert.Single(record.Dumps);
        Assert.Equal("Ethernet Channel Bonding Driver: v6.1.0-57-cloud-amd64\n\n\tAggregator ID: 1\n", dump.BondText);
        Assert.Equal("down\n", dump.Files["sys/class/net/eth1/operstate"]);
        Assert.Equal(["sys/class/net/eth1/speed"], dump.Unreadable);
        Assert.Equal("start rate=1000 flows=8 size=512 seconds=35", record.Milestone("start")!.Text);
        Assert.Equal(new LabGap(1_050_000_000, 3, 41.5, 1_008_500_000), Assert.Single(record.Gaps));
        Assert.Equal((401L, 1866L), Assert.Single(record.Losses));
        Assert.Equal(new LabSummary(1_100_000_000, 35000, 33483, 2, 34999), record.Summary);
        Assert.Equal(1, record.Unparsed);
        // The fastest lines (the sample, the milestone) were read 4 s after their guest time.
        Assert.Equal(4_000_000_000, record.OffsetNs);
    }

    // A run at 1000 datagrams/s with marks at 0 (start), 1 s (pull), 2 s (restore), 3 s (end), both clocks read
    // without delay. Silences "end:ms": the receiver's sample after the end reports each, and one over 25 ms also
    // gets its own line with its exact end. Losses are sequence ranges (sequence n is sent at n ms).
    [Theory]
    [InlineData("", "", 0, 0, 0, 0, "failover_gap_ms=0 lost=0 restored_gap_ms=0")]
    [InlineData("500:30,1050:95,2600:40", "1010-1059", 0, 50, 0, 50, "failover_gap_ms=95 lost=50 restored_gap_ms=40")]
    [InlineData("990:60,2400:112", "2350-2399,2401-2401", 0, 0, 51, 51, "failover_gap_ms=0 lost=51 restored_gap_ms=112")]
    [InlineData("1999:70", "100-109", 10, 0, 0, 10, "failover_gap_ms=70 lost=10 restored_gap_ms=0")]
    [InlineData("1550:20,2050:12", "", 0, 0, 0, 0, "failover_gap_ms=20 lost=0 restored_gap_ms=12")]
    public void Analysis_should_count_each_loss_and_silence_in_its_phase(
        string silences, string losses, long lostBefore, long lostPulled, long lostRestored, long lost, string lastLine)
    {
        var sender = new LabRecord("luban-lab-1");
        var receiver = new LabRecord("luban-lab-2");
        var ended = silences.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(s => s.Split(':'))
            .Select(p => (End: long.Parse(p[0], CultureInfo.InvariantCulture), Ms: double.Parse(p[1], CultureInfo.InvariantCulture))).ToArray();
        for (var ms = 0L; ms <= 3000; ms += 100)
        {
            sender.Add($"S t={ms * Ms} sent={ms} got=0 gap=0 eth1=0,0,0,0,1 eth2=0,0,0,0,1 bond0=0,0,0,0,1", ms * Ms);
            var inInterval = ended.Where(e => e.End > ms - 100 && e.End <= ms).ToArray();
            foreach (var (end, gap) in inInterval.Where(e => e.Ms > FailoverAnalysis.GapLineMs))
                receiver.Add(string.Create(CultureInfo.InvariantCulture, $"G t={end * Ms} flow=0 ms={gap} from={(end - (long)gap) * Ms}"), end * Ms);
            var longest = (long)(inInterval.Select(e => e.Ms).DefaultIfEmpty(0).Max() * 1000);
            receiver.Add($"S t={ms * Ms} sent=0 got={ms} gap={longest} eth1=0,0,0,0,1 eth2=0,0,0,0,1 bond0=0,0,0,0,1", ms * Ms);
        }

        var ranges = losses.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(r => r.Split('-')).ToArray();
        var lostCount = ranges.Sum(r => long.Parse(r[1], CultureInfo.InvariantCulture) - long.Parse(r[0], CultureInfo.InvariantCulture) + 1);
        receiver.Add($"R t={3000 * Ms} sent=3000 got={3000 - lostCount} dup=0 maxseq=2999", 3000 * Ms);
        foreach (var r in ranges) receiver.Add($"L {r[0]} {r[1]}", 3000 * Ms);

        var result = FailoverAnalysis.Analyse(sender, receiver, new LabMarks(0, 1000 * Ms, 2000 * Ms, 3000 * Ms, "eth1"));

        Assert.Equal([lostBefore, lostPulled, lostRestored], result.Phases.Select(p => p.Lost));
        Assert.Equal(lost, result.Lost);
        Assert.Equal(lastLine, result.LastLine);
    }

    [Fact]
    public void Fixture_states_should_be_the_last_before_pull_and_restore_the_first_rejoining_and_the_last()
    {
        // The kernel's own texts (the lab fixtures) as a run's dumps: at 2050 ms the link has its carrier back but
        // bonding has not seen it yet (the eth1-down text); at 2100 ms bonding has it up, LACP not yet distributing.
        var record = new LabRecord("luban-lab-1");
        var dumps = new[]
        {
            (500L, "lab-8023ad-healthy"), (900L, "lab-8023ad-healthy"), (1100L, "lab-8023ad-eth1-down"), (2050L, "lab-8023ad-eth1-down"),
            (2100L, "lab-8023ad-eth1-rejoining"), (2300L, "lab-8023ad-eth1-rejoining"), (2600L, "lab-8023ad-restored"),
        };
        foreach (var ((at, fixture), id) in dumps.Select((d, i) => (d, i + 1)))
        {
            record.Add($"D t={at * Ms} {id}", at * Ms);
            record.Add("F proc/net/bonding/bond0", at * Ms);
            foreach (var line in BondFixtures.BondText(fixture).TrimEnd('\n').Split('\n')) record.Add("| " + line, at * Ms);
            record.Add($"E {id}", at * Ms);
        }

        var states = LabFixtures.States(record, new LabMarks(0, 1000 * Ms, 2000 * Ms, 3000 * Ms, "eth1"), "lab");

        Assert.Equal(["lab-healthy 2", "lab-eth1-down 3", "lab-eth1-rejoining 5", "lab-restored 7"], states.Select(s => $"{s.Name} {s.Dump.Id}"));
    }

    [Fact]
    public void Fixture_writer_should_refuse_a_path_outside_the_two_trees()
    {
        var dump = new LabDump(0, 1, new Dictionary<string, string> { ["proc/net/bonding/../../../etc/passwd"] = "x" }, []);
        var directory = Path.Combine(Path.GetTempPath(), "luban-lab-fixture-" + Guid.NewGuid().ToString("N"));

        Assert.Throws<InvalidDataException>(() => LabFixtures.Write(dump, directory));
    }
}
