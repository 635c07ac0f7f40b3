using System.Text.Json;
using System.Text.Json.Serialization;
using Akka.Actor;
using Akka.Cluster;
using Akka.Hosting;
using Luban.Actors.Bonding;
using Luban.Actors.Scaling;
using Luban.Protocol.Bonding;
using Luban.Protocol.Status;
using static Luban.Protocol.Scaling.ScalingProtocol;

namespace Luban.Seed.Admin;

/// <summary>
/// Builds the one status document that the admin API, the CLI's <c>--json</c> and the dashboard all show.
/// </summary>
public static class StatusAssembler
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(3);

    /// <summary>camelCase, enums as names: the document's wire form everywhere.</summary>
    public static JsonSerializerOptions Json { get; } = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>The supervisor's status; null when it did not answer within the ask timeout (it starts or moves).</summary>
    public static async Task<SupervisorStatus?> SupervisorAsync(IActorRegistry registry, CancellationToken cancel)
    {
        try
        {
            return await registry.Get<ScaleSupervisorKey>().Ask<SupervisorStatus>(GetSupervisorStatus.Instance, AskTimeout, cancel);
        }
        catch (AskTimeoutException)
        {
            return null;
        }
    }

    public static async Task<StatusDocument> AssembleAsync(ActorSystem system, IActorRegistry registry,
        TimeProvider clock, CancellationToken cancel)
    {
        var cluster = Cluster.Get(system);
        var state = cluster.State;
        var problems = new List<string>();
        var scaling = await SupervisorAsync(registry, cancel);
        // Before the singleton is up (or while it moves) the members are still worth showing.
        if (scaling is null) problems.Add($"the scale supervisor did not answer within {AskTimeout.TotalSeconds:0} s");

        BondProtocol.BondStatusReport? bond = null;
        if (registry.TryGet<BondWatcherKey>(out var watcher))
        {
            try
            {
                bond = await watcher.Ask<BondProtocol.BondStatusReport>(BondProtocol.GetBondStatus.Instance, AskTimeout, cancel);
            }
            catch (AskTimeoutException)
            {
                problems.Add($"the bond watcher did not answer within {AskTimeout.TotalSeconds:0} s");
            }
        }

        return new StatusDocument(
            clock.GetUtcNow(),
            cluster.SelfAddress.ToString(),
            state.Leader?.ToString(),
            MembersOf(state),
            scaling?.Hosts ?? [],
            scaling?.Policy,
            scaling?.LastDecision,
            scaling?.Events ?? [],
            bond,
            problems,
            scaling?.SupervisorHost,
            scaling?.FrontDoors ?? [],
            scaling?.SupervisorSince);
    }

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
