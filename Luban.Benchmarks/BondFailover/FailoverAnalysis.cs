using System.Globalization;
using System.Text;
using Luban.Actors.Bonding;
using Luban.Protocol.Bonding;

namespace Luban.Benchmarks.BondFailover;

/// <summary>The run as the host saw it: when the stream started and ended, and when the link was pulled and restored
/// (host clock, nanoseconds since the lab began).</summary>
public sealed record LabMarks(long StartNs, long PullNs, long RestoreNs, long EndNs, string Link);

/// <summary>Loss and the longest silence of any flow in one phase of the run.</summary>
public sealed record PhaseResult(string Phase, double FromS, double ToS, long Lost, double LongestGapMs);

/// <summary>When a guest's bonding driver saw the link go (MII down) and when LACP had it distributing again, in
/// seconds after the pull and the restore, from the first /proc dump that showed it.</summary>
public sealed record BondReaction(string Guest, double? SlaveDownAfterS, double? DistributingAgainAfterS);

public sealed record FailoverResult(
    long Sent,
    long Received,
    long Lost,
    long Duplicates,
    IReadOnlyList<PhaseResult> Phases,
    IReadOnlyList<BondReaction> Reactions)
{
    public PhaseResult Phase(string name) => Phases.First(p => p.Phase == name);

    public long FailoverGapMs => (long)Math.Round(Phase("pulled").LongestGapMs);

    public long RestoredGapMs => (long)Math.Round(Phase("restored").LongestGapMs);

    /// <summary>The benchmark's last line.</summary>
    public string LastLine => string.Create(CultureInfo.InvariantCulture, $"failover_gap_ms={FailoverGapMs} lost={Lost} restored_gap_ms={RestoredGapMs}");
}

/// <summary>
/// Pure: turns the two guests' records and the host's marks into the measured interruption and the chart's series.
/// A silence (a flow receiving nothing) belongs to the phase in which it ends, a lost datagram to the phase in which
/// it was sent (its send time interpolated from the sender's 100 ms samples of its sequence number). The phases are
/// before the pull, pulled, and restored (to the end of the run).
/// </summary>
public static class FailoverAnalysis
{
    public static readonly string[] Links = ["eth1", "eth2", "bond0"];

    /// <summary>bondlab writes a G line for every flow silence longer than this (GAP_LINE_NS in bondlab.c).</summary>
    public const double GapLineMs = 25;

    public static FailoverResult Analyse(LabRecord sender, LabRecord receiver, LabMarks marks)
    {
        var summary = receiver.Summary;
        var sent = summary?.Sent ?? sender.Samples.LastOrDefault()?.Sent ?? 0;
        var received = summary?.Got ?? receiver.Samples.LastOrDefault()?.Got ?? 0;
        var phases = new (string Name, long From, long To)[]
        {
            ("before", marks.StartNs, marks.PullNs),
            ("pulled", marks.PullNs, marks.RestoreNs),
            ("restored", marks.RestoreNs, long.MaxValue),
        };

        var lostSendTimes = receiver.Losses.SelectMany(l => Range(l.First, l.Last)).Select(seq => SendTimeNs(sender, seq)).ToArray();
        var results = phases.Select(p =>
        {
            var lost = lostSendTimes.LongCount(t => t >= p.From && t < p.To);
            // Silences over the guest's line threshold are placed by their exact end (G lines); shorter ones by the
            // 100 ms sample that reported them.
            var gap = receiver.Gaps.Where(g => In(receiver.ToHostNs(g.GuestNs), p.From, p.To)).Select(g => g.Ms)
                .Concat(receiver.Samples.Where(s => s.MaxGapMs <= GapLineMs && In(receiver.ToHostNs(s.GuestNs), p.From, p.To)).Select(s => s.MaxGapMs))
                .DefaultIfEmpty(0).Max();
            var to = p.To == long.MaxValue ? marks.EndNs : p.To;
            return new PhaseResult(p.Name, Seconds(p.From - marks.StartNs), Seconds(to - marks.StartNs), lost, gap);
        }).ToArray();

        return new FailoverResult(sent, received, Math.Max(sent - received, 0), summary?.Duplicates ?? 0, results,
            [Reaction(sender, marks), Reaction(receiver, marks)]);
    }

    /// <summary>Packets a second on each link between consecutive samples: received on <paramref name="received"/>
    /// or sent, at the later sample's host time, in seconds since the stream started.</summary>
    public static IReadOnlyList<(double T, IReadOnlyDictionary<string, double> PacketsPerSecond)> Rates(LabRecord record, LabMarks marks, bool received)
    {
        var rates = new List<(double, IReadOnlyDictionary<string, double>)>();
        for (var i = 1; i < record.Samples.Count; i++)
        {
            var (a, b) = (record.Samples[i - 1], record.Samples[i]);
            var seconds = (b.GuestNs - a.GuestNs) / 1e9;
            if (seconds <= 0) continue;
            var perLink = new Dictionary<string, double>(StringComparer.Ordinal);
            foreach (var link in Links)
            {
                if (!a.Links.TryGetValue(link, out var before) || !b.Links.TryGetValue(link, out var after)) continue;
                var (x, y) = received ? (before.RxPackets, after.RxPackets) : (before.TxPackets, after.TxPackets);
                if (x >= 0 && y >= x) perLink[link] = (y - x) / seconds;
            }

            rates.Add((Seconds(record.ToHostNs(b.GuestNs) - marks.StartNs), perLink));
        }

        return rates;
    }

    /// <summary>Every sample of both guests, one row each: cumulative counters, packets a second since the previous
    /// sample, datagrams sent/received so far and the longest flow silence that ended in the interval.</summary>
    public static string Csv(IReadOnlyList<LabRecord> records, LabMarks marks)
    {
        var csv = new StringBuilder("guest,t_s,sent,received,longest_gap_ms");
        foreach (var link in Links)
        {
            csv.Append(CultureInfo.InvariantCulture,
                $",{link}_carrier,{link}_rx_packets,{link}_tx_packets,{link}_rx_bytes,{link}_tx_bytes,{link}_rx_pps,{link}_tx_pps");
        }

        csv.Append('\n');
        foreach (var record in records)
        {
            LabSample? previous = null;
            foreach (var s in record.Samples)
            {
                var t = Seconds(record.ToHostNs(s.GuestNs) - marks.StartNs);
                csv.Append(CultureInfo.InvariantCulture, $"{record.Guest},{t:0.000},{s.Sent},{s.Got},{s.MaxGapMs:0.0}");
                var seconds = previous is null ? 0 : (s.GuestNs - previous.GuestNs) / 1e9;
                foreach (var link in Links)
                {
                    var c = s.Links.GetValueOrDefault(link) ?? new LinkCounters(-1, -1, -1, -1, -1);
                    var p = previous?.Links.GetValueOrDefault(link);
                    string Rate(long now, long? before) =>
                        seconds > 0 && before is >= 0 && now >= before ? ((now - before.Value) / seconds).ToString("0.0", CultureInfo.InvariantCulture) : "";
                    csv.Append(CultureInfo.InvariantCulture,
                        $",{c.Carrier},{c.RxPackets},{c.TxPackets},{c.RxBytes},{c.TxBytes},{Rate(c.RxPackets, p?.RxPackets)},{Rate(c.TxPackets, p?.TxPackets)}");
                }

                csv.Append('\n');
                previous = s;
            }
        }

        return csv.ToString();
    }

    /// <summary>The guest time a sequence number was sent, interpolated between the sender's samples.</summary>
    private static long SendTimeNs(LabRecord sender, long seq)
    {
        var samples = sender.Samples;
        for (var i = 1; i < samples.Count; i++)
        {
            var (a, b) = (samples[i - 1], samples[i]);
            if (b.Sent <= seq) continue;
            var fraction = b.Sent == a.Sent ? 1 : (double)(seq - a.Sent) / (b.Sent - a.Sent);
            return sender.ToHostNs(a.GuestNs + (long)(Math.Clamp(fraction, 0, 1) * (b.GuestNs - a.GuestNs)));
        }

        return samples.Count > 0 ? sender.ToHostNs(samples[^1].GuestNs) : 0;
    }

    private static BondReaction Reaction(LabRecord record, LabMarks marks)
    {
        double? After(long fromNs, Func<SlaveStatus, bool> shows) =>
            record.Dumps.Where(d => record.ToHostNs(d.GuestNs) >= fromNs && Slave(d, marks.Link) is { } slave && shows(slave))
                .Select(d => (double?)Seconds(record.ToHostNs(d.GuestNs) - fromNs)).FirstOrDefault();
        return new BondReaction(record.Guest,
            After(marks.PullNs, slave => !slave.IsUp),
            After(marks.RestoreNs, IsDistributing));
    }

    /// <summary>One slave as the BondWatcher's own parser reads the dump's /proc file.</summary>
    public static SlaveStatus? Slave(LabDump dump, string slave) =>
        dump.BondText is { } text ? BondProcParser.Parse("bond0", text).Status?.Slave(slave) : null;

    /// <summary>Up, and LACP says this end is in sync, collecting and distributing (port state bits 0x08|0x10|0x20).</summary>
    public static bool IsDistributing(SlaveStatus slave) => slave.IsUp && slave.ActorPdu is { PortState: var state } && (state & 0x38) == 0x38;

    private static IEnumerable<long> Range(long first, long last)
    {
        for (var s = first; s <= last; s++) yield return s;
    }

    private static bool In(long t, long from, long to) => t >= from && t < to;

    private static double Seconds(long ns) => ns / 1e9;
}
