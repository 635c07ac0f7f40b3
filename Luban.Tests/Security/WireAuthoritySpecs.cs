using System.Net;
using Luban.Protocol;
using Luban.Protocol.Security;
using Luban.Tests.Support;
using static Luban.Protocol.Bonding.BondProtocol;
using static Luban.Protocol.Hypervisor.HypervisorProtocol;
using static Luban.Protocol.Operator.OperatorProtocol;
using static Luban.Protocol.Scaling.ScalingProtocol;

namespace Luban.Tests.Security;

/// <summary>Who may say what, by the certificate that signed it.</summary>
public sealed class WireAuthoritySpecs
{
    private static readonly HostId B = new("B");
    private static readonly HostId C = new("C");
    private static readonly VmId B1 = VmId.For(B, 1);

    private static ClusterIdentity Id(IdentityRole role, string name, params string[] addresses) =>
        new(role, name, addresses.Select(IPAddress.Parse).ToList(), DateTimeOffset.MaxValue);

    public static TheoryData<string, object, ClusterIdentity?, string?> Cases => new()
    {
        { "made in this process", new RegisterAgent(C, "10.0.0.9"), null, null },
        { "agent for its own host", new RegisterAgent(B, "127.0.0.1"), Id(IdentityRole.Agent, "B", "127.0.0.1"), null },
        { "agent for another host", new RegisterAgent(C, "127.0.0.1"), Id(IdentityRole.Agent, "B", "127.0.0.1"), "its certificate names host B" },
        { "agent forwarding elsewhere", new RegisterAgent(B, "10.0.0.9"), Id(IdentityRole.Agent, "B", "127.0.0.1"), "its certificate names 127.0.0.1" },
        { "seed registering as an agent", new RegisterAgent(B, "127.0.0.1"), Id(IdentityRole.Seed, "B", "127.0.0.1"), "only an agent certificate may" },
        { "report for another host", new HostReport(C, 1, 3, [], DateTimeOffset.UnixEpoch), Id(IdentityRole.Agent, "B", "127.0.0.1"), "host C" },
        { "start result for another host", new StartVmResult(C, "start-1", null, true, null), Id(IdentityRole.Agent, "B"), "host C" },
        { "stop result of its own host", new StopVmResult(B, "stop-1", B1, true, null), Id(IdentityRole.Agent, "B"), null },
        { "bond report of another host", new HostBondReport(C, new BondStatusChanged([], [])), Id(IdentityRole.Agent, "B"), "bond of host C" },
        { "membership from an agent", new BackendsChanged(1, []), Id(IdentityRole.Agent, "B"), "only a seed may" },
        { "membership from a seed", new BackendsChanged(1, []), Id(IdentityRole.Seed, "A"), null },
        { "drain progress from an operator", new DrainProgress(B1, 0, new HostId("A")), Id(IdentityRole.Operator, "alice"), "only a seed may" },
        { "start command from an agent", new StartVm(B, "start-1"), Id(IdentityRole.Agent, "C"), "only a seed may" },
        { "operator command straight from an operator", new StopVmNow(B1), Id(IdentityRole.Operator, "alice"), "only a seed may" },
        { "operator command through a seed", new StopVmNow(B1, new ActingOperator("operator alice", true)), Id(IdentityRole.Seed, "A"), null },
        { "a question from a viewer", GetSupervisorStatus.Instance, Id(IdentityRole.Viewer, "bob"), null },
        // What the seeds count and chart: the supervisor's events and status come from a seed, never from an agent.
        { "scale event from an agent", new ScaleEvent(DateTimeOffset.UnixEpoch, "start", "scale-out/all-above-upper", "forged"), Id(IdentityRole.Agent, "B"), "only a seed may" },
        { "scale event from a seed", new ScaleEvent(DateTimeOffset.UnixEpoch, "start", "scale-out/all-above-upper", "decided"), Id(IdentityRole.Seed, "A"), null },
        { "supervisor status from an agent", SupervisorStatuses.Of(), Id(IdentityRole.Agent, "B"), "only a seed may" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_signer_may_say_only_what_its_certificate_gives(string what, object message, ClusterIdentity? signer, string? refusal)
    {
        var actual = WireAuthority.Refusal(message, signer);

        if (refusal is null) Assert.True(actual is null, $"{what}: {actual}");
        else Assert.True(actual?.Contains(refusal, StringComparison.Ordinal) == true, $"{what}: {actual}");
    }

    [Theory]
    [InlineData(new[] { "seed" }, IdentityRole.Seed, null)]
    [InlineData(new[] { "agent" }, IdentityRole.Agent, null)]
    [InlineData(new[] { "seed" }, IdentityRole.Agent, "the seed role")]
    [InlineData(new[] { "agent" }, IdentityRole.Operator, "the agent role")]
    [InlineData(new[] { "client" }, IdentityRole.Agent, "none of a Luban node")]
    public void A_member_should_hold_a_certificate_for_the_roles_it_joined_with(string[] roles, IdentityRole holder, string? refusal)
    {
        var actual = WireAuthority.MemberRefusal(roles, Id(holder, holder is IdentityRole.Seed or IdentityRole.Agent ? "B" : "alice"));

        if (refusal is null) Assert.Null(actual);
        else Assert.Contains(refusal, actual);
    }
}
