using System.Net;
using System.Net.Sockets;
using Akka.Configuration;
using Luban.Protocol;
using Luban.Seed.FrontDoor;
using Luban.Tests.Support;
using Yarp.ReverseProxy.Forwarder;
using static Luban.Protocol.Scaling.ScalingProtocol;

namespace Luban.Tests.FrontDoor;

/// <summary>
/// What the front door will not do: send a request twice when it may have reached a VM, or let one client's flood
/// through. Real Kestrel, real sockets.
/// </summary>
public sealed class FrontDoorGuardSpecs : IAsyncLifetime
{
    private readonly List<IAsyncDisposable> _owned = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var owned in _owned) await owned.DisposeAsync();
    }

    private sealed class Failed(ForwarderError error, Exception? exception) : IForwarderErrorFeature
    {
        public ForwarderError Error { get; } = error;
        public Exception? Exception { get; } = exception;
    }

    public static TheoryData<string, ForwarderError, Exception?, bool> Failures => new()
    {
        { "no connection (refused)", ForwarderError.Request,
            new HttpRequestException(HttpRequestError.ConnectionError, "refused", new SocketException((int)SocketError.ConnectionRefused)), true },
        { "no connection (our connect timed out)", ForwarderError.Request,
            new HttpRequestException(HttpRequestError.ConnectionError, "timed out", new SocketException((int)SocketError.TimedOut)), true },
        { "sent, then the read timed out", ForwarderError.Request,
            new HttpRequestException(HttpRequestError.Unknown, "read", new IOException("read", new SocketException((int)SocketError.TimedOut))), false },
        { "sent, then reset", ForwarderError.Request,
            new HttpRequestException(HttpRequestError.ResponseEnded, "ended", new IOException("reset", new SocketException((int)SocketError.ConnectionReset))), false },
        { "a bare socket time-out", ForwarderError.Request, new SocketException((int)SocketError.TimedOut), false },
        { "the response failed", ForwarderError.ResponseBodyDestination,
            new HttpRequestException(HttpRequestError.ConnectionError, "x"), false },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public void Only_a_request_that_never_had_a_connection_should_be_retried_elsewhere(string what, ForwarderError error, Exception? exception, bool retried) =>
        Assert.True(ConnectRetry.IsConnectFailure(new Failed(error, exception)) == retried, what);

    private async Task<(TestCluster Cluster, TestBackend Backend)> DoorAsync(string limits, TimeSpan work)
    {
        var cluster = await TestCluster.StartSeedAsync(extra: ConfigurationFactory.ParseString($"luban.frontdoor {{ {limits} }}"));
        _owned.Add(cluster);
        var backend = await TestBackend.StartAsync("a", ready: true, work);
        _owned.Add(backend);
        cluster.SeedSystem.ActorSelection("/user/front-door")
            .Tell(new BackendsChanged(1, [new Backend(new VmId("a"), new HostId("B"), backend.Url.ToString())]));
        using var probe = new HttpClient();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!(await probe.GetAsync(new Uri(cluster.PublicUrl, "/work"))).IsSuccessStatusCode)
        {
            if (DateTime.UtcNow > deadline) throw new Xunit.Sdk.XunitException("the front door never served");
            await Task.Delay(50);
        }

        return (cluster, backend);
    }

    [Fact]
    public async Task A_client_beyond_its_concurrency_should_get_429_with_retry_after_and_the_vm_never_see_it()
    {
        var (cluster, backend) = await DoorAsync("client-concurrency-limit = 3, client-rate-limit = 0", TimeSpan.FromMilliseconds(700));
        using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64 });
        var servedBefore = backend.Served;

        var answers = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => client.GetAsync(new Uri(cluster.PublicUrl, "/work"))));

        var refused = answers.Where(a => a.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.InRange(answers.Count(a => a.IsSuccessStatusCode), 3, 9);
        Assert.NotEmpty(refused);
        Assert.All(refused, r => Assert.True(r.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1)));
        Assert.Equal(answers.Count(a => a.IsSuccessStatusCode), backend.Served - servedBefore);
    }

    [Fact]
    public async Task A_client_beyond_its_rate_should_get_429_and_the_vm_never_see_it()
    {
        var (cluster, backend) = await DoorAsync("client-concurrency-limit = 0, client-rate-limit = 5", TimeSpan.Zero);
        using var client = new HttpClient();
        var servedBefore = backend.Served;

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 40; i++) statuses.Add((await client.GetAsync(new Uri(cluster.PublicUrl, "/work"))).StatusCode);

        // A bucket of 10 (twice the rate), refilled at 5 a second: 40 requests in well under the seconds that would
        // refill 30 tokens cannot all pass.
        Assert.Contains(HttpStatusCode.TooManyRequests, statuses);
        Assert.Equal(statuses.Count(s => s == HttpStatusCode.OK), backend.Served - servedBefore);
    }
}
