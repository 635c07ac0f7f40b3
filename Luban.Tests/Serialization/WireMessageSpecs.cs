using System.Text;
using Akka.Configuration;
using Luban.Actors.Cluster;
using Luban.Protocol;
using Luban.Protocol.Bonding;
using Luban.Protocol.Operator;
using Luban.Protocol.Scaling;
using Luban.Protocol.Serialization;
using Luban.Tests.Support;
using static Luban.Protocol.Hypervisor.HypervisorProtocol;
using static Luban.Protocol.Scaling.ScalingProtocol;

namespace Luban.Tests.Serialization;

/// <summary>Every wire message goes through the one configured serializer and comes back the same.</summary>
public sealed class WireMessageSpecs() : Akka.TestKit.Xunit2.TestKit(
    ConfigurationFactory.ParseString("akka.actor.provider = local")
        .WithFallback(LubanHocon.Load(Repo.HoconDirectory, ClusterRoles.Seed, TestCluster.TestOverrides)))
{
    private static readonly DateTimeOffset At = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);
    private static readonly HostId B = new("B");
    private static readonly VmId Vm = new("luban-b-2");

    private static readonly ILubanWireMessage[] Samples =
    [
        new VmReport(Vm, VmState.InService, "http://127.0.0.1:18081", 42, At),
        new HostReport(B, 1, 3, [new VmReport(Vm, VmState.Booting, null, null, null)], At),
        new StartVm(B, "start-1"),
        new StartVmResult(B, "start-1", Vm, true, null),
        new StopVm(B, Vm, "stop-2"),
        new StopVmResult(B, "stop-2", Vm, false, "libvirt: domain not found"),
        new RegisterAgent(B, "127.0.0.1"),
        new AgentRegistered(B),
        new SecurityNotice("a start from agent C", "an agent may not start VMs"),
        new ScaleEvent(At, ScaleEventKinds.Start, ScalingRules.ScaleOutAllAboveUpper, "every VM above 60%", B, Vm),
        new Backend(Vm, B, "http://127.0.0.1:18081"),
        new BackendsChanged(7, [new Backend(Vm, B, "http://127.0.0.1:18081")]),
        new DrainProgress(Vm, 3, new HostId("A1")),
        new FrontDoorReport(new HostId("A2"), true),
        new FrontDoorStatus("A2", true, At),
        new Luban.Protocol.Cluster.MembershipProtocol.MemberIdentity("akka.ssl.tcp://luban@10.77.0.2:4054"),
        GetSupervisorStatus.Instance,
        new VmStatus("luban-b-2", "InService", 42, 0.42, "http://127.0.0.1:18081"),
        new HostStatus("B", true, At, 1, 3, false, [new VmStatus("luban-b-2", "Draining", null, null, null)]),
        new PolicyStatus(100, 0.6, 0.1, 2, 6, 1, 3, ["B", "C"], 5, 30, 60, 15, 30, 30, false, [new PolicyValue("t-upper", "0.6", true)]),
        new SupervisorStatus([], new PolicyStatus(100, 0.6, 0.1, 2, 6, 1, 3, ["B"], 5, 30, 60, 15, 30, 30, true, [new PolicyValue("t-upper", "0.6", true)]),
            new ScaleEvent(At, "hold", ScalingRules.WithinBand, "fine"), []),
        new SupervisorStatus([], new PolicyStatus(100, 0.6, 0.1, 2, 6, 1, 3, ["B"], 5, 30, 60, 15, 30, 30, false, []), null, [],
            "A1", [new FrontDoorStatus("A1", true, At), new FrontDoorStatus("A2", false, At)], At),
        BondProtocol.GetBondStatus.Instance,
        BondProtocol.GetBondMetrics.Instance,
        new BondProtocol.BondMetricsText("luban_bond_up{bond=\"bond0\"} 1\n"),
        new BondProtocol.BondStatusReport(At, [new BondHealthSummary("bond0", BondHealth.Degraded, ["one slave down"])], [], []),
        new BondProtocol.BondStatusChanged(
            [new BondEvent(At, BondEventKind.SlaveDown, "bond0", "eth1", "up", "down", "eth1 went down")],
            [new BondHealthSummary("bond0", BondHealth.Degraded, ["one slave down"])]),
        new BondProtocol.HostBondReport(B, new BondProtocol.BondStatusChanged([], [])),
        new OperatorProtocol.OperatorReply(false, "Stopping luban-b-1 would leave host B below its minimum."),
        new OperatorProtocol.StartVmNow(null),
        new OperatorProtocol.StartVmNow(B),
        new OperatorProtocol.StopVmNow(Vm),
        new PolicyValue("t-upper", "0.6", true),
        new OperatorProtocol.ActingOperator("operator admin", true),
        new OperatorProtocol.SetAutoscale(true),
        new OperatorProtocol.StartVmNow(B, new OperatorProtocol.ActingOperator("operator admin", true)),
        new OperatorProtocol.StopVmNow(Vm),
        new OperatorProtocol.SetPolicy("t-upper", "0.7"),
        OperatorProtocol.GetStatusJson.Instance,
        new OperatorProtocol.StatusJson("{\"members\":[]}"),
    ];

    public static TheoryData<int> SampleIndexes => new(Enumerable.Range(0, Samples.Length));

    [Theory]
    [MemberData(nameof(SampleIndexes))]
    public void Wire_message_should_round_trip_through_the_configured_serializer(int index)
    {
        var message = Samples[index];
        var serialization = Sys.Serialization;
        var serializer = serialization.FindSerializerFor(message);

        var bytes = serializer.ToBinary(message);
        var back = serialization.Deserialize(bytes, serializer.Identifier,
            Akka.Serialization.Serialization.ManifestFor(serializer, message));

        Assert.IsType<Luban.Protocol.Serialization.LubanJsonSerializer>(serializer);
        Assert.IsType(message.GetType(), back);
        // Records holding lists compare lists by reference, so equality is checked on the wire form.
        Assert.Equal(Encoding.UTF8.GetString(bytes), Encoding.UTF8.GetString(serializer.ToBinary(back)));
    }

    [Fact]
    public void Every_wire_message_type_should_have_a_round_trip_sample()
    {
        var wireTypes = typeof(ILubanWireMessage).Assembly.GetTypes()
            .Where(t => typeof(ILubanWireMessage).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false })
            .Select(t => t.FullName!)
            .Order()
            .ToList();

        Assert.Equal(wireTypes, Samples.Select(s => s.GetType().FullName!).Distinct().Order().ToList());
        Assert.Equal(wireTypes, WireTypes.All.Select(t => t.FullName!).Order().ToList());
    }
}
