using Akka.Cluster.Hosting;
using Akka.Cluster.Tools.Client;
using Akka.Configuration;
using Akka.Hosting;
using Luban.Actors.Bonding;
using Luban.Actors.Cluster;
using Luban.Actors.Scaling;
using Luban.Protocol;
using Luban.Seed.Admin;
using Luban.Seed.Dashboard;
using Luban.Seed.FrontDoor;
using Luban.Seed.Operator;
using Yarp.ReverseProxy.Configuration;

namespace Luban.Seed;

/// <summary>
/// The seed process: the cluster role <c>seed</c> with its actors and admin endpoint, and the front door on its own
/// Kestrel server. Tests compose it the same way.
/// </summary>
public sealed class SeedApp : IAsyncDisposable
{
    private SeedApp(WebApplication admin, WebApplication frontDoor, TimeSpan rejoinDelay)
    {
        Admin = admin;
        FrontDoor = frontDoor;
        RejoinDelay = rejoinDelay;
    }

    /// <summary>How long a seed whose actor system ended (downed) waits before it joins again (<c>luban.seed.rejoin-delay</c>).</summary>
    public TimeSpan RejoinDelay { get; }

    /// <summary>The admin endpoint; its services hold the actor system.</summary>
    public WebApplication Admin { get; }

    public WebApplication FrontDoor { get; }

    public IServiceProvider Services => Admin.Services;

    /// <summary>Composes the seed; throws <see cref="ConfigurationError"/> naming the key of a bad HOCON value.</summary>
    public static SeedApp Build(ClusterNodeOptions options, Config? overrides = null)
    {
        var hocon = LubanHocon.Load(options.HoconDirectory, options.Role, overrides);
        var credentials = NodeCertificates.Load(options, DateTimeOffset.UtcNow);
        var supervisorSettings = PolicyTable.Read(hocon);
        var bondSettings = BondHosting.ReadSettings(options, hocon);
        var frontDoorSettings = FrontDoorSettings.Read(hocon, options);
        var dashboardSettings = DashboardSettings.Read(hocon);

        var frontDoor = FrontDoorApp.Build(frontDoorSettings);
        var yarp = frontDoor.Services.GetRequiredService<InMemoryConfigProvider>();
        var inFlight = frontDoor.Services.GetRequiredService<InFlightRequests>();
        var live = frontDoor.Services.GetRequiredService<Yarp.ReverseProxy.IProxyStateLookup>();
        var standing = frontDoor.Services.GetRequiredService<FrontDoorStanding>();
        var healthMonitor = frontDoor.Services.GetRequiredService<Yarp.ReverseProxy.Health.IActiveHealthCheckMonitor>();
        var metrics = frontDoor.Services.GetRequiredService<Metrics.SeedMetrics>();

        // Our own options were parsed already; ASP.NET gets no arguments so it cannot reinterpret them.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.WebHost.UseUrls(options.AdminUrl!.ToString().TrimEnd('/'));
        builder.Logging.ClearProviders().AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss.fff ";
        });
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(metrics);
        builder.Services.ConfigureHttpJsonOptions(json =>
            json.SerializerOptions.Converters.Add(new System.Text.Json.Serialization.JsonStringEnumConverter()));
        builder.Services.AddAkka(ClusterNodeOptions.SystemName, (akka, services) => akka
            .AddLubanCluster(options, credentials, services.GetRequiredService<ILoggerFactory>(), overrides)
            .AddScaleSupervisor(supervisorSettings, new HostId(options.HostId))
            .AddBondWatcher(options, bondSettings)
            .WithClusterClientReceptionist()
            .WithActors((system, registry) =>
            {
                system.ActorOf(FrontDoorMembership.Props(yarp, live, inFlight, frontDoorSettings,
                    registry.Get<ScaleSupervisorKey>(), standing, healthMonitor.CheckHealthAsync), "front-door");
                system.ActorOf(MembershipGuard.Props(hocon.GetTimeSpan(MembershipGuardSettings.IdentifyWithinKey,
                    MembershipGuardSettings.DefaultIdentifyWithin, false), registry.Get<ScaleSupervisorKey>()), "membership-guard");
                system.ActorOf(Metrics.MetricsRecorder.Props(metrics.Events), "metrics");
                registry.Register<HistorySamplerKey>(system.ActorOf(
                    HistorySampler.Props(dashboardSettings, registry.Get<ScaleSupervisorKey>()), "dashboard-history"));
                var endpoint = system.ActorOf(OperatorEndpoint.Props(registry, TimeProvider.System), "operator");
                ClusterClientReceptionist.Get(system).RegisterService(endpoint);
            }));

        var admin = builder.Build();
        admin.MapAdminEndpoints(options);
        return new SeedApp(admin, frontDoor, hocon.GetTimeSpan("luban.seed.rejoin-delay", TimeSpan.FromSeconds(2), allowInfinite: false));
    }

    public async Task StartAsync(CancellationToken cancel = default)
    {
        await Admin.StartAsync(cancel);
        await FrontDoor.StartAsync(cancel);
    }

    public async Task StopAsync(CancellationToken cancel = default)
    {
        // The front door first, so no request is accepted that the cluster can no longer serve.
        await FrontDoor.StopAsync(cancel);
        await Admin.StopAsync(cancel);
    }

    public async ValueTask DisposeAsync()
    {
        await FrontDoor.DisposeAsync();
        await Admin.DisposeAsync();
    }
}
