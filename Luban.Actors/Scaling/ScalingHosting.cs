using Akka.Cluster.Hosting;
using Akka.Hosting;

namespace Luban.Actors.Scaling;

/// <summary>Registry key of the ScaleSupervisor singleton proxy.</summary>
public sealed class ScaleSupervisorKey;

public static class ScalingHosting
{
    public const string SingletonName = "scale-supervisor";

    /// <summary>The supervisor as a cluster singleton on role <c>seed</c>, with a proxy in the registry.</summary>
    public static AkkaConfigurationBuilder AddScaleSupervisor(this AkkaConfigurationBuilder builder,
        SupervisorSettings settings, Luban.Protocol.HostId? host = null) =>
        builder.WithSingleton<ScaleSupervisorKey>(SingletonName, ScaleSupervisor.Props(settings, host: host),
            new ClusterSingletonOptions { Role = Cluster.ClusterRoles.Seed }, createProxyToo: true);

    /// <summary>On agents and clients: only the proxy that reaches the singleton on the seed.</summary>
    public static AkkaConfigurationBuilder AddScaleSupervisorProxy(this AkkaConfigurationBuilder builder) =>
        builder.WithSingletonProxy<ScaleSupervisorKey>(SingletonName,
            new ClusterSingletonOptions { Role = Cluster.ClusterRoles.Seed });
}
