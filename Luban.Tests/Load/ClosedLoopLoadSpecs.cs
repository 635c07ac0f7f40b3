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

    [Fact]
    public async Task Load_should_date_each_failed_request_by_when_it_was_sent()
    {
        // Nothing listens there: every request fails at once, one client after another.
        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork,
            System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        socket.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
        var closed = new Uri($"http://127.0.0.1:{((System.Net.IPEndPoint)socket.LocalEndPoint!).Port}/");
        await using var load = new ClosedLoopLoad(closed);

        await load.SetClientsAsync(1);
        await WaitUntilAsync(() => load.Failed >= 3);
        var mid = load.Elapsed;
        var failedBefore = load.Failed;
        await WaitUntilAsync(() => load.Failed >= failedBefore + 3);
        var result = await load.StopAsync();

        Assert.Equal(result.Failed, load.FailedSentSince(TimeSpan.Zero));
        // One client: at most the one request in flight at `mid` was sent before it and failed after it.
        Assert.InRange(load.FailedSentSince(mid), result.Failed - failedBefore - 1, result.Failed - failedBefore);
        Assert.Equal(0, load.FailedSentSince(result.Elapsed + TimeSpan.FromSeconds(1)));
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
