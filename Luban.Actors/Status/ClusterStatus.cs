using Akka.Cluster;
using Luban.Actors.Bonding;
using static Luban.Actors.Scaling.ScalingProtocol;

namespace Luban.Actors.Status;

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
    IReadOnlyList<string> Problems);

public static class ClusterStatus
{
    public static IReadOnlyList<MemberStatusView> MembersOf(ClusterEvent.CurrentClusterState state)
    {
        var unreachable = state.Unreachable.Select(m => m.UniqueAddress).ToHashSet();
        return state.Members
            .OrderBy(m => m.Address.ToString(), StringComparer.Ordinal)
            .Select(m => new MemberStatusView(
                m.Address.ToString(),
                m.Roles.Where(r => !r.StartsWith("dc-", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList(),
                m.Status.ToString(),
                !unreachable.Contains(m.UniqueAddress)))
            .ToList();
    }
}
