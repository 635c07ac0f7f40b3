using System.Collections.Concurrent;
using Yarp.ReverseProxy.Model;

namespace Luban.Seed.FrontDoor;

/// <summary>
/// Requests in flight per destination (VM), counted by the proxy pipeline. Kept by destination id rather than in
/// YARP's own state, because a draining VM has already left YARP's configuration while its last requests finish.
/// </summary>
public sealed class InFlightRequests
{
    private readonly ConcurrentDictionary<string, Counter> _counters = new(StringComparer.Ordinal);

    public int Of(string destinationId) => _counters.TryGetValue(destinationId, out var c) ? Volatile.Read(ref c.Value) : 0;

    public IReadOnlyDictionary<string, int> Snapshot() =>
        _counters.ToDictionary(kv => kv.Key, kv => Volatile.Read(ref kv.Value.Value), StringComparer.Ordinal);

    /// <summary>Counts the chosen destination while the rest of the pipeline forwards the request.</summary>
    public async Task TrackAsync(HttpContext context, Func<Task> next)
    {
        var destinations = context.GetReverseProxyFeature().AvailableDestinations;
        if (destinations.Count != 1)
        {
            await next();
            return;
        }

        var counter = _counters.GetOrAdd(destinations[0].DestinationId, static _ => new Counter());
        Interlocked.Increment(ref counter.Value);
        try
        {
            await next();
        }
        finally
        {
            Interlocked.Decrement(ref counter.Value);
        }
    }

    private sealed class Counter
    {
        public int Value;
    }
}
