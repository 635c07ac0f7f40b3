using Luban.Actors.Bonding;
using Luban.Protocol.Bonding;

namespace Luban.Tests.Bonding;

/// <summary>Per-interface traffic counters (sysfs statistics) in the watcher's snapshot.</summary>
public sealed class BondCountersSpecs
{
    [Theory]
    [InlineData("0\n", 0L)]
    [InlineData("123456789\n", 123456789L)]
    [InlineData(" 42 ", 42L)]
    [InlineData("9223372036854775807", long.MaxValue)]
    [InlineData("18446744073709551615", null)] // u64 beyond long: unknown, never a negative count
    [InlineData("-1", null)]
    [InlineData("", null)]
    [InlineData("12 bytes", null)]
    [InlineData(null, null)]
    public void Counter_parser_should_accept_only_a_plain_count(string? text, long? expected)
    {
        Assert.Equal(expected, SysfsLinkParser.ParseCounter(text));
    }

    // Each row: fixture tree, plain interfaces watched, and the counters expected, in order: "name bond rxB rxP txB txP"
    // (- for null).
    [Theory]
    [InlineData("8023ad-healthy", "enp1s0f0,missing0", new[]
    {
        "bond0 bond0 - - - -",
        "enp1s0f0 bond0 - - - -",
        "enp1s0f1 bond0 - - - -",
    })]
    [InlineData("active-backup", "eth0,eth1", new[]
    {
        "eth0 bond0 - - - -",
        "eth1 bond0 - - - -",
    })]
    public void Reader_should_count_every_bond_its_slaves_then_the_plain_interfaces(string fixtureCase, string interfaces, string[] expected)
    {
        var snapshot = BondFixtures.Read(fixtureCase, BondFixtures.T0, BondFixtures.List(interfaces));

        Assert.Equal(expected, snapshot.Counters.Select(Describe));
    }

    [Fact]
    public void Reader_should_count_a_plain_interface_and_skip_files_it_cannot_read()
    {
        var root = Directory.CreateTempSubdirectory("luban-counters-").FullName;
        try
        {
            var statistics = Path.Combine(root, "sys", "class", "net", "wan0", "statistics");
            Directory.CreateDirectory(statistics);
            File.WriteAllText(Path.Combine(statistics, "rx_bytes"), "1500\n");
            File.WriteAllText(Path.Combine(statistics, "rx_packets"), "1\n");
            File.WriteAllText(Path.Combine(statistics, "tx_bytes"), "garbage\n");
            Directory.CreateDirectory(Path.Combine(statistics, "tx_packets")); // unreadable as a file

            var counters = new BondStateReader(root, ["bond0"], ["wan0"]).Read(BondFixtures.T0).Counters;

            Assert.Equal(new InterfaceCounters("wan0", null, 1500, 1, null, null), Assert.Single(counters));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static string Describe(InterfaceCounters c) =>
        $"{c.Interface} {c.Bond ?? "-"} {N(c.RxBytes)} {N(c.RxPackets)} {N(c.TxBytes)} {N(c.TxPackets)}";

    private static string N(long? value) => value?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-";
}
