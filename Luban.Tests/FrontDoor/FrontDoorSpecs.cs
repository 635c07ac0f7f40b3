using Luban.Load;
using Luban.Protocol;
using Luban.Seed.FrontDoor;
using Luban.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Model;
using static Luban.Protocol.Scaling.ScalingProtocol;

namespace Luban.Tests.FrontDoor;

/// <summary>
/// The seed's front door with real Kestrel backends and a real closed-loop load over loopback sockets: backends
/// join only when healthy, leave by draining without losing a request, and a dead backend costs at most the
/// requests that were in flight to it.
/// </summary>
public sealed class FrontDoorSpecs(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Clients = 16;
    private TestCluster _cluster = null!;
    private readonly List<TestBackend> _backends = [];
    private long _version;

    public async Task InitializeAsync() => _cluster = await TestCluster.StartSeedAsync();

    public async Task DisposeAsync()
    {
        foreach (var backend in _backends) await backend.DisposeAsync();
        await _cluster.DisposeAsync();
    }

    [Fact]
    public async Task Backend_added_under_load_should_take_traffic_only_once_healthy()
    {
        var a = await StartBackendAsync("a");
        var b = await StartBackendAsync("b", ready: false);
        Rotate(a);
        await using var load = await StartLoadAsync();
        await WaitUntilAsync(() => a.Served > 50 && ActiveHealth("a") == DestinationHealth.Healthy, "a serves, probed healthy");

        Rotate(a, b);
        // b is in the configuration and the health check has found it not ready twice, while a kept serving: the
        // rotation had every chance to send b a request.
        var probesBefore = b.ReadyProbes;
        var servedByA = a.Served;
        await WaitUntilAsync(() => b.ReadyProbes >= probesBefore + 2 && a.Served > servedByA + 100, "b probed twice under load");
        Assert.Equal(0, b.Served);

        b.Ready = true;
        await WaitUntilAsync(() => b.Served > 50, "b serves once ready");
        var result = await load.StopAsync();
        output.WriteLine(result.ToString());
        Assert.Equal(0, result.Failed);
    }

    [Fact]
    public async Task A_backend_that_joins_the_rotation_should_be_probed_at_once_not_at_the_next_health_check_round()
    {
        // A health-check round every 30 s: a VM that waited for the next round would take no traffic for up to 30 s
        // (a resumed warm VM is ready in milliseconds).
        await _cluster.DisposeAsync();
        _cluster = await TestCluster.StartSeedAsync(extra: Akka.Configuration.ConfigurationFactory.ParseString(
            "luban.frontdoor.health-interval = 30s"));
        var a = await StartBackendAsync("a");
        var b = await StartBackendAsync("b");
        Rotate(a);
        await using var load = await StartLoadAsync();
        await WaitUntilAsync(() => a.Served > 50 && ActiveHealth("a") == DestinationHealth.Healthy, "a serves, probed healthy");

        var joined = System.Diagnostics.Stopwatch.StartNew();
        Rotate(a, b);
        await WaitUntilAsync(() => b.Served > 0, "b serves");
        output.WriteLine($"b served {joined.Elapsed.TotalSeconds:0.00} s after it joined the rotation (health-check round 30 s)");
        Assert.True(joined.Elapsed < TimeSpan.FromSeconds(15), $"b waited {joined.Elapsed.TotalSeconds:0.0} s: it was not probed when it joined");
        var result = await load.StopAsync();
        Assert.Equal(0, result.Failed);
    }

    [Fact]
    public async Task Backend_drained_under_load_should_lose_no_request_and_finish_its_requests_in_flight()
    {
        var a = await StartBackendAsync("a");
        var b = await StartBackendAsync("b", work: TimeSpan.FromMilliseconds(40));
        Rotate(a, b);
        await using var load = await StartLoadAsync();
        await WaitUntilAsync(() => a.Served > 30 && b.Served > 30, "both serve");

        Rotate(a);
        await WaitUntilAsync(() => InFlight("b") == 0, "b drained");
        var servedAfterDrain = b.Served;
        var servedByA = a.Served;
        await WaitUntilAsync(() => a.Served > servedByA + 100, "a serves 100 more requests alone");

        var result = await load.StopAsync();
        output.WriteLine(result.ToString());
        Assert.Equal(0, result.Failed);
        Assert.Equal(servedAfterDrain, b.Served);
    }

    [Fact]
    public async Task Full_scale_out_and_scale_in_cycle_under_steady_load_should_fail_no_request()
    {
        var a = await StartBackendAsync("a");
        var b = await StartBackendAsync("b");
        Rotate(a, b);
        await using var load = await StartLoadAsync();
        await WaitUntilAsync(() => a.Served > 30 && b.Served > 30, "both serve");

        // Scale out: a third backend boots, becomes healthy, takes its share.
        var c = await StartBackendAsync("c", ready: false);
        Rotate(a, b, c);
        await WaitUntilAsync(() => c.ReadyProbes > 0, "c probed while booting");
        c.Ready = true;
        await WaitUntilAsync(() => c.Served > 50, "c serves");

        // Scale in: it leaves the rotation, drains, and is stopped only then.
        Rotate(a, b);
        await WaitUntilAsync(() => InFlight("c") == 0 && c.InFlight == 0, "c drained");
        await c.KillAsync();
        var servedByAB = a.Served + b.Served;
        await WaitUntilAsync(() => a.Served + b.Served > servedByAB + 100, "a and b serve 100 more requests");

        var result = await load.StopAsync();
        output.WriteLine(result.ToString());
        Assert.Equal(0, result.Failed);
        Assert.True(result.ByInstance["c"] > 0);
    }

    [Fact]
    public async Task Backend_killed_abruptly_should_be_ejected_and_fail_at_most_its_requests_in_flight()
    {
        var a = await StartBackendAsync("a");
        var b = await StartBackendAsync("b", work: TimeSpan.FromMilliseconds(30));
        Rotate(a, b);
        await using var load = await StartLoadAsync();
        await WaitUntilAsync(() => a.Served > 30 && b.Served > 30, "both serve");

        // Kestrel's abort is not one instant: while it tears the connections down, the front door may still hand the
        // dying backend a request on a pooled connection. So "in flight at the kill" is the most the front door had in
        // flight to it at any moment of the kill, sampled every millisecond.
        var before = load.Failed;
        var inFlightAtKill = 0;
        using var sampling = new CancellationTokenSource();
        var sampled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                inFlightAtKill = Math.Max(inFlightAtKill, Math.Max(RawInFlight("b"), b.InFlight));
                sampled.TrySetResult();
                await Task.Delay(1);
            }
        });
        await sampled.Task;
        await b.KillAsync();
        await sampling.CancelAsync();
        await sampler;
        var servedByA = a.Served;
        await WaitUntilAsync(() => a.Served > servedByA + 200, "a carries the load alone");

        var result = await load.StopAsync();
        output.WriteLine($"in flight to b at the kill: {inFlightAtKill}; {result}");
        Assert.True(result.Failed - before <= inFlightAtKill,
            $"{result.Failed - before} failed, but only {inFlightAtKill} were in flight to the killed backend");
    }

    private async Task<TestBackend> StartBackendAsync(string name, bool ready = true, TimeSpan? work = null)
    {
        var backend = await TestBackend.StartAsync(name, ready, work);
        _backends.Add(backend);
        return backend;
    }

    /// <summary>What the supervisor would publish: the given backends, replacing the rotation.</summary>
    private void Rotate(params TestBackend[] backends)
    {
        var message = new BackendsChanged(++_version,
            backends.Select(b => new Backend(new VmId(b.Name), new HostId("B"), b.Url.ToString())).ToList());
        _cluster.SeedSystem.ActorSelection("/user/front-door").Tell(message);
    }

    private DestinationHealth ActiveHealth(string vm) =>
        _cluster.Seed.FrontDoor.Services.GetRequiredService<IProxyStateLookup>().TryGetCluster(FrontDoorConfig.ClusterId, out var cluster)
        && cluster.Destinations.TryGetValue(vm, out var destination)
            ? destination.Health.Active
            : DestinationHealth.Unknown;

    private int RawInFlight(string vm) => _cluster.Seed.FrontDoor.Services.GetRequiredService<InFlightRequests>().Of(vm);

    /// <summary>What the membership actor reports as a drain: out of YARP's live rotation, and nothing in flight.</summary>
    private int InFlight(string vm)
    {
        var services = _cluster.Seed.FrontDoor.Services;
        return FrontDoorMembership.StillRouted(services.GetRequiredService<IProxyStateLookup>(), vm)
            ? int.MaxValue
            : RawInFlight(vm);
    }

    [Fact]
    public async Task Alive_check_should_answer_from_the_front_door_itself_503_until_it_has_a_rotation_then_200()
    {
        using var client = new HttpClient();
        var alive = new Uri(_cluster.PublicUrl, FrontDoorForwarder.AlivePath.Value);
        // Up, but no rotation yet (this seed has no agent): it would answer every request with 503, so it stands for
        // no address either.
        HttpResponseMessage? answer = null;
        await WaitUntilAsync(() => (answer = client.GetAsync(alive).Result).Content.ReadAsStringAsync().Result.Contains("no rotation"),
            "the front door is Up without a rotation");
        Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, answer!.StatusCode);

        // A rotation arrives (as from the supervisor): it stands, even before the VM is probed healthy.
        Rotate(await StartBackendAsync("a", ready: false));
        await WaitUntilAsync(() => (answer = client.GetAsync(alive).Result).IsSuccessStatusCode, "the front door stands");
        Assert.Equal("front door alive on host A\n", await answer!.Content.ReadAsStringAsync());
        Assert.True(_cluster.Seed.FrontDoor.Services.GetRequiredService<FrontDoorStanding>().Serving);
    }

    private async Task<ClosedLoopLoad> StartLoadAsync()
    {
        // The load starts once the front door answers: what is measured is the membership change, not start-up.
        using (var probe = new HttpClient())
            await WaitUntilAsync(() => probe.GetAsync(new Uri(_cluster.PublicUrl, "/work")).Result.IsSuccessStatusCode,
                "the front door answers");
        var load = new ClosedLoopLoad(new Uri(_cluster.PublicUrl, "/work"));
        await load.SetClientsAsync(Clients);
        return load;
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new Xunit.Sdk.XunitException($"timed out waiting until {what}");
            await Task.Delay(50);
        }
    }
}
