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
    public Task TrackAsync(HttpContext context, RequestDelegate next)
    {
        var destinations = context.GetReverseProxyFeature().AvailableDestinations;
        // Without a chosen destination there is nothing to count, and no state machine to allocate.
        return destinations.Count == 1 ? CountAsync(destinations[0].DestinationId, context, next) : next(context);
    }

    private async Task CountAsync(string destinationId, HttpContext context, RequestDelegate next)
    {
        var counter = _counters.GetOrAdd(destinationId, static _ => new Counter());
        Interlocked.Increment(ref counter.Value);
        try
        {
            await next(context);
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
