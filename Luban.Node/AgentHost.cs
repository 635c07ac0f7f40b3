using Akka.Actor;
using Akka.Configuration;
using Akka.Hosting;
using Luban.Actors.Bonding;
using Luban.Actors.Cluster;
using Luban.Actors.Hypervisor;
using Luban.Actors.Scaling;
using Luban.Adapters.Libvirt;
using Luban.Adapters.Probes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Luban.Node;

/// <summary>Marker key for the seed watcher in the actor registry.</summary>
public sealed class SeedWatcherKey;

/// <summary>Composes one agent incarnation: cluster role <c>agent</c> and the seed watcher. Tests build it the same way.</summary>
public static class AgentHost
{
    /// <summary>Composes one incarnation; throws <see cref="ConfigurationError"/> naming the key of a bad HOCON value.</summary>
    public static IHost Build(ClusterNodeOptions options, Config? overrides = null)
    {
        var hocon = LubanHocon.Load(options.HoconDirectory, options.Role, overrides);
        var credentials = NodeCertificates.Load(options, DateTimeOffset.UtcNow);
        var bondSettings = BondHosting.ReadSettings(options, hocon);
        var hypervisorSettings = HypervisorHosting.ReadSettings(hocon);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [] });
        builder.Logging.ClearProviders().AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss.fff ";
        });
        builder.Services.AddAkka(ClusterNodeOptions.SystemName, (akka, services) => akka
            .AddLubanCluster(options, credentials, services.GetRequiredService<ILoggerFactory>(), overrides)
            .AddScaleSupervisorProxy()
            .AddHypervisorAgent(options, hypervisorSettings, () => new HypervisorAgentDependencies(
                new LibvirtHypervisor(hypervisorSettings.Uri),
                ConnectionProbe.ForImage(hypervisorSettings),
                new HttpHealthProbe()))
            .AddBondWatcher(options, bondSettings)
            .WithActors((system, registry) => registry.Register<SeedWatcherKey>(
                system.ActorOf(SeedWatcher.Props(), "seed-watcher"))));
        return builder.Build();
    }

    /// <summary>
    /// Runs agent incarnations until <paramref name="stop"/> fires: whenever the actor system ends on its own (the
    /// seed was lost, or the split-brain resolver downed this node) a fresh one is started and joins the seed again.
    /// </summary>
    public static async Task RunUntilStoppedAsync(ClusterNodeOptions options, TimeSpan rejoinDelay,
        CancellationToken stop, Config? overrides = null)
    {
        while (!stop.IsCancellationRequested)
        {
            using var host = Build(options, overrides);
            var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Luban.Node");
            await host.StartAsync(stop);
            var system = host.Services.GetRequiredService<ActorSystem>();
            logger.LogInformation("Agent {Host} started at {Address}, joining {Seeds}", options.HostId,
                Akka.Cluster.Cluster.Get(system).SelfAddress, string.Join(", ", options.Seeds));

            await Task.WhenAny(system.WhenTerminated, Task.Delay(Timeout.Infinite, stop)).ConfigureAwait(false);
            await host.StopAsync(TimeSpan.FromSeconds(15));
            if (stop.IsCancellationRequested) break;

            logger.LogWarning("Agent {Host}: actor system ended ({Reason}); rejoining in {Delay}", options.HostId,
                CoordinatedShutdown.Get(system).ShutdownReason?.GetType().Name ?? "terminated", rejoinDelay);
            await Task.Delay(rejoinDelay, stop).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }
}
