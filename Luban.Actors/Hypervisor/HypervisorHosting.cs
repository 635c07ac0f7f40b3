using Akka.Configuration;
using Akka.Hosting;
using Luban.Actors.Cluster;
using Luban.Actors.Common;
using Luban.Actors.Scaling;

namespace Luban.Actors.Hypervisor;

/// <summary>Registry key of this host's HypervisorAgent.</summary>
public sealed class HypervisorAgentKey;

public static class HypervisorHosting
{
    public const string ActorName = "hypervisor-agent";

    /// <summary>The agent's settings from HOCON; a bad value throws <see cref="ConfigurationError"/> naming its key.</summary>
    public static HypervisorSettings ReadSettings(Config config) => HypervisorSettings.Read(config);

    /// <summary>
    /// The host's HypervisorAgent over libvirt (<see cref="LibvirtHypervisor"/>), the SSH connection probe pinned to
    /// the image's host key and the HTTP health probe; it registers with the ScaleSupervisor proxy from the registry.
    /// </summary>
    public static AkkaConfigurationBuilder AddHypervisorAgent(this AkkaConfigurationBuilder builder,
        ClusterNodeOptions options, HypervisorSettings settings) =>
        builder.WithActors((system, registry) =>
        {
            var supervisor = registry.Get<ScaleSupervisorKey>();
            var agent = system.ActorOf(HypervisorAgent.Props(new HostId(options.HostId), settings, supervisor,
                () => new HypervisorAgentDependencies(
                    new LibvirtHypervisor(settings.Uri),
                    ConnectionProbe.ForImage(settings),
                    new HttpHealthProbe())), ActorName);
            registry.Register<HypervisorAgentKey>(agent);
        });
}
