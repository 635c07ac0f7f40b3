using System.Diagnostics;
using Luban.Seed.Metrics;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.Model;

namespace Luban.Seed.FrontDoor;

/// <summary>
/// The whole request path of the front door, as one terminal middleware: pick a destination among those YARP's health
/// checks keep available, count it in flight, forward, report the outcome to the passive health policy, and retry a
/// request whose connection could not be opened on another VM. YARP still owns the configuration, the active probes
/// and the health state; only routing and its per-request middleware chain are skipped.
/// </summary>
public sealed class FrontDoorForwarder
{
    private const int MaxAttempts = 3;

    /// <summary>Answered by the front door itself, never forwarded: keepalived's check that this host's front door
    /// serves and stands in the cluster (a hung or cut-off front door gives up the virtual address even while the VMs
    /// are fine). 200 or 503 with the reason; see <see cref="FrontDoorStanding"/>.</summary>
    public static readonly PathString AlivePath = new("/.luban/front-door");

    private readonly IProxyStateLookup _proxy;
    private readonly IHttpForwarder _forwarder;
    private readonly HttpTransformer _transformer;
    private readonly InFlightRequests _inFlight;
    private readonly ConnectRetry _retry;
    private readonly Dictionary<string, IPassiveHealthCheckPolicy> _passivePolicies;
    private readonly FrontDoorStanding _standing;
    private readonly SeedMetrics _metrics;
    private readonly string _host;
    private int _roundRobin = -1;

    public FrontDoorForwarder(IProxyStateLookup proxy, IHttpForwarder forwarder, HttpTransformer transformer,
        InFlightRequests inFlight, ConnectRetry retry, IEnumerable<IPassiveHealthCheckPolicy> passivePolicies,
        FrontDoorStanding standing, FrontDoorSettings settings, SeedMetrics metrics)
    {
        _metrics = metrics;
        _standing = standing;
        _host = settings.Host.Value;
        _proxy = proxy;
        _forwarder = forwarder;
        _transformer = transformer;
        _inFlight = inFlight;
        _retry = retry;
        _passivePolicies = passivePolicies.ToDictionary(p => p.Name, StringComparer.OrdinalIgnoreCase);
    }

    public Task InvokeAsync(HttpContext context)
    {
        if (context.Request.Path.Equals(AlivePath)) return Alive(context);
        if (!_proxy.TryGetCluster(FrontDoorConfig.ClusterId, out var cluster)) return Unavailable(context);
        var available = cluster.DestinationsState.AvailableDestinations;
        if (available.Count == 0) return Unavailable(context);
        return ForwardAsync(context, cluster, Pick(cluster.Model.Config.LoadBalancingPolicy, available));
    }

    private async Task ForwardAsync(HttpContext context, ClusterState cluster, DestinationState destination)
    {
        List<DestinationState>? tried = null;
        for (var attempt = 1; ; attempt++)
        {
            var result = await ForwardOnceAsync(context, cluster, destination);
            if (result == ForwarderError.None || attempt >= MaxAttempts || context.Response.HasStarted) return;
            var error = context.Features.Get<IForwarderErrorFeature>();
            if (error is null || !ConnectRetry.IsConnectFailure(error)) return;

            (tried ??= new List<DestinationState>(MaxAttempts)).Add(destination);
            _retry.Eject(cluster, destination, error);
            // Start the attempt afresh on the least loaded destination not tried yet.
            var next = LeastInFlight(cluster.DestinationsState.AvailableDestinations, tried);
            if (next is null) return;
            context.Features.Set<IForwarderErrorFeature>(null);
            context.Response.StatusCode = StatusCodes.Status200OK;
            destination = next;
        }
    }

    private async ValueTask<ForwarderError> ForwardOnceAsync(HttpContext context, ClusterState cluster, DestinationState destination)
    {
        var model = cluster.Model;
        var counter = _inFlight.Enter(destination.DestinationId);
        var started = Stopwatch.GetTimestamp();
        ForwarderError result;
        try
        {
            result = await _forwarder.SendAsync(context, destination.Model.Config.Address, model.HttpClient,
                model.Config.HttpRequest ?? ForwarderRequestConfig.Empty, _transformer);
        }
        finally
        {
            InFlightRequests.Leave(counter);
        }

        _metrics.ForVm(destination.DestinationId).Record(result, context.Response.StatusCode, Stopwatch.GetElapsedTime(started));

        if (model.Config.HealthCheck?.Passive is { Enabled: true } passive)
        {
            var name = string.IsNullOrEmpty(passive.Policy) ? HealthCheckConstants.PassivePolicy.TransportFailureRate : passive.Policy;
            _passivePolicies[name].RequestProxied(context, cluster, destination);
        }
        return result;
    }

    private DestinationState Pick(string? policy, IReadOnlyList<DestinationState> available)
    {
        if (available.Count == 1) return available[0];
        if (string.Equals(policy, Yarp.ReverseProxy.LoadBalancing.LoadBalancingPolicies.LeastRequests, StringComparison.OrdinalIgnoreCase))
            return LeastInFlight(available, skip: null)!;

        var turn = (uint)Interlocked.Increment(ref _roundRobin);
        return available[(int)(turn % (uint)available.Count)];
    }

    /// <summary>The destination with the fewest requests in flight (the first of equals), leaving out
    /// <paramref name="skip"/>; null when none is left.</summary>
    private DestinationState? LeastInFlight(IReadOnlyList<DestinationState> available, List<DestinationState>? skip)
    {
        DestinationState? best = null;
        var least = int.MaxValue;
        for (var i = 0; i < available.Count; i++)
        {
            var candidate = available[i];
            if (skip is not null && skip.Contains(candidate)) continue;
            var count = _inFlight.Of(candidate.DestinationId);
            if (best is null || count < least) (best, least) = (candidate, count);
        }

        return best;
    }

    private Task Alive(HttpContext context)
    {
        var notServing = _standing.NotServing;
        context.Response.StatusCode = notServing is null ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable;
        context.Response.ContentType = "text/plain";
        return context.Response.WriteAsync(notServing is null
            ? $"front door alive on host {_host}\n"
            : $"front door on host {_host} not serving: {notServing}\n");
    }

    private static Task Unavailable(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        context.Features.Set<IForwarderErrorFeature>(new ForwarderErrorFeature(ForwarderError.NoAvailableDestinations, null));
        return Task.CompletedTask;
    }

    private sealed class ForwarderErrorFeature(ForwarderError error, Exception? exception) : IForwarderErrorFeature
    {
        public ForwarderError Error { get; } = error;
        public Exception? Exception { get; } = exception;
    }
}
