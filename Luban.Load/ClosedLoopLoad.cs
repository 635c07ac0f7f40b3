using System.Collections.Concurrent;
using System.Diagnostics;
using Luban.Load.Journeys;

namespace Luban.Load;

/// <summary>What a load run saw: every answer by status, every failure by kind, and latencies.</summary>
public sealed record LoadResult(
    long Requests,
    long Succeeded,
    long Non2xx,
    long SocketErrors,
    IReadOnlyDictionary<string, long> Failures,
    IReadOnlyDictionary<string, long> ByInstance,
    TimeSpan Elapsed,
    double P50Ms,
    double P99Ms)
{
    public long Failed => Non2xx + SocketErrors;

    /// <summary>Per instance, when its first successful answer arrived, measured like <see cref="Elapsed"/>.</summary>
    public IReadOnlyDictionary<string, TimeSpan> FirstSeen { get; init; } = new Dictionary<string, TimeSpan>();

    /// <summary>With journeys: requests per step (register, login, save, list, compare), answered or not.</summary>
    public IReadOnlyDictionary<string, long> ByStep { get; init; } = new Dictionary<string, long>();

    /// <summary>With journeys: the median latency of each step, in milliseconds.</summary>
    public IReadOnlyDictionary<string, double> StepP50Ms { get; init; } = new Dictionary<string, double>();

    public override string ToString() =>
        $"{Requests} requests, {Succeeded} ok, {Non2xx} non-2xx, {SocketErrors} socket errors, " +
        $"{Requests / Math.Max(Elapsed.TotalSeconds, 1e-9):0} req/s, p50 {P50Ms:0.0} ms, p99 {P99Ms:0.0} ms" +
        (Failures.Count > 0 ? $"; failures: {string.Join(", ", Failures.Select(f => $"{f.Key}×{f.Value}"))}" : "");
}

/// <summary>
/// A closed-loop HTTP load generator over real sockets: a given number of clients, each with its own keep-alive
/// connection, sending one request after another until stopped. Counts non-2xx answers and socket errors apart, and
/// which instance answered (from a response header), so a test can see where traffic went.
/// </summary>
public sealed class ClosedLoopLoad : IAsyncDisposable
{
    private readonly Uri _target;
    private readonly string _instanceHeader;
    private readonly Func<HttpRequestMessage>? _requestFactory;
    private readonly Func<IClientJourney>? _journeys;
    private readonly ConcurrentDictionary<string, long> _bySteps = new();
    private readonly ConcurrentDictionary<string, ConcurrentBag<double>> _stepLatencies = new();
    private readonly ConcurrentDictionary<string, long> _failures = new();

    /// <summary>When each failed request was sent (since the first client started).</summary>
    private readonly ConcurrentQueue<TimeSpan> _failedSentAt = new();
    private readonly ConcurrentDictionary<string, long> _byInstance = new();
    private readonly ConcurrentDictionary<string, TimeSpan> _firstSeen = new();
    private readonly ConcurrentBag<double> _latencies = [];
    private readonly List<(HttpClient Client, Task Loop)> _clients = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Stopwatch _clock = new();
    private readonly SemaphoreSlim _clientsLock = new(1, 1);
    private readonly TimeProvider _wallClock;
    private long _requests, _succeeded, _non2xx, _socketErrors;

    /// <param name="clock">Only for <see cref="StartedAt"/>; durations come from a stopwatch.</param>
    /// <param name="journeys">
    /// When given, each client follows its own journey (requests relative to <paramref name="target"/>) instead of
    /// repeating one request.
    /// </param>
    public ClosedLoopLoad(Uri target, string instanceHeader = "X-Luban-Instance",
        Func<HttpRequestMessage>? requestFactory = null, TimeProvider? clock = null, Func<IClientJourney>? journeys = null)
    {
        _target = target;
        _instanceHeader = instanceHeader;
        _requestFactory = requestFactory;
        _journeys = journeys;
        _wallClock = clock ?? TimeProvider.System;
    }

    public int Clients => _clients.Count;

    /// <summary>Wall-clock time of the first <see cref="SetClientsAsync"/>, from which elapsed times count.</summary>
    public DateTimeOffset? StartedAt { get; private set; }

    public long Requests => Interlocked.Read(ref _requests);

    public long Failed => Interlocked.Read(ref _non2xx) + Interlocked.Read(ref _socketErrors);

    /// <summary>Time since the first client started (the clock <see cref="LoadResult.FirstSeen"/> uses).</summary>
    public TimeSpan Elapsed => _clock.Elapsed;

    /// <summary>Failed requests that were sent at or after <paramref name="since"/> (on <see cref="Elapsed"/>'s clock),
    /// whenever they failed: a request in flight when a host was lost may time out much later, and it still belongs to
    /// the moment it was sent.</summary>
    public int FailedSentSince(TimeSpan since) => _failedSentAt.Count(sent => sent >= since);

    /// <summary>Sets the number of concurrent clients, adding or retiring them (a ramp moves this up and down).</summary>
    public async Task SetClientsAsync(int count)
    {
        await _clientsLock.WaitAsync();
        try
        {
            if (!_clock.IsRunning)
            {
                StartedAt ??= _wallClock.GetUtcNow();
                _clock.Start();
            }

            while (_clients.Count < count)
            {
                var handler = new SocketsHttpHandler
                {
                    MaxConnectionsPerServer = 1,
                    PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
                    UseCookies = false,
                    UseProxy = false,
                };
                var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };
                var retire = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                _clients.Add((client, Task.Run(() => LoopAsync(client, retire.Token))));
                _retire.Add(retire);
            }

            // Retire the surplus together: each finishes its request at the same time as the others.
            if (_clients.Count > count)
            {
                var retiring = _clients.Count - count;
                foreach (var retire in _retire.Skip(count)) await retire.CancelAsync();
                await Task.WhenAll(_clients.Skip(count).Select(c => c.Loop));
                foreach (var (client, _) in _clients.Skip(count)) client.Dispose();
                foreach (var retire in _retire.Skip(count)) retire.Dispose();
                _clients.RemoveRange(count, retiring);
                _retire.RemoveRange(count, retiring);
            }
        }
        finally
        {
            _clientsLock.Release();
        }
    }

    private readonly List<CancellationTokenSource> _retire = [];

    public LoadResult Snapshot()
    {
        var sorted = _latencies.ToArray();
        Array.Sort(sorted);
        double Percentile(double p) => sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))];
        return new LoadResult(Requests, Interlocked.Read(ref _succeeded), Interlocked.Read(ref _non2xx),
            Interlocked.Read(ref _socketErrors), new Dictionary<string, long>(_failures),
            new Dictionary<string, long>(_byInstance), _clock.Elapsed, Percentile(0.50), Percentile(0.99))
        {
            FirstSeen = new Dictionary<string, TimeSpan>(_firstSeen),
            ByStep = new Dictionary<string, long>(_bySteps),
            StepP50Ms = _stepLatencies.ToDictionary(s => s.Key, s => Median(s.Value)),
        };
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? 0 : sorted[sorted.Length / 2];
    }

    /// <summary>Stops every client after its current request and returns the totals.</summary>
    public async Task<LoadResult> StopAsync()
    {
        await SetClientsAsync(0);
        _clock.Stop();
        return Snapshot();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stop.Dispose();
    }

    private async Task LoopAsync(HttpClient client, CancellationToken stop)
    {
        var journey = _journeys?.Invoke();
        while (!stop.IsCancellationRequested)
        {
            var started = Stopwatch.GetTimestamp();
            var sentAt = _clock.Elapsed;
            string? step = null;
            HttpRequestMessage request;
            if (journey is not null)
            {
                (request, step) = journey.Next();
                request.RequestUri = new Uri(_target, request.RequestUri!);
                _bySteps.AddOrUpdate(step, 1, (_, n) => n + 1);
            }
            else
            {
                request = _requestFactory?.Invoke() ?? new HttpRequestMessage(HttpMethod.Get, _target);
                request.RequestUri ??= _target;
            }
            try
            {
                // The request is never cancelled midway: a retired client finishes what it started.
                using var response = await client.SendAsync(request, CancellationToken.None);
                if (journey is not null)
                {
                    var body = await response.Content.ReadAsStringAsync(CancellationToken.None);
                    journey.Observe(step!, response.StatusCode,
                        response.Headers.TryGetValues("Set-Cookie", out var cookies) ? cookies : [], body);
                }
                else
                {
                    await response.Content.LoadIntoBufferAsync(CancellationToken.None);
                }
                Interlocked.Increment(ref _requests);
                if (response.IsSuccessStatusCode)
                {
                    Interlocked.Increment(ref _succeeded);
                    if (response.Headers.TryGetValues(_instanceHeader, out var values))
                    {
                        var instance = values.First();
                        _byInstance.AddOrUpdate(instance, 1, (_, n) => n + 1);
                        // A lock-free read on the hot path; only an instance's first answer writes.
                        if (!_firstSeen.ContainsKey(instance)) _firstSeen.TryAdd(instance, _clock.Elapsed);
                    }
                }
                else
                {
                    Interlocked.Increment(ref _non2xx);
                    _failedSentAt.Enqueue(sentAt);
                    var kind = step is null ? $"HTTP {(int)response.StatusCode}" : $"HTTP {(int)response.StatusCode} {step}";
                    _failures.AddOrUpdate(kind, 1, (_, n) => n + 1);
                }
            }
            catch (Exception error) when (error is HttpRequestException or IOException or TaskCanceledException)
            {
                Interlocked.Increment(ref _requests);
                Interlocked.Increment(ref _socketErrors);
                _failedSentAt.Enqueue(sentAt);
                var kind = error is HttpRequestException { HttpRequestError: var e } ? e.ToString() : error.GetType().Name;
                _failures.AddOrUpdate(kind, 1, (_, n) => n + 1);
            }
            finally
            {
                request.Dispose();
            }

            var latency = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            _latencies.Add(latency);
            if (step is not null) _stepLatencies.GetOrAdd(step, _ => []).Add(latency);
        }
    }
}
