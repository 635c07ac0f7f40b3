using System.Text;
using Akka.Actor;
using Luban.Actors.Bonding;
using Luban.Protocol;
using Luban.Protocol.Bonding;
using Luban.Protocol.Serialization;
using static Luban.Protocol.Bonding.BondProtocol;

namespace Luban.Tests.Bonding;

public sealed class BondProtocolSpecs : Akka.TestKit.Xunit2.TestKit
{
    public static TheoryData<string> Messages => ["status", "report", "changed", "metrics", "get-metrics"];

    [Theory]
    [MemberData(nameof(Messages))]
    public void Bond_messages_should_round_trip_through_the_wire_serializer(string which)
    {
        var message = Build(which);
        var serializer = new LubanJsonSerializer((ExtendedActorSystem)Sys);

        var bytes = serializer.ToBinary(message);
        var back = serializer.FromBinary(bytes, serializer.Manifest(message));

        Assert.IsType(message.GetType(), back);
        // Records holding lists compare lists by reference, so equality is checked on the wire form.
        Assert.Equal(Encoding.UTF8.GetString(bytes), Encoding.UTF8.GetString(serializer.ToBinary(back)));
    }

    [Fact]
    public void Status_report_from_a_sender_without_counters_should_read_as_no_counters()
    {
        var serializer = new LubanJsonSerializer((ExtendedActorSystem)Sys);
        var report = new BondStatusReport(BondFixtures.T0, [], [], [], [new InterfaceCounters("eth1", "bond0", 1, 2, 3, 4)]);
        var json = Encoding.UTF8.GetString(serializer.ToBinary(report).AsSpan(1));
        // The counters are one added field: everything else keeps its name, so an older reader still understands it.
        Assert.Contains("\"Counters\":[{\"Interface\":\"eth1\",\"Bond\":\"bond0\",\"RxBytes\":1,\"RxPackets\":2,\"TxBytes\":3,\"TxPackets\":4", json, StringComparison.Ordinal);
        var before = json[..json.IndexOf(",\"Counters\"", StringComparison.Ordinal)] + "}";

        var back = (BondStatusReport)serializer.FromBinary([0, .. Encoding.UTF8.GetBytes(before)], serializer.Manifest(report));

        Assert.Empty(back.Counters);
        Assert.Equal(BondFixtures.T0, back.TakenAt);
    }

    private static ILubanWireMessage Build(string which)
    {
        var previous = BondFixtures.Read("8023ad-healthy", BondFixtures.T0, "enp1s0f0");
        var current = BondFixtures.Read("8023ad-partner-lost", BondFixtures.T0.AddMilliseconds(100), "enp1s0f0");
        var health = current.Bonds.Select(b => BondHealthRules.Evaluate(b, BondExpectations.Default)).ToArray();
        return which switch
        {
            "status" => GetBondStatus.Instance,
            "get-metrics" => GetBondMetrics.Instance,
            "metrics" => new BondMetricsText(BondMetrics.Render(current, BondExpectations.Default)),
            "report" => new BondStatusReport(current.TakenAt, health, current.Bonds, current.Interfaces,
                [new InterfaceCounters("bond0", "bond0", 3000, 30, 4000, 40), new InterfaceCounters("eth1", "bond0", 1000, 10, null, null)]),
            _ => new BondStatusChanged(BondDiff.Compare(previous, current, BondExpectations.Default), health),
        };
    }
}
