using Luban.Actors.Bonding;
using Luban.Protocol.Bonding;

namespace Luban.Tests.Bonding;

public sealed class BondProcParserSpecs
{
    [Theory]
    [InlineData("8023ad-healthy", BondMode.Ieee8023ad, true, 2, 2, BondHealth.Healthy, "")]
    [InlineData("8023ad-legacy-kernel", BondMode.Ieee8023ad, true, 2, 2, BondHealth.Healthy, "")]
    [InlineData("8023ad-flap-before", BondMode.Ieee8023ad, true, 2, 2, BondHealth.Healthy, "")]
    [InlineData("8023ad-flap-after", BondMode.Ieee8023ad, true, 2, 2, BondHealth.Healthy, "")]
    [InlineData("8023ad-one-slave-down", BondMode.Ieee8023ad, true, 2, 1, BondHealth.Degraded, "")]
    [InlineData("8023ad-both-down", BondMode.Ieee8023ad, false, 2, 0, BondHealth.Down, "NoLacpPartner")]
    [InlineData("8023ad-partner-lost", BondMode.Ieee8023ad, true, 2, 2, BondHealth.Degraded, "NoLacpPartner,SplitAggregators")]
    [InlineData("8023ad-split-aggregators", BondMode.Ieee8023ad, true, 2, 2, BondHealth.Degraded, "SplitAggregators")]
    [InlineData("active-backup", BondMode.ActiveBackup, true, 2, 2, BondHealth.Degraded, "UnexpectedMode")]
    [InlineData("active-backup-failover", BondMode.ActiveBackup, true, 2, 1, BondHealth.Degraded, "UnexpectedMode")]
    [InlineData("balance-rr", BondMode.BalanceRr, true, 2, 2, BondHealth.Degraded, "UnexpectedMode")]
    [InlineData("balance-xor", BondMode.BalanceXor, true, 2, 2, BondHealth.Degraded, "UnexpectedMode,UnexpectedMiiPolling,SpeedMismatch")]
    public void Parser_should_read_each_fixture_to_its_expected_status(
        string fixtureCase, BondMode mode, bool bondUp, int slaves, int slavesUp, BondHealth health, string warnings)
    {
        var reading = BondFixtures.Parse(fixtureCase);

        Assert.True(reading.IsOk, reading.Error);
        var bond = reading.Status!;
        Assert.Equal(mode, bond.Mode);
        Assert.Equal(bondUp, bond.IsUp);
        Assert.Equal(slaves, bond.Slaves.Count);
        Assert.Equal(slavesUp, bond.Slaves.Count(s => s.IsUp));
        Assert.Equal(health, BondHealthRules.Evaluate(reading, BondExpectations.Default).Health);
        Assert.Equal(BondFixtures.List(warnings), BondChecks.Check(bond, BondExpectations.Default).Select(w => w.Kind.ToString()));
    }

    [Theory]
    [InlineData("truncated", "slave enp1s0f1: missing 'Speed' (truncated file?)")]
    [InlineData("garbage", "not a bonding status file")]
    public void Parser_should_turn_a_broken_file_into_an_error_reading(string fixtureCase, string reasonStart)
    {
        var reading = BondFixtures.Parse(fixtureCase);

        Assert.False(reading.IsOk);
        Assert.Null(reading.Status);
        Assert.StartsWith(reasonStart, reading.Error, StringComparison.Ordinal);
        Assert.Equal(BondHealth.Error, BondHealthRules.Evaluate(reading, BondExpectations.Default).Health);
    }

    [Theory]
    [InlineData("", "empty bonding file")]
    [InlineData("\n\n", "empty bonding file")]
    [InlineData("Ethernet Channel Bonding Driver: v6.8.0\n\n", "bond: missing 'Bonding Mode' (truncated file?)")]
    [InlineData("Ethernet Channel Bonding Driver: v6.8.0\n\nBonding Mode: load balancing (round-robin)\nMII Status: up\n", "bond: missing 'MII Polling Interval (ms)' (truncated file?)")]
    [InlineData("Ethernet Channel Bonding Driver: v6.8.0\n\nBonding Mode: load balancing (round-robin)\nMII Status: sideways\n", "bond: unrecognised 'MII Status' 'sideways'")]
    [InlineData("Ethernet Channel Bonding Driver: v6.8.0\n\nBonding Mode: IEEE 802.3ad Dynamic link aggregation\nMII Status: up\nMII Polling Interval (ms): 100\nUp Delay (ms): 0\nDown Delay (ms): 0\n", "802.3ad bond without its '802.3ad info' section (truncated?)")]
    public void Parser_should_name_what_is_missing_from_a_short_file(string text, string reason)
    {
        var reading = BondProcParser.Parse("bond0", text);

        Assert.Equal(reason, reading.Error);
    }

    [Fact]
    public void Parser_should_read_every_802_3ad_field()
    {
        var bond = BondFixtures.Parse("8023ad-healthy").Status!;

        Assert.Equal("v6.8.0-45-generic", bond.DriverVersion);
        Assert.Equal("layer3+4 (1)", bond.TransmitHashPolicy);
        Assert.Equal(100, bond.MiiPollingIntervalMs);
        Assert.Null(bond.ActiveSlave);
        var lacp = bond.Lacp!;
        Assert.Equal((true, "fast", 0, "stable", "52:54:00:a1:00:01"), (lacp.LacpActive, lacp.LacpRate, lacp.MinLinks, lacp.AggregatorSelection, lacp.SystemMac));
        Assert.Equal(new AggregatorInfo(1, 2, 9, 1001, "00:1c:73:aa:bb:cc"), lacp.ActiveAggregator);
        var second = bond.Slaves[1];
        Assert.Equal(("enp1s0f1", MiiStatus.Up, 1000, Duplex.Full, 0L, "52:54:00:a1:00:02", 0, 1),
            (second.Name, second.Mii, second.SpeedMbps, second.Duplex, second.LinkFailureCount, second.PermanentHwAddr, second.QueueId, second.AggregatorId));
        Assert.Equal(new LacpPduDetails(65535, "52:54:00:a1:00:01", 9, 255, 2, 63), second.ActorPdu);
        Assert.Equal(new LacpPduDetails(32768, "00:1c:73:aa:bb:cc", 1001, 32768, 17, 63), second.PartnerPdu);
    }

    [Fact]
    public void Parser_should_read_a_down_slave_with_unknown_speed_and_duplex()
    {
        var slave = BondFixtures.Parse("8023ad-one-slave-down").Status!.Slave("enp1s0f1")!;

        Assert.Equal((MiiStatus.Down, (int?)null, Duplex.Unknown, 1L, 2, "churned"), (slave.Mii, slave.SpeedMbps, slave.Duplex, slave.LinkFailureCount, slave.AggregatorId!.Value, slave.ActorChurnState));
    }

    [Fact]
    public void Parser_should_read_the_no_active_aggregator_line_as_no_partner()
    {
        var bond = BondFixtures.Parse("8023ad-both-down").Status!;

        Assert.True(bond.Lacp!.NoActiveAggregator);
        Assert.Null(bond.Lacp.ActiveAggregator);
        Assert.Equal(MacAddresses.Zero, bond.PartnerMac);
    }

    [Fact]
    public void Parser_should_read_the_kernel_3_layout_without_lacp_details()
    {
        var bond = BondFixtures.Parse("8023ad-legacy-kernel").Status!;

        Assert.Equal("v3.7.1 (April 27, 2011)", bond.DriverVersion);
        Assert.All(bond.Slaves, s => Assert.Equal((10000, 1, (LacpPduDetails?)null), (s.SpeedMbps!.Value, s.AggregatorId!.Value, s.PartnerPdu)));
        Assert.Null(bond.Lacp!.LacpActive);
    }

    [Fact]
    public void Parser_should_read_the_active_slave_of_active_backup()
    {
        var before = BondFixtures.Parse("active-backup").Status!;
        var after = BondFixtures.Parse("active-backup-failover").Status!;

        Assert.Equal(("eth0", "eth1"), (before.ActiveSlave, after.ActiveSlave));
        Assert.Null(before.PrimarySlave);
        Assert.Null(before.Lacp);
    }

    [Fact]
    public void Parser_should_ignore_unknown_lines_and_mode_suffixes()
    {
        var text = BondFixtures.BondText("active-backup")
            .Replace("(active-backup)\n", "(active-backup) (fail_over_mac active)\nSome Future Field: 7\nwhatever this is\n", StringComparison.Ordinal)
            .Replace("Primary Slave: None", "Primary Slave: eth1 (primary_reselect always)", StringComparison.Ordinal);

        var bond = BondProcParser.Parse("bond0", text).Status!;

        Assert.Equal(BondMode.ActiveBackup, bond.Mode);
        Assert.Equal("eth1", bond.PrimarySlave);
        Assert.Equal(2, bond.Slaves.Count);
    }

    [Fact]
    public void Parser_should_accept_windows_line_endings()
    {
        var reading = BondProcParser.Parse("bond0", BondFixtures.BondText("8023ad-healthy").Replace("\n", "\r\n", StringComparison.Ordinal));

        Assert.True(reading.IsOk, reading.Error);
    }

    [Theory]
    [InlineData(BondMode.ActiveBackup, "active-backup", BondHealth.Healthy)]
    [InlineData(BondMode.Ieee8023ad, "active-backup", BondHealth.Degraded)]
    [InlineData(BondMode.BalanceRr, "balance-rr", BondHealth.Healthy)]
    public void Health_should_follow_the_expected_mode(BondMode expected, string fixtureCase, BondHealth health)
    {
        var summary = BondHealthRules.Evaluate(BondFixtures.Parse(fixtureCase), new BondExpectations(Mode: expected));

        Assert.Equal(health, summary.Health);
        Assert.Equal(health == BondHealth.Healthy, summary.Reasons.Count == 0);
    }

    [Theory]
    [InlineData("802.3ad", BondMode.Ieee8023ad)]
    [InlineData("4", BondMode.Ieee8023ad)]
    [InlineData("Active-Backup", BondMode.ActiveBackup)]
    [InlineData("balance-alb", BondMode.BalanceAlb)]
    public void Mode_names_should_parse_option_names_and_numbers(string name, BondMode mode)
    {
        Assert.Equal(mode, BondModeNames.FromOptionName(name));
    }
}
