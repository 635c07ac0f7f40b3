using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.Transforms;
using Yarp.ReverseProxy.Transforms.Builder;

namespace Luban.Seed.FrontDoor;

/// <summary>
/// The public endpoint: a Kestrel server of its own running only the proxy, so no admin route or logging sits on the
/// request path.
/// </summary>
public static class FrontDoorApp
{
    /// <summary>The runtime's switch (read once, at the process's first socket operation) for running socket
    /// continuations on the epoll thread instead of queuing each to the thread pool. The seed's entry point sets it
    /// for its own process only (see Program.cs).</summary>
    public const string InlineSocketCompletions = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    public static WebApplication Build(FrontDoorSettings settings)
    {
        // The empty builder: no configuration files watched for changes, no host filtering or authorization middleware.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { Args = [] });
        builder.WebHost.UseKestrelCore();
        builder.Services.AddRoutingCore();
        builder.WebHost.UseUrls(settings.PublicUrl.ToString().TrimEnd('/'));
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxConcurrentConnections = null;
        });
        builder.Logging.ClearProviders().AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss.fff ";
        });
        // Per-request logging would cost more than the proxying itself.
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Logging.AddFilter("Yarp.ReverseProxy.Health", LogLevel.Information);
        // One line per ejection comes from ConnectRetry; a stack trace per failed request would drown it.
        builder.Logging.AddFilter("Yarp.ReverseProxy.Forwarder.HttpForwarder", LogLevel.Error);
        builder.Logging.AddFilter("Yarp.ReverseProxy.Health.ActiveHealthCheckMonitor", LogLevel.Error);
        // Any enabled level here makes hosting start an Activity and a log scope for every request.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);

        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton<InFlightRequests>();
        builder.Services.AddSingleton<Metrics.SeedMetrics>();
        builder.Services.AddSingleton<FrontDoorStanding>();
        builder.Services.AddSingleton<ConnectRetry>();
        var connector = new VmConnector(settings.ConnectTimeout, settings.ConnectConcurrency);
        builder.Services.AddSingleton(connector);
        builder.Services.AddSingleton<IAvailableDestinationsPolicy, HealthyOnlyDestinationsPolicy>();
        var limited = ClientLimits.AddTo(builder.Services, settings);
        var (routes, clusters) = FrontDoorConfig.Build([], settings);
        builder.Services.AddReverseProxy()
            .LoadFromMemory(routes, clusters)
            .ConfigureHttpClient((_, handler) =>
            {
                handler.PooledConnectionIdleTimeout = settings.PooledIdleTimeout;
                handler.MaxConnectionsPerServer = settings.MaxConnectionsPerBackend;
                handler.UseCookies = false;
                handler.UseProxy = false;
                handler.AllowAutoRedirect = false;
                handler.AutomaticDecompression = System.Net.DecompressionMethods.None;
                handler.ActivityHeadersPropagator = null;
                handler.ConnectCallback = connector.ConnectAsync;
            });

        var app = builder.Build();
        // The client's address only, like the HAProxy and nginx set-ups: X-Forwarded-Proto/Host would be two more
        // headers per request for each side to write and parse, and Luban.Web reads neither.
        var transformer = app.Services.GetRequiredService<ITransformBuilder>().Create(transforms =>
        {
            transforms.UseDefaultForwarders = false;
            transforms.AddXForwardedFor();
        });
        var forwarder = ActivatorUtilities.CreateInstance<FrontDoorForwarder>(app.Services, transformer);
        if (limited) app.UseRateLimiter();
        app.Run(forwarder.InvokeAsync);
        // Never reached: mapped so that YARP loads its configuration and probes the destinations; routing and
        // authorization are placed here explicitly so WebApplication does not put them in front of the forwarder.
        app.UseRouting();
        app.UseAuthorization();
        app.MapReverseProxy();
        return app;
    }
}
