using Luban.Actors.Scaling;
using Luban.Protocol;
using Luban.Protocol.Scaling;
using static Luban.Protocol.Hypervisor.HypervisorProtocol;

namespace Luban.Tests.Scaling;

/// <summary>What the ledger specs share: hosts B and C, their agents and addresses, a VM report in service, the
/// settings (5 s tick, cooldowns 30/60 s, 30 s drain deadline) and the events of a list of effects.</summary>
internal static class LedgerSpecSupport
{
    public static readonly HostId B = new("B");
    public static readonly HostId C = new("C");
    public static readonly DateTimeOffset T0 = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
    public static readonly SupervisorSettings Settings = new()
    {
        Policy = new ScalingSettings { TickInterval = TimeSpan.FromSeconds(5), ScaleOutCooldown = TimeSpan.FromSeconds(30), ScaleInCooldown = TimeSpan.FromSeconds(60) },
        DrainDeadline = TimeSpan.FromSeconds(30),
    };

    public static string AgentOf(HostId host) => $"akka://luban/user/agent-{host}#1";

    public static string AddressOf(HostId host) => $"akka.ssl.tcp://luban@10.0.0.{(host == B ? 2 : 3)}:4053";

    public static VmReport Serving(HostId host, int index, int connections, DateTimeOffset since) =>
        new(VmId.For(host, index), VmState.InService, $"http://127.0.0.1:{(host == B ? 20100 : 20200) + index}", connections, since);

    /// <summary>"kind rule" of every event the effects recorded.</summary>
    public static IEnumerable<string> Kinds(IEnumerable<SupervisorEffect> effects) =>
        effects.OfType<SupervisorEffect.Recorded>().Select(r => $"{r.Event.Kind} {r.Event.Rule}");
}
