using System.Net;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;
using static Luban.Protocol.Scaling.ScalingProtocol;

namespace Luban.Seed.FrontDoor;

/// <summary>
/// Builds the YARP configuration from the backends in rotation. Pure: the same input always gives the same routes and
/// clusters, so an unchanged membership leaves YARP's destination health state untouched.
/// </summary>
public static class FrontDoorConfig
{
    public const string ClusterId = "vms";
    public const string RouteId = "all";

    public static (IReadOnlyList<RouteConfig> Routes, IReadOnlyList<ClusterConfig> Clusters) Build(
        IReadOnlyList<Backend> backends, FrontDoorSettings settings)
    {
        var route = new RouteConfig
        {
            RouteId = RouteId,
            ClusterId = ClusterId,
            Match = new RouteMatch { Path = "{**catch-all}" },
        };

        var destinations = new Dictionary<string, DestinationConfig>(StringComparer.Ordinal);
        foreach (var backend in backends.OrderBy(b => b.Vm.Value, StringComparer.Ordinal))
            destinations[backend.Vm.Value] = new DestinationConfig { Address = backend.Endpoint };
        for (var i = 0; i < settings.StaticBackends.Count; i++)
            destinations[$"static-{i + 1}"] = new DestinationConfig { Address = settings.StaticBackends[i].ToString() };

        var cluster = new ClusterConfig
        {
            ClusterId = ClusterId,
            LoadBalancingPolicy = settings.LoadBalancing == LoadBalancing.RoundRobin
                ? Yarp.ReverseProxy.LoadBalancing.LoadBalancingPolicies.RoundRobin
                : Yarp.ReverseProxy.LoadBalancing.LoadBalancingPolicies.LeastRequests,
            HealthCheck = new HealthCheckConfig
            {
                AvailableDestinationsPolicy = HealthyOnlyDestinationsPolicy.PolicyName,
                Active = new ActiveHealthCheckConfig
                {
                    Enabled = true,
                    Interval = settings.HealthInterval,
                    Timeout = settings.HealthTimeout,
                    Policy = Yarp.ReverseProxy.Health.HealthCheckConstants.ActivePolicy.ConsecutiveFailures,
                    Path = settings.HealthPath,
                },
                Passive = new PassiveHealthCheckConfig
                {
                    Enabled = true,
                    Policy = Yarp.ReverseProxy.Health.HealthCheckConstants.PassivePolicy.TransportFailureRate,
                    ReactivationPeriod = settings.PassiveReactivation,
                },
            },
            Metadata = new Dictionary<string, string>
            {
                ["ConsecutiveFailuresHealthPolicy.Threshold"] = settings.HealthFailures.ToString(),
            },
            HttpClient = new HttpClientConfig
            {
                MaxConnectionsPerServer = settings.MaxConnectionsPerBackend,
                DangerousAcceptAnyServerCertificate = false,
            },
            HttpRequest = new ForwarderRequestConfig
            {
                // HTTP/1.1 with keep-alive to the VMs: Luban.Web inside a VM speaks plain HTTP/1.1.
                Version = HttpVersion.Version11,
                VersionPolicy = HttpVersionPolicy.RequestVersionExact,
                ActivityTimeout = TimeSpan.FromSeconds(100),
            },
            Destinations = destinations,
        };
        return ([route], [cluster]);
    }
}
