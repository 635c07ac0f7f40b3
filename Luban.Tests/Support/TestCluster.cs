using Akka.Actor;
using Akka.Configuration;
using Luban.Actors.Cluster;
using Luban.Node;
using Luban.Seed;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Luban.Tests.Support;

/// <summary>
/// A seed and agents in this test process, each a real actor system on a loopback port chosen by the OS, composed by
/// the same code as the real processes (<see cref="SeedApp"/>, <see cref="AgentHost"/>) with the test HOCON on top.
/// </summary>
public sealed class TestCluster : IAsyncDisposable
{
    private readonly List<IHost> _agents = [];

    private TestCluster(SeedApp seed, Address seedAddress, Uri adminUrl, Uri publicUrl)
    {
        Seed = seed;
        SeedAddress = seedAddress;
        AdminUrl = adminUrl;
        PublicUrl = publicUrl;
    }

    public SeedApp Seed { get; }

    /// <summary>The front door.</summary>
    public Uri PublicUrl { get; }
    public ActorSystem SeedSystem => Seed.Services.GetRequiredService<ActorSystem>();
    public Address SeedAddress { get; }
    public Uri AdminUrl { get; }

    public static Config TestOverrides => LubanHocon.LoadTestOverrides(Repo.HoconDirectory);

    /// <summary>A lone seed A on loopback, every port chosen by the system, with the tests' certificates.</summary>
    public static ClusterNodeOptions SeedOptions() => new()
    {
        Role = ClusterRoles.Seed,
        HostId = "A",
        BindHost = "127.0.0.1",
        Port = 0,
        PublicHost = "127.0.0.1",
        Seeds = [],
        HoconDirectory = Repo.HoconDirectory,
        CertificatesDirectory = TestCertificates.Directory,
        AdminUrl = new Uri("http://127.0.0.1:0"),
        PublicUrl = new Uri("http://127.0.0.1:0"),
    };

    /// <summary>Starts the seed; <paramref name="configure"/> may adjust its options (bonds to watch, …).</summary>
    /// <param name="extra">HOCON on top of the test settings (e.g. front door limits).</param>
    public static async Task<TestCluster> StartSeedAsync(Func<ClusterNodeOptions, ClusterNodeOptions>? configure = null, Config? extra = null)
    {
        var options = SeedOptions();
        var seed = SeedApp.Build(configure?.Invoke(options) ?? options, extra is null ? TestOverrides : extra.WithFallback(TestOverrides));
        await seed.StartAsync();
        var system = seed.Services.GetRequiredService<ActorSystem>();
        return new TestCluster(seed, Akka.Cluster.Cluster.Get(system).SelfAddress, new Uri(ListeningAt(seed.Admin)),
            new Uri(ListeningAt(seed.FrontDoor)));
    }

    private static string ListeningAt(WebApplication app) =>
        app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();

    public static Task StopQuietlyAsync(SeedApp seed) => StopQuietlyAsync(seed.Admin, () => seed.StopAsync());

    private static async Task StopQuietlyAsync(IHost _, Func<Task> stop)
    {
        try
        {
            await stop().WaitAsync(TimeSpan.FromSeconds(15));
        }
        catch (TimeoutException)
        {
            // A seed whose actor system was killed by the test has nothing left to stop.
        }
    }

    /// <summary>Starts an agent that joins the seed; <paramref name="extra"/> adds HOCON on top of the test settings.</summary>
    public async Task<IHost> StartAgentAsync(string hostId, Config? extra = null)
    {
        var options = new ClusterNodeOptions
        {
            Role = ClusterRoles.Agent,
            HostId = hostId,
            BindHost = "127.0.0.1",
            Port = 0,
            PublicHost = "127.0.0.1",
            Seeds = [SeedAddress.ToString()],
            HoconDirectory = Repo.HoconDirectory,
            CertificatesDirectory = TestCertificates.Directory,
        };
        var overrides = extra is null ? TestOverrides : extra.WithFallback(TestOverrides);
        var agent = AgentHost.Build(options, overrides);
        await agent.StartAsync();
        _agents.Add(agent);
        return agent;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var agent in _agents)
        {
            await StopQuietlyAsync(agent);
        }

        await StopQuietlyAsync(Seed);
        await Seed.DisposeAsync();
    }

    private static async Task StopQuietlyAsync(IHost host)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        try
        {
            await host.StopAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            // A host whose actor system was killed by the test has nothing left to stop.
        }

        host.Dispose();
    }
}
