using System.Net.Http.Json;
using Akka.Hosting;
using Luban.Actors.Scaling;
using Luban.Protocol;
using Luban.Protocol.Scaling;
using Luban.Seed.Admin;
using Luban.Seed.Dashboard;
using Luban.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Luban.Tests.Dashboard;

/// <summary><c>GET /api/history</c> of a real seed whose supervisor hears a fake agent for host B.</summary>
public sealed class HistoryEndpointSpecs
{
    [Fact]
    public async Task History_should_hold_a_sample_a_second_and_the_events_since_the_seed_started()
    {
        await using var cluster = await TestCluster.StartSeedAsync();
        var supervisor = cluster.Seed.Services.GetRequiredService<ActorRegistry>().Get<ScaleSupervisorKey>();
        cluster.SeedSystem.ActorOf(FakeHostAgent.Props(new HostId("B"), supervisor, new VmId("luban-b-1")), "fake-agent-b");
        using var http = new HttpClient { BaseAddress = cluster.AdminUrl };

        HistoryDocument history;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        do
        {
            await Task.Delay(500);
            history = (await http.GetFromJsonAsync<HistoryDocument>(DashboardEndpoints.HistoryPath, StatusAssembler.Json))!;
        } while (history.Vms.All(v => v.Connections.Count(c => c is not null) < 5) && DateTime.UtcNow < deadline);

        var b1 = Assert.Single(history.Vms, v => v.Vm == "luban-b-1");
        Assert.Equal("B", b1.Host);
        Assert.True(b1.Connections.Count(c => c is not null) >= 5, $"luban-b-1 has {b1.Connections.Count(c => c is not null)} counts");
        Assert.All(history.Vms, v => Assert.Equal(history.Times.Count, v.Connections.Count));
        Assert.Equal(history.Times.Count, history.InService.Count);
        Assert.Equal(history.Times.Count, history.Running.Count);
        // Strictly in time order, about one sample a second (a loaded 2-core machine may delay an answer by a few).
        var gaps = history.Times.Zip(history.Times.Skip(1), (a, b) => b - a).ToList();
        Assert.All(gaps, gap => Assert.InRange(gap, 1, 5_000));
        Assert.InRange(gaps.Average(), 800, 2_000);
        Assert.Equal(15 * 60, history.WindowSeconds);
        Assert.Contains(history.Events, e => e.Kind == ScaleEventKinds.HostRegistered && e.Host == new HostId("B"));
        Assert.InRange(history.Times[^1], history.GeneratedAt.AddSeconds(-5).ToUnixTimeMilliseconds(), history.GeneratedAt.ToUnixTimeMilliseconds());
    }
}
