using System.Net.Http.Json;
using System.Text.Json;
using Akka.Actor;
using Akka.Cluster;
using Akka.Configuration;
using Akka.TestKit.Xunit2;
using Luban.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Luban.Tests.Cluster;

public sealed class ClusterFormationSpecs(ITestOutputHelper output) : IAsyncLifetime
{
    private TestCluster _cluster = null!;
    private TestKit _kit = null!;

    public async Task InitializeAsync()
    {
        _cluster = await TestCluster.StartSeedAsync();
        _kit = new TestKit(_cluster.SeedSystem, output);
    }

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task Seed_and_two_agents_should_form_a_cluster_with_their_roles()
    {
        await _cluster.StartAgentAsync("B");
        await _cluster.StartAgentAsync("C");

        await _kit.AwaitAssertAsync(() =>
        {
            var up = SeedView().Members.Where(m => m.Status == MemberStatus.Up).ToList();
            Assert.Equal(3, up.Count);
            Assert.Single(up, m => m.Roles.Contains("seed"));
            Assert.Equal(2, up.Count(m => m.Roles.Contains("agent") && !m.Roles.Contains("seed")));
        }, TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public async Task Status_endpoint_should_list_every_member_with_address_roles_and_status()
    {
        await _cluster.StartAgentAsync("B");
        await _cluster.StartAgentAsync("C");
        using var http = new HttpClient { BaseAddress = _cluster.AdminUrl };

        await _kit.AwaitAssertAsync(async () =>
        {
            var doc = await http.GetFromJsonAsync<JsonElement>("/api/status");
            var members = doc.GetProperty("members").EnumerateArray().ToList();
            Assert.Equal(3, members.Count(m => m.GetProperty("status").GetString() == "Up"));
            Assert.All(members, m => Assert.StartsWith("akka.ssl.tcp://luban@127.0.0.1:", m.GetProperty("address").GetString()));
            Assert.Equal(["agent", "agent", "seed"],
                members.SelectMany(m => m.GetProperty("roles").EnumerateArray().Select(r => r.GetString()!)).Order());
        }, TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(250));
        Assert.Equal("ok\n", await http.GetStringAsync("/healthz"));
    }

    [Fact]
    public async Task Agent_that_leaves_should_be_removed()
    {
        var leaving = await _cluster.StartAgentAsync("B");
        await _cluster.StartAgentAsync("C");
        await AwaitUpCountAsync(3);
        var leavingAddress = Akka.Cluster.Cluster.Get(SystemOf(leaving)).SelfAddress;

        Akka.Cluster.Cluster.Get(SystemOf(leaving)).Leave(leavingAddress);

        await _kit.AwaitAssertAsync(() =>
        {
            Assert.DoesNotContain(SeedView().Members, m => m.Address == leavingAddress);
            Assert.Equal(2, SeedView().Members.Count(m => m.Status == MemberStatus.Up));
        }, TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public async Task Agent_that_is_killed_should_become_unreachable_and_be_downed_by_the_split_brain_resolver()
    {
        // The victim's actor system stops without leaving: the others only learn of it from missing heartbeats.
        var crashOnTerminate = ConfigurationFactory.ParseString(
            "akka.coordinated-shutdown.run-by-actor-system-terminate = off");
        var victim = await _cluster.StartAgentAsync("B", crashOnTerminate);
        await _cluster.StartAgentAsync("C");
        await AwaitUpCountAsync(3);
        var victimAddress = Akka.Cluster.Cluster.Get(SystemOf(victim)).SelfAddress;
        var events = _kit.CreateTestProbe();
        Akka.Cluster.Cluster.Get(_cluster.SeedSystem).Subscribe(events.Ref,
            ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents,
            typeof(ClusterEvent.UnreachableMember), typeof(ClusterEvent.MemberRemoved));

        await SystemOf(victim).Terminate();

        await events.FishForMessageAsync(m => m is ClusterEvent.UnreachableMember u && u.Member.Address == victimAddress,
            TimeSpan.FromSeconds(20));
        var removed = (ClusterEvent.MemberRemoved)await events.FishForMessageAsync(
            m => m is ClusterEvent.MemberRemoved r && r.Member.Address == victimAddress, TimeSpan.FromSeconds(30));
        Assert.Equal(MemberStatus.Down, removed.PreviousStatus);
        Assert.Equal(2, SeedView().Members.Count(m => m.Status == MemberStatus.Up));
    }

    [Fact]
    public void Hosted_seed_should_run_keep_majority_and_never_auto_down()
    {
        var config = _cluster.SeedSystem.Settings.Config;

        Assert.Equal("Akka.Cluster.SBR.SplitBrainResolverProvider, Akka.Cluster",
            config.GetString("akka.cluster.downing-provider-class"));
        Assert.Equal("keep-majority", config.GetString("akka.cluster.split-brain-resolver.active-strategy"));
        Assert.Equal("off", config.GetString("akka.cluster.auto-down-unreachable-after"));
        Assert.Contains("luban-json", config.GetConfig("akka.actor.serialization-bindings").AsEnumerable()
            .Select(kv => kv.Value.GetString()));
    }

    private ClusterEvent.CurrentClusterState SeedView() => Akka.Cluster.Cluster.Get(_cluster.SeedSystem).State;

    private static ActorSystem SystemOf(Microsoft.Extensions.Hosting.IHost host) =>
        host.Services.GetRequiredService<ActorSystem>();

    private Task AwaitUpCountAsync(int count) => _kit.AwaitAssertAsync(
        () => Assert.Equal(count, SeedView().Members.Count(m => m.Status == MemberStatus.Up)),
        TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(200));
}
