using System.Text.Json.Serialization;
using Akka.Cluster;

namespace Luban.Actors.Status;

/// <summary>One member of the cluster as <c>/api/status</c> shows it.</summary>
public sealed record MemberStatusView(
    [property: JsonPropertyName("address")] string Address,
    [property: JsonPropertyName("roles")] IReadOnlyList<string> Roles,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("reachable")] bool Reachable);

/// <summary>
/// The status document shared by the admin API, the CLI's <c>--json</c> and the dashboard. Later sections (hosts,
/// policy, events, bond) join it as they are built.
/// </summary>
public sealed record StatusDocument(
    [property: JsonPropertyName("generatedAt")] DateTimeOffset GeneratedAt,
    [property: JsonPropertyName("self")] string Self,
    [property: JsonPropertyName("leader")] string? Leader,
    [property: JsonPropertyName("members")] IReadOnlyList<MemberStatusView> Members);

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
