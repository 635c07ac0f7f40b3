using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Luban.Load;
using Luban.Protocol.Scaling;

namespace Luban.Tests.EndToEnd;

/// <summary>
/// Issue 17 on the same cluster: the front-end host holding the virtual address (and running the supervisor) is lost
/// under steady load through that address, by <c>kill -9</c> of its seed or by cutting its link; the other host takes
/// the address and the supervisor, no VM is started or stopped for it, and the lost host comes back as a backup
/// without taking the address back.
/// </summary>
public sealed partial class NetnsEndToEndSpecs
{
    /// <summary>The issue's bounds: the address answers from the other host within 3 s, the supervisor decides
    /// again within 15 s.</summary>
    private static readonly TimeSpan AddressBound = TimeSpan.FromSeconds(3);

    private static readonly TimeSpan DecisionBound = TimeSpan.FromSeconds(15);

    /// <summary>How long the returned host is watched for taking the address back, with the load going on.</summary>
    private static readonly TimeSpan NoFlapWatch = TimeSpan.FromSeconds(15);

    private const int FailoverClients = 8;

    [EndToEndFact]
    public async Task Killed_front_end_seed_should_hand_the_address_and_the_supervisor_over_without_costing_a_vm() =>
        await FailoverAsync("kill -9", async lost =>
        {
            var restart = cluster.Capture($"seed-{lost}");
            await cluster.KillAsync($"seed-{lost}");
            return () =>
            {
                cluster.Start(restart);
                return Task.CompletedTask;
            };
        });

    [EndToEndFact]
    public async Task Front_end_host_cut_off_its_link_should_hand_the_address_and_the_supervisor_over_without_costing_a_vm() =>
        await FailoverAsync("link cut", lost =>
        {
            NetnsCluster.SetLink(lost, up: false);
            return Task.FromResult<Func<Task>>(() =>
            {
                NetnsCluster.SetLink(lost, up: true);
                return Task.CompletedTask;
            });
        });

    /// <summary>
    /// The common course: steady load through the virtual address; <paramref name="fail"/> takes the host holding it
    /// out and returns how to bring it back; the steps are timed from the moment of the failure as the survivor and
    /// the network show them; then the host comes back and is watched for taking the address back.
    /// </summary>
    private async Task FailoverAsync(string how, Func<string, Task<Func<Task>>> fail)
    {
        await TwoVmsInServiceAsync();
        var lost = NetnsCluster.VirtualAddressHolder() ?? throw new Xunit.Sdk.XunitException("no host holds the virtual address");
        var survivor = NetnsCluster.OtherThan(lost);
        var before = (await cluster.StatusAsync(NetnsCluster.AdminUrlOf(survivor)))!.Value;
        Assert.True(SupervisorHost(before) == lost,
            $"the supervisor runs on {SupervisorHost(before)}, not on {lost} that holds the address: the handover would not be measured");
        var domains = DomainIds();

        await using var load = new ClosedLoopLoad(new Uri(cluster.PublicUrl, RulerPath));
        await load.SetClientsAsync(FailoverClients);
        Assert.True(await LoadUntilAsync(load, s => s.Succeeded > 200 && s.ByInstance.Count == 2, TimeSpan.FromSeconds(60)),
            $"the load did not reach both VMs through {cluster.PublicUrl}: {load.Snapshot()}");
        await using var probe = new AddressProbe(cluster.PublicUrl);
        var atFailure = load.Snapshot();
        var failedAt = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();

        var bringBack = await fail(lost);
        // The address and the membership are watched every 50 ms apart from the status, which waits while the
        // supervisor moves; the supervisor's own start and first decision carry their times in the status.
        var movedTask = FirstTimeAsync(() => Task.FromResult(NetnsCluster.VirtualAddressHolder() == survivor), clock);
        var detectedTask = FirstTimeAsync(async () =>
            await cluster.MembersAsync(NetnsCluster.AdminUrlOf(survivor)) is { } members && !MemberReachable(members, lost), clock);
        TimeSpan? answered = null, singleton = null, decided = null;
        JsonElement? last = null;
        while (clock.Elapsed < TimeSpan.FromSeconds(60) && (answered, singleton, decided) is not ({ }, { }, { }))
        {
            answered ??= probe.FirstAnswerFrom(survivor, after: failedAt) is { } first ? first - failedAt : null;
            if (await cluster.StatusAsync(NetnsCluster.AdminUrlOf(survivor)) is { } status && SupervisorHost(status) == survivor)
            {
                last = status;
                singleton ??= SupervisorSince(status) - failedAt;
                decided ??= LastDecisionAt(status) > failedAt ? LastDecisionAt(status) - failedAt : null;
            }

            await Task.Delay(50);
        }

        var (moved, detected) = (await movedTask, await detectedTask);
        var afterMove = load.Snapshot();
        var movedAt = load.Elapsed;
        Log($"{how} of front-end host {lost} (held the address, ran the supervisor) under {FailoverClients} clients:");
        Log($"  lost host unreachable to {survivor} after {Seconds(detected)}; address on {survivor} after {Seconds(moved)}; " +
            $"first answer from {survivor}'s front door after {Seconds(answered)}; supervisor on {survivor} after {Seconds(singleton)}; " +
            $"its first decision after {Seconds(decided)}");
        Assert.True(answered is { } a && a <= AddressBound, $"the address answered from {survivor} only after {Seconds(answered)}");
        Assert.True(decided is { } d && d <= DecisionBound, $"the supervisor decided again only after {Seconds(decided)}: {Describe(last)}");

        // With the address moved, the load runs on through the survivor; what failed, failed at the cut.
        Assert.True(await LoadUntilAsync(load, s => s.Succeeded > afterMove.Succeeded + 300, TimeSpan.FromSeconds(60)),
            $"the service did not answer through the address after the failover: {load.Snapshot()}");
        var settled = load.Snapshot();
        var (refused, cut) = Failures(settled, atFailure);
        Log($"  requests failed: {cut} in flight at the failure (reset or timed out), {refused} connections refused while the address moved; " +
            $"load {settled}");
        Assert.Equal(0, settled.Non2xx - atFailure.Non2xx);
        // By when a request was sent, not when it failed: one cut in flight whose answer never comes (its request
        // already acknowledged by the lost host, so nothing of it is resent to the survivor) fails at its 30 s time-out.
        Assert.True(load.FailedSentSince(movedAt) == 0,
            $"{load.FailedSentSince(movedAt)} request(s) sent after the address had moved failed: {afterMove} then {settled}");

        // The lost host comes back, joins as a backup and leaves the address where it is while the load lasts.
        await bringBack();
        var returnedClock = Stopwatch.StartNew();
        var (rejoined, back, took) = await cluster.UntilAsync(s => MembersUp(s) == 4 && FrontDoors(s).Count == 2,
            TimeSpan.FromSeconds(120), admin: NetnsCluster.AdminUrlOf(survivor));
        Assert.True(rejoined, $"{lost} did not rejoin: {Members(back)}\n{lost}:\n{MembershipLines(cluster.Log($"seed-{lost}"))}\n{survivor}:\n{MembershipLines(cluster.Log($"seed-{survivor}"))}");
        Log($"  {lost} back in the cluster after {took.TotalSeconds:0.0} s, standing by");
        var beforeWatch = load.Snapshot();
        var watchedFrom = load.Elapsed;
        var holders = new HashSet<string?>();
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < NoFlapWatch)
        {
            holders.Add(NetnsCluster.VirtualAddressHolder());
            await Task.Delay(100);
        }

        var result = await load.StopAsync();
        var afterwards = (await cluster.StatusAsync(NetnsCluster.AdminUrlOf(survivor)))!.Value;
        Log($"  address holders while {lost} stood by for {NoFlapWatch.TotalSeconds:0} s: {string.Join(", ", holders)}; load then {result}");
        Log(Events(afterwards));
        Log($"  requests sent before the failure that failed later (their answer never came; 30 s time-out): " +
            $"{result.Failed - settled.Failed - load.FailedSentSince(watchedFrom)}");
        Assert.Equal([survivor], holders);
        Assert.True(load.FailedSentSince(watchedFrom) == 0,
            $"{load.FailedSentSince(watchedFrom)} request(s) sent while {lost} stood by failed: {beforeWatch} then {result}");
        Assert.Equal(survivor, SupervisorHost(afterwards));
        // Nothing started or stopped because of the failover: the same guests still run, and no such decision.
        Assert.Equal(domains, DomainIds());
        Assert.DoesNotContain(afterwards.GetProperty("events").EnumerateArray(),
            e => e.GetProperty("kind").GetString() is ScaleEventKinds.Start or ScaleEventKinds.Stop or ScaleEventKinds.Drain
                 && DateTimeOffset.Parse(e.GetProperty("at").GetString()!, System.Globalization.CultureInfo.InvariantCulture) > failedAt);
        Assert.True(returnedClock.Elapsed > NoFlapWatch);
    }

    /// <summary>Socket errors since <paramref name="from"/>: refused connections (the address on no listener) apart
    /// from requests cut in flight.</summary>
    private static (long Refused, long Cut) Failures(LoadResult now, LoadResult from)
    {
        long Count(Func<string, bool> kind) =>
            now.Failures.Where(f => kind(f.Key)).Sum(f => f.Value) - from.Failures.Where(f => kind(f.Key)).Sum(f => f.Value);
        var refused = Count(k => k == nameof(System.Net.Http.HttpRequestError.ConnectionError));
        var socket = Count(k => !k.StartsWith("HTTP ", StringComparison.Ordinal));
        return (refused, socket - refused);
    }

    private static string? SupervisorHost(JsonElement status) =>
        status.TryGetProperty("supervisorHost", out var host) && host.ValueKind == JsonValueKind.String ? host.GetString() : null;

    /// <summary>The first time (on <paramref name="clock"/>) that <paramref name="holds"/> is true, checked every
    /// 50 ms for up to a minute; null if never.</summary>
    private static async Task<TimeSpan?> FirstTimeAsync(Func<Task<bool>> holds, Stopwatch clock)
    {
        while (clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (await holds()) return clock.Elapsed;
            await Task.Delay(50);
        }

        return null;
    }

    private static DateTimeOffset SupervisorSince(JsonElement status) =>
        DateTimeOffset.Parse(status.GetProperty("supervisorSince").GetString()!, System.Globalization.CultureInfo.InvariantCulture);

    private static DateTimeOffset LastDecisionAt(JsonElement status) =>
        status.TryGetProperty("lastDecision", out var decision) && decision.ValueKind == JsonValueKind.Object
            ? DateTimeOffset.Parse(decision.GetProperty("at").GetString()!, System.Globalization.CultureInfo.InvariantCulture)
            : DateTimeOffset.MinValue;

    private static IReadOnlyList<(string Host, bool HoldsAddress)> FrontDoors(JsonElement status) =>
        status.TryGetProperty("frontDoors", out var doors) && doors.ValueKind == JsonValueKind.Array
            ? doors.EnumerateArray().Select(f => (f.GetProperty("host").GetString()!, f.GetProperty("holdsVirtualAddress").GetBoolean())).ToList()
            : [];

    /// <summary>Whether the front-end host's seed is a reachable member (false once unreachable or removed).</summary>
    private static bool MemberReachable(JsonElement members, string frontEnd) =>
        members.EnumerateArray().Any(m =>
            m.GetProperty("address").GetString()!.Contains($"@{NetnsCluster.FrontEnds[frontEnd]}:", StringComparison.Ordinal)
            && m.GetProperty("reachable").GetBoolean());

    private static int MembersUp(JsonElement status) =>
        status.GetProperty("members").EnumerateArray().Count(m => m.GetProperty("status").GetString() == "Up" && m.GetProperty("reachable").GetBoolean());

    private static string Members(JsonElement? status) =>
        status is not { } s ? "no status" : string.Join("; ", s.GetProperty("members").EnumerateArray()
            .Select(m => $"{m.GetProperty("address").GetString()} {m.GetProperty("status").GetString()} reachable={m.GetProperty("reachable").GetBoolean()}"));

    private static string Seconds(TimeSpan? span) => span is { } s ? $"{s.TotalSeconds:0.00} s" : "never";

    /// <summary>
    /// Asks the virtual address which front door answers, every 50 ms on a fresh connection (500 ms timeout), and keeps
    /// every answer's time and host.
    /// </summary>
    private sealed class AddressProbe : IAsyncDisposable
    {
        private readonly ConcurrentQueue<(string Host, DateTimeOffset At)> _answers = new();
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _loop;

        public AddressProbe(Uri publicUrl)
        {
            var alive = new Uri(publicUrl, Luban.Seed.FrontDoor.FrontDoorForwarder.AlivePath.Value);
            _loop = Task.Run(async () =>
            {
                while (!_stop.IsCancellationRequested)
                {
                    try
                    {
                        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false, PooledConnectionLifetime = TimeSpan.Zero })
                        {
                            Timeout = TimeSpan.FromMilliseconds(500),
                        };
                        // "front door alive on host A2"
                        var text = await client.GetStringAsync(alive, _stop.Token);
                        _answers.Enqueue((text.Trim().Split(' ').Last(), DateTimeOffset.UtcNow));
                    }
                    catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                    {
                    }

                    await Task.Delay(50).ConfigureAwait(false);
                }
            });
        }

        /// <summary>The first answer from <paramref name="host"/> after <paramref name="after"/>, if any yet.</summary>
        public DateTimeOffset? FirstAnswerFrom(string host, DateTimeOffset after) =>
            _answers.Where(a => a.Host == host && a.At > after).Select(a => (DateTimeOffset?)a.At).Min();

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _loop;
            _stop.Dispose();
        }
    }
}
