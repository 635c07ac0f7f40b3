using System.Globalization;
using Luban.Actors.Bonding;
using Luban.Protocol.Bonding;

using Luban.Tests.Support;

namespace Luban.Tests.Bonding;

public sealed class BondMetricsSpecs
{
    [Theory]
    [InlineData("8023ad-healthy")]
    [InlineData("8023ad-one-slave-down")]
    [InlineData("8023ad-both-down")]
    [InlineData("8023ad-partner-lost")]
    [InlineData("8023ad-split-aggregators")]
    [InlineData("8023ad-legacy-kernel")]
    [InlineData("active-backup-failover")]
    [InlineData("balance-rr")]
    [InlineData("balance-xor")]
    [InlineData("truncated")]
    [InlineData("garbage")]
    public void Render_should_write_well_formed_exposition_text(string fixtureCase)
    {
        var text = BondMetrics.Render(BondFixtures.Read(fixtureCase, BondFixtures.T0, "enp1s0f0", "eth0"), BondExpectations.Default);

        AssertWellFormed(text);
    }

    [Theory]
    [InlineData("8023ad-one-slave-down", "luban_bond_slave_up{bond=\"bond0\",slave=\"enp1s0f1\"}", 0)]
    [InlineData("8023ad-one-slave-down", "luban_bond_slave_up{bond=\"bond0\",slave=\"enp1s0f0\"}", 1)]
    [InlineData("8023ad-one-slave-down", "luban_bond_slave_link_failures_total{bond=\"bond0\",slave=\"enp1s0f1\"}", 1)]
    [InlineData("8023ad-one-slave-down", "luban_bond_health{bond=\"bond0\",state=\"degraded\"}", 1)]
    [InlineData("8023ad-one-slave-down", "luban_bond_active_aggregator_ports{bond=\"bond0\"}", 1)]
    [InlineData("8023ad-healthy", "luban_bond_partner_present{bond=\"bond0\"}", 1)]
    [InlineData("8023ad-healthy", "luban_bond_info{bond=\"bond0\",mode=\"802.3ad\",xmit_hash_policy=\"layer3+4 (1)\",lacp_rate=\"fast\"}", 1)]
    [InlineData("8023ad-healthy", "luban_bond_mii_polling_interval_seconds{bond=\"bond0\"}", 0.1)]
    [InlineData("8023ad-healthy", "luban_bond_interface_up{interface=\"enp1s0f0\",operstate=\"up\"}", 1)]
    [InlineData("8023ad-partner-lost", "luban_bond_partner_present{bond=\"bond0\"}", 0)]
    [InlineData("8023ad-partner-lost", "luban_bond_slave_partner_present{bond=\"bond0\",slave=\"enp1s0f0\"}", 0)]
    [InlineData("8023ad-split-aggregators", "luban_bond_slave_aggregator_id{bond=\"bond0\",slave=\"enp1s0f1\"}", 2)]
    [InlineData("8023ad-split-aggregators", "luban_bond_configuration_warning{bond=\"bond0\",kind=\"SplitAggregators\"}", 1)]
    [InlineData("8023ad-both-down", "luban_bond_up{bond=\"bond0\"}", 0)]
    [InlineData("8023ad-both-down", "luban_bond_health{bond=\"bond0\",state=\"down\"}", 1)]
    [InlineData("active-backup-failover", "luban_bond_active_slave{bond=\"bond0\",slave=\"eth1\"}", 1)]
    [InlineData("active-backup-failover", "luban_bond_active_slave{bond=\"bond0\",slave=\"eth0\"}", 0)]
    [InlineData("garbage", "luban_bond_read_ok{bond=\"bond0\"}", 0)]
    [InlineData("garbage", "luban_bond_health{bond=\"bond0\",state=\"error\"}", 1)]
    public void Render_should_expose_the_bond_state(string fixtureCase, string series, double value)
    {
        var text = BondMetrics.Render(BondFixtures.Read(fixtureCase, BondFixtures.T0, "enp1s0f0"), BondExpectations.Default);

        Assert.Contains($"{series} {value.ToString(CultureInfo.InvariantCulture)}\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_should_count_every_link_and_the_bond_as_the_kernel_does()
    {
        // The lab's kernel wrote these files; the bond's counters are its slaves' sums.
        var samples = PrometheusText.Parse(BondMetrics.Render(BondFixtures.Read("lab-8023ad-healthy", BondFixtures.T0), BondExpectations.Default));

        double Sent(string link) => Assert.Single(samples, s => s.Name == "luban_interface_transmit_packets_total" && s.Label("interface") == link).Value;
        Assert.Equal(Kernel("eth1", "tx_packets"), Sent("eth1"));
        Assert.Equal(Kernel("bond0", "tx_packets"), Sent("bond0"));
        Assert.Equal(Sent("bond0"), Sent("eth1") + Sent("eth2"));
        Assert.All(samples.Where(s => s.Name.StartsWith("luban_interface_", StringComparison.Ordinal)),
            s => Assert.Equal("bond0", s.Label("bond")));
        Assert.Equal(12, samples.Count(s => s.Name.StartsWith("luban_interface_", StringComparison.Ordinal)));
    }

    private static double Kernel(string link, string counter) => double.Parse(File.ReadAllText(Path.Combine(
        BondFixtures.Root("lab-8023ad-healthy"), "sys/class/net", link, "statistics", counter)), CultureInfo.InvariantCulture);

    [Fact]
    public void Render_should_leave_out_the_state_of_an_unreadable_bond()
    {
        var text = BondMetrics.Render(BondFixtures.Read("truncated", BondFixtures.T0), BondExpectations.Default);

        Assert.DoesNotContain("luban_bond_up{", text, StringComparison.Ordinal);
        Assert.DoesNotContain("luban_bond_slave_up{", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_should_escape_label_values()
    {
        var snapshot = new BondSnapshot(BondFixtures.T0, [], [new InterfaceState("a\"b\\c\nd", OperState.Up, true, null, Duplex.Unknown)]);

        var text = BondMetrics.Render(snapshot, BondExpectations.Default);

        Assert.Contains("luban_bond_interface_up{interface=\"a\\\"b\\\\c\\nd\",operstate=\"up\"} 1\n", text, StringComparison.Ordinal);
        AssertWellFormed(text);
    }

    /// <summary>Prometheus's linter passes it, and its text parser reads back only Luban's families, counters as
    /// <c>_total</c>.</summary>
    private static void AssertWellFormed(string text)
    {
        PrometheusText.AssertLintClean(text);
        var samples = PrometheusText.Parse(text);
        Assert.NotEmpty(samples);
        Assert.All(samples, s => Assert.StartsWith("luban_", s.Name, StringComparison.Ordinal));
        Assert.All(samples.Where(s => s.Type == "counter"), s => Assert.EndsWith("_total", s.Name, StringComparison.Ordinal));
    }
}
