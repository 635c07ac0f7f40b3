using Akka.Actor;
using Akka.Cluster;
using Luban.Actors.Cluster;
using Luban.Actors.Status;

namespace Luban.Seed.Admin;

public static class AdminEndpoints
{
    public static void MapAdminEndpoints(this WebApplication app, ClusterNodeOptions options)
    {
        app.MapGet("/healthz", () => Results.Text("ok\n"));
        app.MapGet("/api/status", (ActorSystem system, TimeProvider clock) =>
        {
            var cluster = Cluster.Get(system);
            var state = cluster.State;
            return Results.Json(new StatusDocument(
                clock.GetUtcNow(),
                cluster.SelfAddress.ToString(),
                state.Leader?.ToString(),
                ClusterStatus.MembersOf(state)));
        });
        app.Logger.LogInformation("Admin endpoint for host {Host} at {Url}", options.HostId, options.AdminUrl);
    }
}
