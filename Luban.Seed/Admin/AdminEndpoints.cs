using Akka.Actor;
using Akka.Cluster;
using Akka.Hosting;
using Luban.Actors.Cluster;
using Luban.Actors.Scaling;
using Luban.Actors.Status;
using static Luban.Actors.Scaling.ScalingProtocol;

namespace Luban.Seed.Admin;

public static class AdminEndpoints
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(3);

    public static void MapAdminEndpoints(this WebApplication app, ClusterNodeOptions options)
    {
        app.MapGet("/healthz", () => Results.Text("ok\n"));
        app.MapGet("/api/status", async (ActorSystem system, IRequiredActor<ScaleSupervisorKey> supervisor,
            TimeProvider clock, CancellationToken cancel) => Results.Json(await BuildStatusAsync(system,
            supervisor.ActorRef, clock, cancel)));
        app.Logger.LogInformation("Admin endpoint for host {Host} at {Url}", options.HostId, options.AdminUrl);
    }

    public static async Task<StatusDocument> BuildStatusAsync(ActorSystem system, IActorRef supervisor,
        TimeProvider clock, CancellationToken cancel)
    {
        var cluster = Cluster.Get(system);
        var state = cluster.State;
        var problems = new List<string>();
        SupervisorStatus? scaling = null;
        try
        {
            scaling = await supervisor.Ask<SupervisorStatus>(GetSupervisorStatus.Instance, AskTimeout, cancel);
        }
        catch (AskTimeoutException)
        {
            // Before the singleton is up (or while it moves) the members are still worth showing.
            problems.Add($"the scale supervisor did not answer within {AskTimeout.TotalSeconds:0} s");
        }

        return new StatusDocument(
            clock.GetUtcNow(),
            cluster.SelfAddress.ToString(),
            state.Leader?.ToString(),
            ClusterStatus.MembersOf(state),
            scaling?.Hosts ?? [],
            scaling?.Policy,
            scaling?.LastDecision,
            scaling?.Events ?? [],
            problems);
    }
}
