using System.Net.Sockets;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.Model;

namespace Luban.Seed.FrontDoor;

/// <summary>
/// A request whose connection to its VM could not even be opened (the VM just died or was stopped) never reached
/// it, so it is safe to send to another VM: the client sees no error. The dead VM is ejected at once.
/// </summary>
public sealed class ConnectRetry(IDestinationHealthUpdater health, FrontDoorSettings settings, ILogger<ConnectRetry> log)
{
    private const int MaxAttempts = 3;

    public async Task ForwardAsync(HttpContext context, RequestDelegate next)
    {
        var proxy = context.GetReverseProxyFeature();
        List<DestinationState>? tried = null;
        for (var attempt = 1; ; attempt++)
        {
            await next(context);
            var error = context.Features.Get<IForwarderErrorFeature>();
            if (error is null || attempt >= MaxAttempts || context.Response.HasStarted || !IsConnectFailure(error)) return;

            var failed = proxy.ProxiedDestination;
            if (failed is null) return;
            (tried ??= new List<DestinationState>(MaxAttempts)).Add(failed);
            var cluster = context.GetRouteModel().Cluster;
            if (cluster is null) return;
            if (failed.Health.Passive != DestinationHealth.Unhealthy)
                log.LogWarning("Ejecting {Destination} ({Address}) for {Period}: connection failed ({Error}); retrying its request elsewhere",
                    failed.DestinationId, failed.Model.Config.Address, settings.PassiveReactivation, error.Exception?.Message);
            health.SetPassive(cluster, failed, DestinationHealth.Unhealthy, settings.PassiveReactivation);

            var others = cluster.DestinationsState.AvailableDestinations.Where(d => !tried.Contains(d)).ToList();
            if (others.Count == 0) return;

            // Start the attempt afresh on one other destination, picked by load like the balancer would.
            context.Features.Set<IForwarderErrorFeature>(null);
            context.Response.StatusCode = StatusCodes.Status200OK;
            proxy.AvailableDestinations = [others.MinBy(d => d.ConcurrentRequestCount)!];
        }
    }

    private static bool IsConnectFailure(IForwarderErrorFeature error)
    {
        if (error.Error != ForwarderError.Request) return false;
        for (var e = error.Exception; e is not null; e = e.InnerException)
        {
            if (e is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError }) return true;
            if (e is SocketException { SocketErrorCode: SocketError.ConnectionRefused or SocketError.HostUnreachable or SocketError.NetworkUnreachable })
                return true;
        }

        return false;
    }
}
