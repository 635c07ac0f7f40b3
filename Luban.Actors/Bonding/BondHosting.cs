using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Configuration;
using Akka.Hosting;
using Luban.Actors.Cluster;
using Luban.Actors.Scaling;
using Luban.Protocol;
using Luban.Protocol.Bonding;
using static Luban.Protocol.Bonding.BondProtocol;

namespace Luban.Actors.Bonding;

/// <summary>Registry key of this process's BondWatcher.</summary>
public sealed class BondWatcherKey;

/// <summary>
/// Carries every <see cref="BondStatusChanged"/> to the cluster: the <c>luban-bond</c> topic (CLI, dashboard) and the
/// ScaleSupervisor (event log, placement).
/// </summary>
public sealed class BondNewsForwarder : ReceiveActor
{
    public const string Topic = "luban-bond";

    public BondNewsForwarder(HostId host, IActorRef supervisor, IActorRef mediator)
    {
        Receive<BondStatusChanged>(changed =>
        {
            mediator.Tell(new Publish(Topic, new BondProtocol.HostBondReport(host, changed)));
            supervisor.Tell(new BondProtocol.HostBondReport(host, changed));
        });
    }
}

public static class BondHosting
{
    public const string PollIntervalKey = "luban.bond.poll-interval";
    public const string ExpectedModeKey = "luban.bond.expected-mode";
    public const string MiiPollingKey = "luban.bond.mii-polling-ms";
    public const string MinSlavesUpKey = "luban.bond.min-slaves-up";

    /// <summary>The watcher's settings from options and HOCON; a bad value stops start-up naming its key.</summary>
    public static BondWatcherSettings ReadSettings(ClusterNodeOptions options, Config config)
    {
        var poll = ReadOrFail(config, PollIntervalKey, c => c.GetTimeSpan(PollIntervalKey, BondWatcherSettings.DefaultPollInterval, false),
            "a duration such as 100ms");
        if (poll <= TimeSpan.Zero || poll > TimeSpan.FromMinutes(1))
            throw new ConfigurationError(PollIntervalKey, $"{PollIntervalKey} = {poll}: allowed: more than 0 and at most 1m");
        var modeName = config.GetString(ExpectedModeKey, "802.3ad");
        var mode = BondModeNames.FromOptionName(modeName)
                   ?? throw new ConfigurationError(ExpectedModeKey,
                       $"{ExpectedModeKey} = '{modeName}': allowed: balance-rr, active-backup, balance-xor, broadcast, 802.3ad, balance-tlb, balance-alb");
        var mii = ReadOrFail(config, MiiPollingKey, c => c.GetInt(MiiPollingKey, 100), "a whole number of milliseconds");
        if (mii <= 0) throw new ConfigurationError(MiiPollingKey, $"{MiiPollingKey} = {mii}: allowed: a positive number of milliseconds");
        var minUp = ReadOrFail(config, MinSlavesUpKey, c => c.GetInt(MinSlavesUpKey, 2), "a whole number");
        if (minUp < 1) throw new ConfigurationError(MinSlavesUpKey, $"{MinSlavesUpKey} = {minUp}: allowed: 1 or more");

        return new BondWatcherSettings(options.BondRoot, options.Bonds, options.BondInterfaces, poll,
            new BondExpectations(mode, mii, minUp));
    }

    /// <summary>Starts the watcher and its forwarder when the options name something to watch.</summary>
    public static AkkaConfigurationBuilder AddBondWatcher(this AkkaConfigurationBuilder builder,
        ClusterNodeOptions options, BondWatcherSettings settings)
    {
        if (settings.Bonds.Count == 0 && settings.Interfaces.Count == 0) return builder;
        return builder.WithActors((system, registry, resolver) =>
        {
            var supervisor = registry.Get<ScaleSupervisorKey>();
            var forwarder = system.ActorOf(Props.Create(() => new BondNewsForwarder(new HostId(options.HostId),
                supervisor, DistributedPubSub.Get(system).Mediator)), "bond-news");
            registry.Register<BondWatcherKey>(system.ActorOf(BondWatcher.Props(settings, forwarder), "bond-watcher"));
        });
    }

    private static T ReadOrFail<T>(Config config, string key, Func<Config, T> read, string allowed)
    {
        try
        {
            return read(config);
        }
        catch (Exception error) when (error is not OutOfMemoryException)
        {
            throw new ConfigurationError(key, $"{key} = '{config.GetValue(key)}': allowed: {allowed}");
        }
    }
}
