using Akka.Configuration;
using Akka.Hosting;
using Luban.Actors.Cluster;
using Luban.Actors.Scaling;
using Luban.Protocol;

namespace Luban.Actors.Hypervisor;

/// <summary>Registry key of this host's HypervisorAgent.</summary>
public sealed class HypervisorAgentKey;

public static class HypervisorHosting
{
    public const string ActorName = "hypervisor-agent";

    /// <summary>The agent's settings from HOCON; a bad value throws <see cref="ConfigurationError"/> naming its key.</summary>
    public static HypervisorSettings ReadSettings(Config config) => HypervisorSettings.Read(config);

    /// <summary>
    /// The host's HypervisorAgent with the adapters <paramref name="dependencies"/> makes (libvirt, the SSH connection
    /// probe, the HTTP health probe: see Luban.Node); it registers with the ScaleSupervisor proxy from the registry.
    /// </summary>
    public static AkkaConfigurationBuilder AddHypervisorAgent(this AkkaConfigurationBuilder builder,
        ClusterNodeOptions options, HypervisorSettings settings, Func<HypervisorAgentDependencies> dependencies) =>
        builder.WithActors((system, registry) =>
        {
            var supervisor = registry.Get<ScaleSupervisorKey>();
            var agent = system.ActorOf(HypervisorAgent.Props(new HostId(options.HostId), settings, supervisor,
                dependencies), ActorName);
            registry.Register<HypervisorAgentKey>(agent);
        });
}
