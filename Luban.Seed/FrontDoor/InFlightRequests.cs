using System.Collections.Concurrent;

namespace Luban.Seed.FrontDoor;

/// <summary>
/// Requests in flight per destination (VM), counted by the forwarder. Kept by destination id rather than in YARP's
/// own state, because a draining VM has already left YARP's configuration while its last requests finish.
/// </summary>
public sealed class InFlightRequests
{
    private readonly ConcurrentDictionary<string, Counter> _counters = new(StringComparer.Ordinal);

    public int Of(string destinationId) => _counters.TryGetValue(destinationId, out var c) ? Volatile.Read(ref c.Value) : 0;

    public IReadOnlyDictionary<string, int> Snapshot() =>
        _counters.ToDictionary(kv => kv.Key, kv => Volatile.Read(ref kv.Value.Value), StringComparer.Ordinal);

    /// <summary>Counts a request to the destination until <see cref="Leave"/> is given the returned counter.</summary>
    public Counter Enter(string destinationId)
    {
        var counter = _counters.GetOrAdd(destinationId, static _ => new Counter());
        Interlocked.Increment(ref counter.Value);
        return counter;
    }

    public static void Leave(Counter counter) => Interlocked.Decrement(ref counter.Value);

    public sealed class Counter
    {
        internal int Value;
    }
}
