using Akka.Actor;
using Akka.Hosting;
using Luban.Actors.Bonding;
using Luban.Actors.Cluster;
using Luban.Protocol.Bonding;
using Luban.Seed.Dashboard;
using Luban.Seed.Metrics;

namespace Luban.Seed.Admin;

public static class AdminEndpoints
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(3);

    public static void MapAdminEndpoints(this WebApplication app, ClusterNodeOptions options)
    {
        app.MapGet("/healthz", () => Results.Text("ok\n"));
        app.MapGet("/api/status", async (ActorSystem system, ActorRegistry registry, TimeProvider clock,
            CancellationToken cancel) => Results.Json(await StatusAssembler.AssembleAsync(system, registry, clock, cancel),
            StatusAssembler.Json));
        // The members as this seed sees them, without asking the supervisor: answers at once even while the supervisor
        // moves to another front-end host (when /api/status waits for it).
        app.MapGet("/api/members", (ActorSystem system) =>
            Results.Json(StatusAssembler.MembersOf(Akka.Cluster.Cluster.Get(system).State), StatusAssembler.Json));
        app.MapGet("/metrics", async (ActorRegistry registry, SeedMetrics metrics, CancellationToken cancel) =>
        {
            // prometheus-net's text: the VMs and hosts as the supervisor shows them now, its events, the front door's
            // requests; then the bond watcher's families (none when no bond is watched). The supervisor and the bond
            // watcher are each asked once.
            metrics.ShowStatus((await StatusAssembler.SupervisorAsync(registry, cancel))?.Hosts);
            var text = await metrics.ExportAsync(cancel);
            if (registry.TryGet<BondWatcherKey>(out var watcher))
                text += (await watcher.Ask<BondProtocol.BondMetricsText>(BondProtocol.GetBondMetrics.Instance, AskTimeout, cancel)).Text;
            return Results.Text(text, BondMetrics.ContentType);
        });
        app.MapDashboard();
        app.Logger.LogInformation("Admin endpoint for host {Host} at {Url}", options.HostId, options.AdminUrl);
    }
}
