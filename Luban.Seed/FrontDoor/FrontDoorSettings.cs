using Akka.Configuration;
using Luban.Actors.Cluster;

namespace Luban.Seed.FrontDoor;

public enum LoadBalancing
{
    RoundRobin,
    LeastRequests,
}

/// <summary>The front door's settings, from <c>luban.frontdoor</c>; a bad value stops start-up naming its key.</summary>
public sealed record FrontDoorSettings
{
    public Uri PublicUrl { get; init; } = new("http://127.0.0.1:8080");

    /// <summary>The front-end host this front door runs on (its seed's host id).</summary>
    public Luban.Protocol.HostId Host { get; init; } = new("A");

    /// <summary>The cluster's virtual address (two front-end hosts, keepalived); null with one front-end host.</summary>
    public System.Net.IPAddress? VirtualAddress { get; init; }
    public LoadBalancing LoadBalancing { get; init; } = LoadBalancing.RoundRobin;
    public string HealthPath { get; init; } = "/readyz";
    public TimeSpan HealthInterval { get; init; } = TimeSpan.FromSeconds(1);
    public TimeSpan HealthTimeout { get; init; } = TimeSpan.FromSeconds(5);
    public int HealthFailures { get; init; } = 2;
    public TimeSpan PassiveReactivation { get; init; } = TimeSpan.FromSeconds(5);
    public TimeSpan PooledIdleTimeout { get; init; } = TimeSpan.FromSeconds(2);
    public int MaxConnectionsPerBackend { get; init; } = 1024;
    public TimeSpan DrainReportInterval { get; init; } = TimeSpan.FromMilliseconds(200);
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(4);
    public int ConnectConcurrency { get; init; } = 2;

    /// <summary>Requests one client address may have in flight at once; 0 = no limit. Beyond it: 429.</summary>
    public int ClientConcurrencyLimit { get; init; } = 512;

    /// <summary>Requests per second one client address may send (a token bucket of twice this); 0 = no limit.</summary>
    public int ClientRateLimit { get; init; } = 2000;

    /// <summary>Backends given on the command line (<c>--backend</c>), in rotation beside the cluster's VMs.</summary>
    public IReadOnlyList<Uri> StaticBackends { get; init; } = [];

    public static FrontDoorSettings Read(Config config, ClusterNodeOptions options)
    {
        const string prefix = "luban.frontdoor.";
        string Key(string name) => prefix + name;

        var balancing = config.GetString(Key("load-balancing"), "round-robin") switch
        {
            "round-robin" => LoadBalancing.RoundRobin,
            "least-requests" => LoadBalancing.LeastRequests,
            var other => throw new ConfigurationError(Key("load-balancing"),
                $"{Key("load-balancing")} = '{other}': allowed: round-robin, least-requests"),
        };

        var healthPath = config.GetString(Key("health-path"), "/readyz");
        if (!healthPath.StartsWith('/'))
            throw new ConfigurationError(Key("health-path"), $"{Key("health-path")} = '{healthPath}': allowed: a path starting with /");

        return new FrontDoorSettings
        {
            PublicUrl = options.PublicUrl ?? new Uri("http://127.0.0.1:8080"),
            Host = new Luban.Protocol.HostId(options.HostId),
            VirtualAddress = options.VirtualAddress,
            LoadBalancing = balancing,
            HealthPath = healthPath,
            HealthInterval = Positive(config, Key("health-interval"), TimeSpan.FromSeconds(1)),
            HealthTimeout = Positive(config, Key("health-timeout"), TimeSpan.FromSeconds(5)),
            HealthFailures = Whole(config, Key("health-failures"), 2, 1, 100),
            PassiveReactivation = Positive(config, Key("passive-reactivation"), TimeSpan.FromSeconds(5)),
            PooledIdleTimeout = Positive(config, Key("pooled-idle-timeout"), TimeSpan.FromSeconds(2)),
            MaxConnectionsPerBackend = Whole(config, Key("max-connections-per-backend"), 1024, 1, 1_000_000),
            DrainReportInterval = Positive(config, Key("drain-report-interval"), TimeSpan.FromMilliseconds(200)),
            ConnectTimeout = Positive(config, Key("connect-timeout"), TimeSpan.FromSeconds(4)),
            ConnectConcurrency = Whole(config, Key("connect-concurrency"), 2, 1, 1024),
            ClientConcurrencyLimit = Whole(config, Key("client-concurrency-limit"), 512, 0, 1_000_000),
            ClientRateLimit = Whole(config, Key("client-rate-limit"), 2000, 0, 10_000_000),
            StaticBackends = options.StaticBackends,
        };
    }

    private static TimeSpan Positive(Config config, string key, TimeSpan fallback)
    {
        TimeSpan value;
        try
        {
            value = config.GetTimeSpan(key, fallback, allowInfinite: false);
        }
        catch (Exception error) when (error is not OutOfMemoryException)
        {
            throw new ConfigurationError(key, $"{key} = '{config.GetValue(key)}': allowed: a duration such as 500ms or 2s");
        }

        return value > TimeSpan.Zero
            ? value
            : throw new ConfigurationError(key, $"{key} = {value}: allowed: a positive duration");
    }

    private static int Whole(Config config, string key, int fallback, int min, int max)
    {
        int value;
        try
        {
            value = config.GetInt(key, fallback);
        }
        catch (Exception error) when (error is not OutOfMemoryException)
        {
            throw new ConfigurationError(key, $"{key} = '{config.GetValue(key)}': allowed: a whole number {min}..{max}");
        }

        return value >= min && value <= max
            ? value
            : throw new ConfigurationError(key, $"{key} = {value}: allowed: a whole number {min}..{max}");
    }
}
