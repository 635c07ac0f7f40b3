using Luban.Protocol.Bonding;
using static Luban.Protocol.Scaling.ScalingProtocol;

namespace Luban.Protocol.Status;

/// <summary>One member of the cluster as <c>/api/status</c> shows it.</summary>
public sealed record MemberStatusView(string Address, IReadOnlyList<string> Roles, string Status, bool Reachable);

/// <summary>
/// The status document shared by the admin API, the CLI's <c>--json</c> and the dashboard (camelCase JSON).
/// <paramref name="Hosts"/>, <paramref name="Policy"/> and the events are empty when the supervisor did not answer;
/// <paramref name="Problems"/> then says why. <paramref name="Bond"/> is null when this host watches no bond.
/// </summary>
public sealed record StatusDocument(
    DateTimeOffset GeneratedAt,
    string Self,
    string? Leader,
    IReadOnlyList<MemberStatusView> Members,
    IReadOnlyList<HostStatus> Hosts,
    PolicyStatus? Policy,
    ScaleEvent? LastDecision,
    IReadOnlyList<ScaleEvent> Events,
    BondProtocol.BondStatusReport? Bond,
    IReadOnlyList<string> Problems,
    string? SupervisorHost = null,
    IReadOnlyList<FrontDoorStatus>? FrontDoors = null,
    DateTimeOffset? SupervisorSince = null);
