using Luban.Actors.Bonding;
using Luban.Protocol.Bonding;

namespace Luban.Tests.Bonding;

public sealed class BondDiffSpecs
{
    private const string SwitchA = "00:1c:73:aa:bb:cc";
    private const string Zero = "00:00:00:00:00:00";
    private const string Nics = "enp1s0f0,enp1s0f1";

    // Each row: before tree, after tree, plain interfaces watched, and exactly the events expected ("Kind subject slave before->after").
    [Theory]
    [InlineData("8023ad-healthy", "8023ad-healthy", Nics, new string[0])]
    [InlineData("8023ad-healthy", "8023ad-one-slave-down", Nics, new[]
    {
        "SlaveDown bond0 enp1s0f1 up->down",
        "LinkFailureCountRising bond0 enp1s0f1 0->1",
        "AggregatorChanged bond0 enp1s0f1 1->2",
        "InterfaceOperStateChanged enp1s0f1 - up->down",
    })]
    [InlineData("8023ad-one-slave-down", "8023ad-healthy", Nics, new[]
    {
        "SlaveUp bond0 enp1s0f1 down->up",
        "AggregatorChanged bond0 enp1s0f1 2->1",
        "InterfaceOperStateChanged enp1s0f1 - down->up",
    })]
    [InlineData("8023ad-healthy", "8023ad-both-down", Nics, new[]
    {
        "BondDown bond0 - up->down",
        "PartnerLost bond0 - " + SwitchA + "->" + Zero,
        "SlaveDown bond0 enp1s0f0 up->down",
        "LinkFailureCountRising bond0 enp1s0f0 0->1",
        "SlaveDown bond0 enp1s0f1 up->down",
        "LinkFailureCountRising bond0 enp1s0f1 0->1",
        "AggregatorChanged bond0 enp1s0f1 1->2",
        "WarningRaised bond0 - -->NoLacpPartner",
        "InterfaceOperStateChanged enp1s0f0 - up->down",
        "InterfaceOperStateChanged enp1s0f1 - up->down",
    })]
    [InlineData("8023ad-both-down", "8023ad-one-slave-down", "", new[]
    {
        "BondUp bond0 - down->up",
        "PartnerFound bond0 - " + Zero + "->" + SwitchA,
        "SlaveUp bond0 enp1s0f0 down->up",
        "WarningCleared bond0 - NoLacpPartner->-",
    })]
    [InlineData("8023ad-healthy", "8023ad-partner-lost", Nics, new[]
    {
        "PartnerLost bond0 - " + SwitchA + "->" + Zero,
        "AggregatorChanged bond0 enp1s0f1 1->2",
        "WarningRaised bond0 - -->NoLacpPartner",
        "WarningRaised bond0 - -->SplitAggregators",
    })]
    [InlineData("8023ad-partner-lost", "8023ad-healthy", Nics, new[]
    {
        "PartnerFound bond0 - " + Zero + "->" + SwitchA,
        "AggregatorChanged bond0 enp1s0f1 2->1",
        "WarningCleared bond0 - NoLacpPartner->-",
        "WarningCleared bond0 - SplitAggregators->-",
    })]
    [InlineData("8023ad-healthy", "8023ad-split-aggregators", Nics, new[]
    {
        "AggregatorChanged bond0 enp1s0f1 1->2",
        "WarningRaised bond0 - -->SplitAggregators",
    })]
    [InlineData("8023ad-flap-before", "8023ad-flap-after", Nics, new[]
    {
        "LinkFailureCountRising bond0 enp1s0f0 2->3",
    })]
    [InlineData("8023ad-flap-after", "8023ad-flap-before", Nics, new string[0])]
    [InlineData("active-backup", "active-backup-failover", "eth0,eth1", new[]
    {
        "ActiveSlaveChanged bond0 eth1 eth0->eth1",
        "SlaveDown bond0 eth0 up->down",
        "LinkFailureCountRising bond0 eth0 0->1",
        "InterfaceOperStateChanged eth0 - up->down",
    })]
    [InlineData("8023ad-healthy", "truncated", "", new[]
    {
        "ReadFailed bond0 - ok->slave enp1s0f1: missing 'Speed' (truncated file?)",
    })]
    [InlineData("truncated", "garbage", "", new string[0])]
    [InlineData("garbage", "8023ad-healthy", "", new[]
    {
        "ReadRecovered bond0 - not a bonding status file (first line '??????????')->ok",
    })]
    [InlineData("garbage", "balance-xor", "", new[]
    {
        "ReadRecovered bond0 - not a bonding status file (first line '??????????')->ok",
        "WarningRaised bond0 - -->UnexpectedMode",
        "WarningRaised bond0 - -->UnexpectedMiiPolling",
        "WarningRaised bond0 - -->SpeedMismatch",
    })]
    [InlineData("8023ad-healthy", "balance-rr", "", new[]
    {
        "SlaveAdded bond0 eth0 -->up",
        "SlaveAdded bond0 eth1 -->up",
        "SlaveRemoved bond0 enp1s0f0 up->-",
        "SlaveRemoved bond0 enp1s0f1 up->-",
        "WarningRaised bond0 - -->UnexpectedMode",
    })]
    public void Compare_should_yield_exactly_the_expected_events(string before, string after, string interfaces, string[] expected)
    {
        var previous = BondFixtures.Read(before, BondFixtures.T0, BondFixtures.List(interfaces));
        var current = BondFixtures.Read(after, BondFixtures.T0.AddMilliseconds(100), BondFixtures.List(interfaces));

        var events = BondDiff.Compare(previous, current, BondExpectations.Default);

        Assert.Equal(expected, events.Select(Describe));
        Assert.All(events, e => Assert.Equal(current.TakenAt, e.At));
        Assert.All(events, e => Assert.False(string.IsNullOrWhiteSpace(e.Message)));
    }

    [Theory]
    [InlineData("8023ad-healthy", new string[0])]
    [InlineData("balance-xor", new[] { "UnexpectedMode", "UnexpectedMiiPolling", "SpeedMismatch" })]
    [InlineData("8023ad-partner-lost", new[] { "NoLacpPartner", "SplitAggregators" })]
    public void Compare_should_report_only_current_warnings_against_an_empty_snapshot(string fixtureCase, string[] warnings)
    {
        var current = BondFixtures.Read(fixtureCase, BondFixtures.T0, "enp1s0f0");

        var events = BondDiff.Compare(BondSnapshot.Empty, current, BondExpectations.Default);

        Assert.All(events, e => Assert.Equal(BondEventKind.WarningRaised, e.Kind));
        Assert.Equal(warnings, events.Select(e => e.Warning.ToString()));
    }

    [Fact]
    public void Compare_should_report_a_first_read_failure()
    {
        var current = BondFixtures.Read("garbage", BondFixtures.T0);

        var events = BondDiff.Compare(BondSnapshot.Empty, current, BondExpectations.Default);

        Assert.Equal(BondEventKind.ReadFailed, Assert.Single(events).Kind);
    }

    [Fact]
    public void Compare_should_say_what_happened_in_a_sentence()
    {
        var events = BondDiff.Compare(
            BondFixtures.Read("8023ad-healthy", BondFixtures.T0),
            BondFixtures.Read("8023ad-split-aggregators", BondFixtures.T0),
            BondExpectations.Default);

        Assert.Equal(
            "bond0: slaves in different aggregators (aggregator 1: enp1s0f0, aggregator 2: enp1s0f1); only the active one (1) carries traffic",
            events.Single(e => e.Kind == BondEventKind.WarningRaised).Message);
    }

    [Fact]
    public void Compare_should_warn_when_mii_polling_differs_from_the_expectation()
    {
        var healthy = BondFixtures.Read("8023ad-healthy", BondFixtures.T0);

        var events = BondDiff.Compare(BondSnapshot.Empty, healthy, new BondExpectations(MiiPollingIntervalMs: 50));

        Assert.Equal("bond0: MII polls every 100 ms, expected every 50 ms", Assert.Single(events).Message);
    }

    private static string Describe(BondEvent e) => $"{e.Kind} {e.Subject} {e.Slave ?? "-"} {e.Before ?? "-"}->{e.After ?? "-"}";
}
