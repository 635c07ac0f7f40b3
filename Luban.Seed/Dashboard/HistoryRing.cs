namespace Luban.Seed.Dashboard;

/// <summary>
/// The recent past of something sampled over time: a fixed-capacity ring of timestamped items, oldest first. Adding to
/// a full ring drops the oldest; an item is kept only while it is within <see cref="Window"/> of the newest (or of the
/// time read at); an item older than the newest is refused, so the history only moves forward.
/// </summary>
public sealed class HistoryRing<T>
{
    private readonly (DateTimeOffset At, T Item)[] _items;
    private int _first;

    public HistoryRing(int capacity, TimeSpan window)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(window, TimeSpan.Zero);
        _items = new (DateTimeOffset, T)[capacity];
        Window = window;
    }

    public int Capacity => _items.Length;

    public TimeSpan Window { get; }

    public int Count { get; private set; }

    /// <summary>The time of the newest item; null while the ring is empty.</summary>
    public DateTimeOffset? Newest => Count == 0 ? null : _items[Index(Count - 1)].At;

    /// <summary>Adds <paramref name="item"/> unless it is older than the newest (an equal time is kept: several events
    /// may share one instant); drops what falls out of the window or the capacity. False when refused.</summary>
    public bool Add(DateTimeOffset at, T item)
    {
        if (Newest is { } newest && at < newest) return false;
        if (Count == Capacity)
        {
            _first = Index(1);
            Count--;
        }

        _items[Index(Count)] = (at, item);
        Count++;
        DropOlderThan(at - Window);
        return true;
    }

    /// <summary>The items within the window before <paramref name="now"/>, oldest first.</summary>
    public IReadOnlyList<(DateTimeOffset At, T Item)> Read(DateTimeOffset now)
    {
        var oldest = now - Window;
        var result = new List<(DateTimeOffset, T)>(Count);
        for (var i = 0; i < Count; i++)
        {
            var entry = _items[Index(i)];
            if (entry.At >= oldest) result.Add(entry);
        }

        return result;
    }

    private void DropOlderThan(DateTimeOffset oldest)
    {
        while (Count > 0 && _items[_first].At < oldest)
        {
            _items[_first] = default;
            _first = Index(1);
            Count--;
        }
    }

    private int Index(int offset) => (_first + offset) % _items.Length;
}
