using Akka.Actor;
using Akka.Cluster;
using Akka.Configuration;
using Luban.Actors.Cluster;
using Luban.Node;
using Luban.Seed;
using Luban.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Luban.Tests.Cluster;

/// <summary>An agent running its real rejoin loop finds its way back when the seed crashes and starts again.</summary>
public sealed class SeedRestartSpecs
{
    [Fact]
    public async Task Agent_should_rejoin_a_seed_that_crashed_and_restarted_on_the_same_address()
    {
        // The first seed dies without leaving, as a crashed process would. It binds port 0; its successor then binds
        // the port it got, as a restarted process binds its configured one.
        var crash = ConfigurationFactory.ParseString("akka.coordinated-shutdown.run-by-actor-system-terminate = off");
        var first = await StartSeedAsync(0, crash.WithFallback(TestCluster.TestOverrides));
        var port = Akka.Cluster.Cluster.Get(first.Services.GetRequiredService<ActorSystem>()).SelfAddress.Port!.Value;

        using var stop = new CancellationTokenSource();
        var agent = AgentHost.RunUntilStoppedAsync(new ClusterNodeOptions
        {
            Role = ClusterRoles.Agent,
            HostId = "B",
            BindHost = "127.0.0.1",
            Port = 0,
            PublicHost = "127.0.0.1",
            Seeds = [$"akka.ssl.tcp://luban@127.0.0.1:{port}"],
            HoconDirectory = Repo.HoconDirectory,
            CertificatesDirectory = TestCertificates.Directory,
        }, TimeSpan.FromMilliseconds(500), stop.Token, TestCluster.TestOverrides);

        try
        {
            await UntilAsync(() => AgentsUp(first) == 1, "the agent joins the first seed");

            await first.Services.GetRequiredService<ActorSystem>().Terminate();
            await first.DisposeAsync();
            var second = await StartSeedAsync(port, TestCluster.TestOverrides);
            try
            {
                await UntilAsync(() => AgentsUp(second) == 1, "the agent rejoins the restarted seed", TimeSpan.FromSeconds(60));
            }
            finally
            {
                await stop.CancelAsync();
                await agent;
                await TestCluster.StopQuietlyAsync(second);
                await second.DisposeAsync();
            }
        }
        finally
        {
            await stop.CancelAsync();
        }
    }

    private static int AgentsUp(SeedApp seed) =>
        Akka.Cluster.Cluster.Get(seed.Services.GetRequiredService<ActorSystem>()).State.Members
            .Count(m => m.Status == MemberStatus.Up && m.HasRole(ClusterRoles.Agent));

    private static async Task<SeedApp> StartSeedAsync(int port, Config overrides)
    {
        var seed = SeedApp.Build(TestCluster.SeedOptions() with { Port = port }, overrides);
        await seed.StartAsync();
        return seed;
    }

    private static async Task UntilAsync(Func<bool> condition, string what, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(30));
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new Xunit.Sdk.XunitException($"timed out waiting until {what}");
            await Task.Delay(200);
        }
    }
}
