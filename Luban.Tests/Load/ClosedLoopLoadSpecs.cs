using Luban.Load;
using Luban.Tests.Support;

namespace Luban.Tests.Load;

/// <summary>The load generator as a library: clients come and go, and each instance's first answer is timed.</summary>
public sealed class ClosedLoopLoadSpecs
{
    [Fact]
    public async Task Load_should_record_when_each_instance_first_answered()
    {
        await using var backend = await TestBackend.StartAsync("luban-b-1");
        await using var load = new ClosedLoopLoad(backend.Url);

        await load.SetClientsAsync(2);
        await WaitUntilAsync(() => load.Requests > 0);
        var result = await load.StopAsync();

        Assert.NotNull(load.StartedAt);
        var seen = Assert.Single(result.FirstSeen);
        Assert.Equal("luban-b-1", seen.Key);
        Assert.InRange(seen.Value, TimeSpan.Zero, result.Elapsed);
    }

    [Fact]
    public async Task Load_should_retire_surplus_clients_together_and_keep_the_rest_running()
    {
        await using var backend = await TestBackend.StartAsync("luban-b-1");
        await using var load = new ClosedLoopLoad(backend.Url);

        await load.SetClientsAsync(6);
        await load.SetClientsAsync(2);
        var remaining = load.Clients;
        var before = load.Requests;
        await WaitUntilAsync(() => load.Requests > before);
        var result = await load.StopAsync();

        Assert.Equal(2, remaining);
        Assert.Equal(0, load.Clients);
        Assert.Equal(0, result.Failed);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new Xunit.Sdk.XunitException("timed out waiting for the load");
            await Task.Delay(20);
        }
    }
}
