namespace Luban.Benchmarks.BondFailover;

/// <summary>
/// Writes a guest's dump as a BondWatcher fixture tree: <c>&lt;dir&gt;/proc/net/bonding/bond0</c> and
/// <c>&lt;dir&gt;/sys/class/net/&lt;if&gt;/…</c>, byte for byte as the guest's kernel wrote them. A file the kernel
/// refused to read (carrier, speed, duplex of a link that is down: EINVAL) is left out, as the reader expects.
/// </summary>
public static class LabFixtures
{
    /// <summary>
    /// The states of a run, from one guest's dumps: healthy (the last dump before the pull), the link down (the last
    /// before the restore), rejoining (the first after the restore in which bonding has the link up again but LACP
    /// does not distribute on it yet) and restored (the last of the run: LACP renegotiated).
    /// </summary>
    public static IReadOnlyList<(string Name, LabDump Dump)> States(LabRecord record, LabMarks marks, string prefix)
    {
        var states = new List<(string Name, LabDump Dump)>();
        void Add(string name, LabDump? dump)
        {
            if (dump is not null && states.All(s => s.Dump != dump)) states.Add(($"{prefix}-{name}", dump));
        }

        Add("healthy", record.Dumps.LastOrDefault(d => record.ToHostNs(d.GuestNs) < marks.PullNs));
        Add($"{marks.Link}-down", record.Dumps.LastOrDefault(d => record.ToHostNs(d.GuestNs) < marks.RestoreNs));
        Add($"{marks.Link}-rejoining", record.Dumps.FirstOrDefault(d => record.ToHostNs(d.GuestNs) >= marks.RestoreNs
            && FailoverAnalysis.Slave(d, marks.Link) is { IsUp: true } slave && !FailoverAnalysis.IsDistributing(slave)));
        Add("restored", record.Dumps.LastOrDefault());
        return states;
    }

    public static void Write(LabDump dump, string directory)
    {
        if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        foreach (var (path, text) in dump.Files)
        {
            // Paths come from the guest: only the two trees a fixture holds, nothing that climbs out.
            if (!(path.StartsWith("proc/net/bonding/", StringComparison.Ordinal) || path.StartsWith("sys/class/net/", StringComparison.Ordinal))
                || path.Split('/').Any(part => part is "" or "." or ".."))
            {
                throw new InvalidDataException($"unexpected path in a dump: {path}");
            }

            var file = Path.Combine(directory, path);
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            File.WriteAllText(file, text);
        }
    }
}
