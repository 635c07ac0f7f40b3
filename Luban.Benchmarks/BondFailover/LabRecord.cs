using System.Globalization;

namespace Luban.Benchmarks.BondFailover;

/// <summary>One link's counters and carrier at one sample (-1: the file could not be read).</summary>
public sealed record LinkCounters(long RxBytes, long RxPackets, long TxBytes, long TxPackets, int Carrier);

/// <summary>A 100 ms sample: datagrams sent (sender) or received (receiver) so far, the longest silence of any flow
/// that ended since the previous sample (receiver), and the counters of eth1, eth2 and bond0.</summary>
public sealed record LabSample(long GuestNs, long Sent, long Got, double MaxGapMs, IReadOnlyDictionary<string, LinkCounters> Links);

/// <summary>The bond's /proc file and its links' sysfs files (paths relative to /), written when they changed.</summary>
public sealed record LabDump(long GuestNs, int Id, IReadOnlyDictionary<string, string> Files, IReadOnlyList<string> Unreadable)
{
    public string? BondText => Files.GetValueOrDefault("proc/net/bonding/bond0");
}

/// <summary>A flow that received nothing from <see cref="FromNs"/> to <see cref="GuestNs"/>.</summary>
public sealed record LabGap(long GuestNs, int Flow, double Ms, long FromNs);

public sealed record LabSummary(long GuestNs, long Sent, long Got, long Duplicates, long MaxSeq);

public sealed record LabMilestone(long GuestNs, string Text);

/// <summary>
/// What one lab guest's bondlab wrote on its second serial port (scripts/vm/lab/bondlab.c documents the lines), with
/// the offset of the guest's monotonic clock to the host's: the smallest (host read time − guest time) over all lines,
/// i.e. the guest clock as seen through the fastest delivery. Lines that do not parse are counted, not fatal.
/// </summary>
public sealed class LabRecord
{
    private readonly List<LabSample> _samples = [];
    private readonly List<LabDump> _dumps = [];
    private readonly List<LabGap> _gaps = [];
    private readonly List<(long First, long Last)> _losses = [];
    private readonly List<LabMilestone> _milestones = [];
    private OpenDump? _open;

    public LabRecord(string guest) => Guest = guest;

    public string Guest { get; }

    public IReadOnlyList<LabSample> Samples => _samples;

    public IReadOnlyList<LabDump> Dumps => _dumps;

    public IReadOnlyList<LabGap> Gaps => _gaps;

    public IReadOnlyList<(long First, long Last)> Losses => _losses;

    public IReadOnlyList<LabMilestone> Milestones => _milestones;

    public LabSummary? Summary { get; private set; }

    public int Unparsed { get; private set; }

    /// <summary>Host time minus guest time, in nanoseconds; null before the first timed line.</summary>
    public long? OffsetNs { get; private set; }

    public long ToHostNs(long guestNs) => guestNs + (OffsetNs ?? throw new InvalidOperationException($"{Guest}: no timed line yet"));

    public LabMilestone? Milestone(string word) => _milestones.FirstOrDefault(m => m.Text == word || m.Text.StartsWith(word + " ", StringComparison.Ordinal));

    /// <summary>Adds one line as read at <paramref name="hostNs"/> on the host's clock.</summary>
    public void Add(string line, long hostNs)
    {
        line = line.TrimEnd('\r');
        if (line.Length < 2)
        {
            if (line.Length > 0) Unparsed++;
            return;
        }

        var tag = line[..2];
        var rest = line[2..];
        if (_open is not null && tag is "F " or "| " or "X " or "E ")
        {
            AddToDump(tag, rest);
            return;
        }

        var fields = Fields(rest);
        var t = Long(fields, "t");
        if (t is { } guestNs)
        {
            var offset = hostNs - guestNs;
            if (OffsetNs is null || offset < OffsetNs) OffsetNs = offset;
        }

        switch (tag)
        {
            case "S " when t is not null:
                _samples.Add(new LabSample(t.Value, Long(fields, "sent") ?? 0, Long(fields, "got") ?? 0, (Long(fields, "gap") ?? 0) / 1000.0,
                    fields.Where(f => f.Value.Contains(',', StringComparison.Ordinal)).ToDictionary(f => f.Key, f => Counters(f.Value))));
                break;
            case "D " when t is not null:
                _open = new OpenDump(t.Value, int.Parse(rest.Split(' ')[^1], CultureInfo.InvariantCulture));
                break;
            case "G " when t is not null:
                _gaps.Add(new LabGap(t.Value, (int)(Long(fields, "flow") ?? -1), Double(fields, "ms"), Long(fields, "from") ?? 0));
                break;
            case "R " when t is not null:
                Summary = new LabSummary(t.Value, Long(fields, "sent") ?? 0, Long(fields, "got") ?? 0, Long(fields, "dup") ?? 0, Long(fields, "maxseq") ?? 0);
                break;
            case "M " when t is not null:
                _milestones.Add(new LabMilestone(t.Value, rest[(rest.IndexOf(' ', StringComparison.Ordinal) + 1)..]));
                break;
            case "L " when rest.Split(' ') is [var first, var last]
                           && long.TryParse(first, CultureInfo.InvariantCulture, out var f)
                           && long.TryParse(last, CultureInfo.InvariantCulture, out var l):
                _losses.Add((f, l));
                break;
            default:
                Unparsed++;
                break;
        }
    }

    private void AddToDump(string tag, string rest)
    {
        var dump = _open!;
        switch (tag)
        {
            case "F ":
                dump.Current = rest;
                dump.Files[rest] = new List<string>();
                break;
            case "| " when dump.Current is not null:
                dump.Files[dump.Current].Add(rest);
                break;
            case "X ":
                dump.Unreadable.Add(rest.Split(' ')[0]);
                dump.Current = null;
                break;
            case "E ":
                _dumps.Add(new LabDump(dump.GuestNs, dump.Id,
                    dump.Files.ToDictionary(f => f.Key, f => string.Join('\n', f.Value) + "\n"), dump.Unreadable));
                _open = null;
                break;
        }
    }

    private static Dictionary<string, string> Fields(string text)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = word.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0) fields[word[..equals]] = word[(equals + 1)..];
        }

        return fields;
    }

    private static long? Long(Dictionary<string, string> fields, string key) =>
        fields.TryGetValue(key, out var text) && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) ? value : null;

    private static double Double(Dictionary<string, string> fields, string key) =>
        fields.TryGetValue(key, out var text) && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : double.NaN;

    private static LinkCounters Counters(string text)
    {
        var parts = text.Split(',').Select(p => long.TryParse(p, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v) ? v : -1).ToArray();
        return parts.Length == 5 ? new LinkCounters(parts[0], parts[1], parts[2], parts[3], (int)parts[4]) : new LinkCounters(-1, -1, -1, -1, -1);
    }

    private sealed class OpenDump(long guestNs, int id)
    {
        public long GuestNs { get; } = guestNs;

        public int Id { get; } = id;

        public Dictionary<string, List<string>> Files { get; } = new(StringComparer.Ordinal);

        public List<string> Unreadable { get; } = [];

        public string? Current { get; set; }
    }
}
