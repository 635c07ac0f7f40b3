using Akka.Cluster.Hosting;
using Akka.Configuration;
using Akka.Hosting;
using Akka.Remote.Hosting;
using Luban.Protocol.Security;

namespace Luban.Actors.Cluster;

/// <summary>Loads the project's HOCON files for a role: test overrides, then the role file, then the common file.</summary>
public static class LubanHocon
{
    public static Config Load(string hoconDirectory, string role, Config? overrides = null)
    {
        var common = ConfigurationFactory.ParseString(File.ReadAllText(Path.Combine(hoconDirectory, "common.hocon")));
        var roleFile = ConfigurationFactory.ParseString(
            File.ReadAllText(Path.Combine(hoconDirectory, ClusterRoles.HoconFileOf(role))));
        var merged = roleFile.WithFallback(common);
        return overrides is null ? merged : overrides.WithFallback(merged);
    }

    public static Config LoadTestOverrides(string hoconDirectory) =>
        ConfigurationFactory.ParseString(File.ReadAllText(Path.Combine(hoconDirectory, "test.hocon")));
}

public static class LubanClusterHosting
{
    /// <summary>
    /// The one place a Luban process joins the cluster: HOCON files, remoting on the given address, the role, and the
    /// seed list, over mutual TLS with <paramref name="credentials"/>. A seed with no seed list joins itself, so a port
    /// of 0 works in tests.
    /// </summary>
    public static AkkaConfigurationBuilder AddLubanCluster(this AkkaConfigurationBuilder builder,
        ClusterNodeOptions options, NodeCredentials credentials, Microsoft.Extensions.Logging.ILoggerFactory loggerFactory,
        Config? overrides = null)
    {
        var hocon = LubanHocon.Load(options.HoconDirectory, options.Role, overrides);
        builder
            .AddHocon(hocon, HoconAddMode.Prepend)
            // Akka's log lines go through the process's Microsoft.Extensions.Logging: one format per process.
            .ConfigureLoggers(loggers =>
            {
                loggers.LogLevel = Akka.Event.Logging.LogLevelFor(hocon.GetString("akka.loglevel", "INFO"));
                loggers.ClearLoggers();
                loggers.AddLogger<AkkaLogBridge>();
            })
            .AddSetup(new AkkaLogBridgeSetup(loggerFactory))
            // Every connection is mutual TLS with the cluster's CA, and every message is signed by its sender.
            .AddSetup(ClusterTls.Setup(credentials, TimeProvider.System))
            .AddSetup(new WireIdentitySetup(credentials))
            .WithRemoting(new RemoteOptions
            {
                HostName = options.BindHost,
                Port = options.Port,
                PublicHostName = options.PublicHost,
                EnableSsl = true,
            })
            .WithClustering(new ClusterOptions
            {
                Roles = [options.Role],
                SeedNodes = options.Seeds.ToArray(),
            });

        // Every member proves to the seeds that its certificate gives it the roles it joined with.
        builder.WithActors((system, _) => system.ActorOf(MemberIdentifier.Props(), "member-identifier"));

        if (options.Seeds.Count == 0)
            builder.AddStartup((system, _) =>
            {
                var cluster = Akka.Cluster.Cluster.Get(system);
                cluster.Join(cluster.SelfAddress);
            });
        return builder;
    }
}
