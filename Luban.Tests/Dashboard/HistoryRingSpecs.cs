using Luban.Seed.Dashboard;

namespace Luban.Tests.Dashboard;

public sealed class HistoryRingSpecs
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);

    private static DateTimeOffset At(int second) => T0.AddSeconds(second);

    public static TheoryData<string, int, int, int[], int, int[]> Cases => new()
    {
        // what, capacity, window (s), items added at (s; each item is its own second), read at (s), what is read
        { "in the order added", 10, 60, [0, 1, 2], 2, [0, 1, 2] },
        { "a full ring drops the oldest", 3, 60, [0, 1, 2, 3, 4], 4, [2, 3, 4] },
        { "wrapping around many times keeps the order", 3, 60, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 10, [8, 9, 10] },
        { "an item older than the window before the newest is dropped", 10, 5, [0, 1, 2, 8], 8, [8] },
        { "the item exactly a window before the newest stays", 10, 5, [0, 5], 5, [0, 5] },
        { "the window is measured from the time read at", 10, 5, [0, 2, 4], 8, [4] },
        { "nothing is left when read long after", 10, 5, [0, 1], 60, [] },
        { "an item older than the newest is refused", 10, 60, [0, 5, 3, 6], 6, [0, 5, 6] },
        { "items of one instant are all kept", 10, 60, [0, 1, 1, 2], 2, [0, 1, 1, 2] },
        { "capacity and window together", 4, 5, [0, 1, 2, 3, 4, 5, 6, 9, 10], 11, [6, 9, 10] },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Ring_should_keep_the_newest_items_of_its_window_in_order(string what, int capacity, int windowSeconds,
        int[] added, int readAt, int[] expected)
    {
        var ring = new HistoryRing<int>(capacity, TimeSpan.FromSeconds(windowSeconds));

        foreach (var second in added) ring.Add(At(second), second);

        var read = ring.Read(At(readAt));
        Assert.True(expected.SequenceEqual(read.Select(r => r.Item)), $"{what}: read [{string.Join(", ", read.Select(r => r.Item))}]");
        Assert.All(read, r => Assert.Equal(At(r.Item), r.At));
        Assert.InRange(ring.Count, expected.Length, capacity);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(900)]
    public void Ring_should_never_hold_more_than_its_capacity(int capacity)
    {
        var ring = new HistoryRing<int>(capacity, TimeSpan.FromDays(1));

        for (var i = 0; i < 10_000; i++) ring.Add(At(i), i);

        Assert.Equal(capacity, ring.Count);
        Assert.Equal(Enumerable.Range(10_000 - capacity, capacity), ring.Read(At(10_000)).Select(r => r.Item));
    }

    [Fact]
    public void Ring_should_say_when_it_refuses_an_item()
    {
        var ring = new HistoryRing<string>(4, TimeSpan.FromMinutes(1));

        Assert.True(ring.Add(At(5), "first"));
        Assert.False(ring.Add(At(4), "from the past"));
        Assert.True(ring.Add(At(5), "same instant"));

        Assert.Equal(["first", "same instant"], ring.Read(At(5)).Select(r => r.Item));
        Assert.Equal(At(5), ring.Newest);
    }
}
