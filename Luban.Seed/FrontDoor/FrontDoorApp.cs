using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Health;

namespace Luban.Seed.FrontDoor;

/// <summary>
/// The public endpoint: a Kestrel server of its own running only the proxy, so no admin route or logging sits on the
/// request path.
/// </summary>
public static class FrontDoorApp
{
    public static WebApplication Build(FrontDoorSettings settings)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
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

        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton<InFlightRequests>();
        builder.Services.AddSingleton<ConnectRetry>();
        builder.Services.AddSingleton<IAvailableDestinationsPolicy, HealthyOnlyDestinationsPolicy>();
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
            });

        var app = builder.Build();
        var inFlight = app.Services.GetRequiredService<InFlightRequests>();
        var retry = app.Services.GetRequiredService<ConnectRetry>();
        app.MapReverseProxy(proxy =>
        {
            proxy.UseLoadBalancing();
            proxy.Use((context, next) => retry.ForwardAsync(context, next));
            proxy.Use((context, next) => inFlight.TrackAsync(context, next));
            proxy.UsePassiveHealthChecks();
        });
        return app;
    }
}
