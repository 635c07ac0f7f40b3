using Luban.Actors.Bonding;
using Luban.Protocol.Bonding;

namespace Luban.Tests.Bonding;

/// <summary>
/// The BondWatcher's parser, checks and differ on a real kernel's files: the lab-8023ad-* trees were written by the
/// bonding driver of Debian's 6.1.0-57-cloud-amd64 kernel in the bond lab (<c>./luban bench bond-failover</c>; see
/// Fixtures/README.md): a healthy 802.3ad bond, eth1 pulled, eth1 back but not yet in LACP's aggregator, and the
/// bond after LACP renegotiated.
/// </summary>
public sealed class BondLabFixtureSpecs
{
    private const string Partner = "52:54:00:4c:02:01";
    private const string Links = "eth1,eth2";

    [Theory]
    [InlineData("lab-8023ad-healthy", BondHealth.Healthy, "eth1 up agg 1 state 63, eth2 up agg 1 state 63", 2, 0, "")]
    [InlineData("lab-8023ad-eth1-down", BondHealth.Degraded, "eth1 down agg 1 state 15, eth2 up agg 1 state 63", 1, 1, "")]
    [InlineData("lab-8023ad-eth1-rejoining", BondHealth.Degraded, "eth1 up agg 2 state 71, eth2 up agg 1 state 63", 1, 1, "SplitAggregators")]
    [InlineData("lab-8023ad-restored", BondHealth.Healthy, "eth1 up agg 1 state 63, eth2 up agg 1 state 63", 2, 1, "")]
    public void Parser_should_read_the_kernels_own_bond_in_each_state_of_the_lab(
        string fixtureCase, BondHealth health, string slaves, int aggregatorPorts, long eth1Failures, string warnings)
    {
        var reading = BondFixtures.Parse(fixtureCase);

        Assert.True(reading.IsOk, reading.Error);
        var bond = reading.Status!;
        Assert.Equal("v6.1.0-57-cloud-amd64", bond.DriverVersion);
        Assert.Equal((BondMode.Ieee8023ad, 100, "layer3+4 (1)", "fast"), (bond.Mode, bond.MiiPollingIntervalMs, bond.TransmitHashPolicy, bond.Lacp!.LacpRate));
        Assert.Equal(Partner, bond.PartnerMac);
        Assert.Equal(aggregatorPorts, bond.Lacp.ActiveAggregator!.NumberOfPorts);
        Assert.Equal(slaves, string.Join(", ", bond.Slaves.Select(s =>
            $"{s.Name} {s.Mii.ToString().ToLowerInvariant()} agg {s.AggregatorId} state {s.ActorPdu!.PortState}")));
        Assert.Equal(eth1Failures, bond.Slave("eth1")!.LinkFailureCount);
        Assert.All(bond.Slaves, s => Assert.Equal((1000, Duplex.Full), (s.SpeedMbps, s.Duplex)));
        Assert.Equal(health, BondHealthRules.Evaluate(reading, BondExpectations.Default).Health);
        Assert.Equal(BondFixtures.List(warnings), BondChecks.Check(bond, BondExpectations.Default).Select(w => w.Kind.ToString()));
    }

    // The run's states in order, and the jumps a watcher polling less often would see; each row: before, after,
    // the events ("Kind subject slave before->after") and the health after.
    [Theory]
    [InlineData("lab-8023ad-healthy", "lab-8023ad-eth1-down", BondHealth.Degraded, new[]
    {
        "SlaveDown bond0 eth1 up->down",
        "LinkFailureCountRising bond0 eth1 0->1",
        "InterfaceOperStateChanged eth1 - up->down",
    })]
    [InlineData("lab-8023ad-eth1-down", "lab-8023ad-eth1-rejoining", BondHealth.Degraded, new[]
    {
        "SlaveUp bond0 eth1 down->up",
        "AggregatorChanged bond0 eth1 1->2",
        "WarningRaised bond0 - -->SplitAggregators",
        "InterfaceOperStateChanged eth1 - down->up",
    })]
    [InlineData("lab-8023ad-eth1-rejoining", "lab-8023ad-restored", BondHealth.Healthy, new[]
    {
        "AggregatorChanged bond0 eth1 2->1",
        "WarningCleared bond0 - SplitAggregators->-",
    })]
    [InlineData("lab-8023ad-eth1-down", "lab-8023ad-restored", BondHealth.Healthy, new[]
    {
        "SlaveUp bond0 eth1 down->up",
        "InterfaceOperStateChanged eth1 - down->up",
    })]
    [InlineData("lab-8023ad-healthy", "lab-8023ad-restored", BondHealth.Healthy, new[]
    {
        "LinkFailureCountRising bond0 eth1 0->1",
    })]
    public void Diff_should_tell_the_story_of_the_pull_and_the_restore(string before, string after, BondHealth health, string[] expected)
    {
        var previous = BondFixtures.Read(before, BondFixtures.T0, BondFixtures.List(Links));
        var current = BondFixtures.Read(after, BondFixtures.T0.AddMilliseconds(100), BondFixtures.List(Links));

        var events = BondDiff.Compare(previous, current, BondExpectations.Default);

        Assert.Equal(expected, events.Select(e => $"{e.Kind} {e.Subject} {e.Slave ?? "-"} {e.Before ?? "-"}->{e.After ?? "-"}"));
        Assert.Equal(health, BondHealthRules.Evaluate(current.Bond("bond0")!, BondExpectations.Default).Health);
    }

    [Fact]
    public void Health_should_go_healthy_degraded_and_back_over_the_run()
    {
        string[] run = ["lab-8023ad-healthy", "lab-8023ad-eth1-down", "lab-8023ad-eth1-rejoining", "lab-8023ad-restored"];

        var verdicts = run.Select(f => BondHealthRules.Evaluate(BondFixtures.Parse(f), BondExpectations.Default)).ToArray();

        Assert.Equal([BondHealth.Healthy, BondHealth.Degraded, BondHealth.Degraded, BondHealth.Healthy], verdicts.Select(v => v.Health));
        Assert.Equal("bond0: 1 of 2 slaves up (eth1 down), no redundancy", Assert.Single(verdicts[1].Reasons));
        Assert.Empty(verdicts[3].Reasons);
    }
}
