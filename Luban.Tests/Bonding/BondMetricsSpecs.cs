using System.Globalization;
using System.Text.RegularExpressions;
using Luban.Actors.Bonding;
using Luban.Protocol.Bonding;

namespace Luban.Tests.Bonding;

public sealed partial class BondMetricsSpecs
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
    [InlineData("8023ad-healthy", "luban_bond_mii_polling_interval_milliseconds{bond=\"bond0\"}", 100)]
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

    private static void AssertWellFormed(string text)
    {
        Assert.EndsWith("\n", text, StringComparison.Ordinal);
        var typed = new Dictionary<string, string>();
        var helped = new HashSet<string>();
        string? current = null;
        foreach (var line in text[..^1].Split('\n'))
        {
            if (HelpLine().Match(line) is { Success: true } help)
            {
                Assert.True(helped.Add(help.Groups["name"].Value), $"second HELP for {help.Groups["name"].Value}");
                continue;
            }

            if (TypeLine().Match(line) is { Success: true } type)
            {
                var name = type.Groups["name"].Value;
                Assert.True(helped.Contains(name), $"TYPE before HELP for {name}");
                Assert.False(typed.ContainsKey(name), $"second TYPE for {name}");
                typed[name] = type.Groups["type"].Value;
                current = name;
                continue;
            }

            var sample = SampleLine().Match(line);
            Assert.True(sample.Success, $"not a sample line: '{line}'");
            var metric = sample.Groups["name"].Value;
            Assert.StartsWith("luban_bond_", metric, StringComparison.Ordinal);
            Assert.True(metric == current, $"sample of {metric} outside its family (current {current})");
            Assert.Equal(typed[metric] == "counter", metric.EndsWith("_total", StringComparison.Ordinal));
        }

        Assert.NotEmpty(typed);
    }

    [GeneratedRegex(@"^# HELP (?<name>[a-zA-Z_:][a-zA-Z0-9_:]*) \S.*$")]
    private static partial Regex HelpLine();

    [GeneratedRegex(@"^# TYPE (?<name>[a-zA-Z_:][a-zA-Z0-9_:]*) (?<type>counter|gauge|histogram|summary|untyped)$")]
    private static partial Regex TypeLine();

    [GeneratedRegex("""^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{[a-zA-Z_][a-zA-Z0-9_]*="(\\[\\"n]|[^"\\\n])*"(,[a-zA-Z_][a-zA-Z0-9_]*="(\\[\\"n]|[^"\\\n])*")*\})? (-?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?|NaN|[+-]Inf)$""")]
    private static partial Regex SampleLine();
}
