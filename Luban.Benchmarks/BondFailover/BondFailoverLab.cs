using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Luban.Benchmarks.BondFailover;

/// <summary>
/// <c>./luban bench bond-failover</c>: boots the two lab guests, waits for their 802.3ad bond, lets the stream run,
/// pulls a link through libvirt, restores it, and turns what both guests recorded into the chart, the CSV, the
/// summary and fixture trees. Only the domains it creates (transient, named luban-lab-1/2) are ever destroyed.
/// </summary>
public sealed class BondFailoverLab
{
    public const string SenderName = "luban-lab-1";
    public const string ReceiverName = "luban-lab-2";
    private const string SenderAddress = "192.168.77.1", ReceiverAddress = "192.168.77.2";
    private const int StreamPort = 7000;

    private readonly LabOptions _options;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly List<string> _created = [];

    private BondFailoverLab(LabOptions options) => _options = options;

    private long Now => (long)(_clock.ElapsedTicks * (1e9 / Stopwatch.Frequency));

    public static async Task<int> RunAsync(IReadOnlyList<string> args)
    {
        LabOptions options;
        try
        {
            options = LabOptions.Parse(args);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"bond-failover: {e.Message}");
            return 2;
        }

        if (options.Help)
        {
            Console.WriteLine(LabOptions.Usage);
            return 0;
        }

        var lab = new BondFailoverLab(options);
        try
        {
            return await lab.RunAsync();
        }
        catch (LabFailure failure)
        {
            Console.Error.WriteLine($"bond-failover: {failure.Message}");
            return 1;
        }
        finally
        {
            await lab.DestroyCreatedAsync();
        }
    }

    private async Task<int> RunAsync()
    {
        if (!Environment.IsPrivilegedProcess) throw new LabFailure("needs root (libvirt's system daemon runs the guests as root here)");
        var image = ReadImage(_options.ImageDir);
        Directory.CreateDirectory(_options.RunDir);
        foreach (var stale in Directory.EnumerateFileSystemEntries(_options.RunDir))
        {
            if (Directory.Exists(stale)) Directory.Delete(stale, recursive: true);
            else File.Delete(stale);
        }

        var ports = FreeUdpPorts(4);
        var pulled = _options.Link;
        LabGuest Guest(string name, int index, string role, string address, string peer)
        {
            // Link n of guest 1 sends to link n of guest 2 and back: ports[2n-2] is guest 1's end, ports[2n-1] guest 2's.
            var links = new[] { "eth1", "eth2" }.Select((link, n) => new LabLink(link,
                string.Create(CultureInfo.InvariantCulture, $"52:54:00:4c:{index:x2}:{n + 1:x2}"),
                ports[2 * n + (index - 1)], ports[2 * n + (2 - index)])).ToArray();
            var cmdline = string.Create(CultureInfo.InvariantCulture,
                $"console=ttyS0 quiet panic=-1 lab.role={role} lab.ip={address}/24 lab.peer={peer} lab.port={StreamPort} lab.rate={_options.Rate} lab.flows={_options.Flows} lab.size={_options.Size} lab.seconds={_options.StreamSeconds}");
            return new LabGuest(name, image.Kernel, image.Initrd, cmdline, links,
                Path.Combine(_options.RunDir, $"{name}.console.log"), Path.Combine(_options.RunDir, $"{name}.record"));
        }

        var sender = Guest(SenderName, 1, "sender", SenderAddress, ReceiverAddress);
        var receiver = Guest(ReceiverName, 2, "receiver", ReceiverAddress, SenderAddress);
        Say($"two guests, {SenderName} sends to {ReceiverName}: bond0 = eth1 + eth2 in 802.3ad (miimon 100 ms, lacp_rate fast, " +
            $"layer3+4) over two UDP tunnels; kernel {image.KernelVersion}, domain type {_options.DomainType}");
        Say($"stream: {_options.Rate} datagrams/s of {_options.Size} B over {_options.Flows} flows for {_options.StreamSeconds} s; " +
            $"{pulled} pulled ({(_options.PullBothEnds ? "both ends" : "sender's end")}) at {_options.WarmupSeconds} s, restored at {_options.WarmupSeconds + _options.HoldSeconds} s");

        await ClaimNamesAsync(SenderName, ReceiverName);
        var senderRecord = new LabRecord(SenderName);
        var receiverRecord = new LabRecord(ReceiverName);
        var tails = new[] { new RecordTail(sender.RecordPath, senderRecord), new RecordTail(receiver.RecordPath, receiverRecord) };
        foreach (var guest in new[] { sender, receiver })
        {
            var xml = Path.Combine(_options.RunDir, $"{guest.Name}.xml");
            await File.WriteAllTextAsync(xml, LabDomainXml.Build(guest, _options.DomainType));
            await VirshAsync("create", xml);
            _created.Add(guest.Name);
        }

        Say($"started {SenderName} and {ReceiverName} (consoles: {_options.RunDir}/*.console.log)");
        var bootDeadline = Now + _options.BootTimeoutSeconds * 1_000_000_000L;
        foreach (var record in new[] { senderRecord, receiverRecord })
        {
            await WaitForAsync(tails, () => record.Milestone("lacp-ready") is not null, bootDeadline,
                $"{record.Guest}: no LACP aggregate of both links within {_options.BootTimeoutSeconds} s (see its console)");
            Say($"{record.Guest}: LACP up: eth1 and eth2 in one aggregator with the other guest, both distributing");
        }

        await WaitForAsync(tails, () => senderRecord.Milestone("start") is not null, Now + 30_000_000_000L,
            $"{SenderName}: the stream did not start (no answer from {ReceiverName})");
        var start = senderRecord.ToHostNs(senderRecord.Milestone("start")!.GuestNs);
        Say("stream started");

        var pullAt = start + _options.WarmupSeconds * 1_000_000_000L;
        var restoreAt = pullAt + _options.HoldSeconds * 1_000_000_000L;
        await ProgressUntilAsync(tails, senderRecord, receiverRecord, start, pullAt);
        var pull = await SetLinkAsync(sender, receiver, pulled, "down");
        Say($"pulled {pulled}: virsh domif-setlink {(_options.PullBothEnds ? "on both guests" : $"on {SenderName}")} took {Ms(pull.Took)} ms");
        await ProgressUntilAsync(tails, senderRecord, receiverRecord, start, restoreAt);
        var restore = await SetLinkAsync(sender, receiver, pulled, "up");
        Say($"restored {pulled} ({Ms(restore.Took)} ms)");

        var streamEnd = start + _options.StreamSeconds * 1_000_000_000L;
        await ProgressUntilAsync(tails, senderRecord, receiverRecord, start, streamEnd);
        await WaitForAsync(tails, () => receiverRecord.Milestone("done") is not null && senderRecord.Milestone("done") is not null,
            Now + 20_000_000_000L, $"{ReceiverName}: no summary of the stream");
        // A little more of the restored bond, then the guests go.
        await WaitForAsync(tails, () => false, Now + 1_500_000_000L, null);
        var end = Now;
        await DestroyCreatedAsync();
        foreach (var tail in tails) tail.Poll(Now);

        var marks = new LabMarks(start, pull.At, restore.At, end, pulled);
        return await ReportAsync(senderRecord, receiverRecord, marks, image);
    }

    private async Task<int> ReportAsync(LabRecord sender, LabRecord receiver, LabMarks marks, LabImage image)
    {
        var result = FailoverAnalysis.Analyse(sender, receiver, marks);
        Directory.CreateDirectory(_options.OutDir);
        var driver = sender.Dumps.FirstOrDefault()?.BondText?.Split('\n')[0].Replace("Ethernet Channel Bonding Driver: ", "", StringComparison.Ordinal) ?? "?";
        var date = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

        var (pulledAt, restoredAt) = (Seconds(marks.PullNs - marks.StartNs), Seconds(marks.RestoreNs - marks.StartNs));
        ChartMarker[] markers = [new(pulledAt, $"{marks.Link} pulled", "#d62728"), new(restoredAt, $"{marks.Link} restored", "#2ca02c")];
        IReadOnlyList<ChartMarker> Reactions(string guest)
        {
            var reaction = result.Reactions.Single(r => r.Guest == guest);
            var found = new List<ChartMarker>();
            if (reaction.SlaveDownAfterS is { } down)
                found.Add(new(pulledAt + down, string.Create(CultureInfo.InvariantCulture, $"bonding: {marks.Link} down (+{down * 1000:0} ms)"), "#d62728", Dotted: true));
            if (reaction.DistributingAgainAfterS is { } back)
                found.Add(new(restoredAt + back, string.Create(CultureInfo.InvariantCulture, $"LACP: {marks.Link} distributing again (+{back:0.0} s)"), "#2ca02c", Dotted: true));
            return found;
        }

        var subtitle = string.Create(CultureInfo.InvariantCulture,
            $"{date} · kernel {image.KernelVersion} · 802.3ad, miimon 100 ms, lacp_rate fast · {_options.Rate} datagrams/s over {_options.Flows} flows");
        var results = string.Create(CultureInfo.InvariantCulture,
            $"longest silence of a flow: {result.Phase("before").LongestGapMs:0} ms before, {result.FailoverGapMs} ms after the pull, {result.RestoredGapMs} ms after the restore · lost {result.Lost} of {result.Sent}");
        var svg = FailoverSvg.Build("Luban Cloud — NIC failover with 802.3ad bonding (the paper's Figures 13–14)", [subtitle, results],
            [
                new ChartPanel($"{SenderName} (sender): packets sent per second", FailoverAnalysis.Rates(sender, marks, received: false), Reactions(SenderName)),
                new ChartPanel($"{ReceiverName} (receiver): packets received per second", FailoverAnalysis.Rates(receiver, marks, received: true), Reactions(ReceiverName)),
            ],
            markers, Seconds(marks.EndNs - marks.StartNs));
        await File.WriteAllTextAsync(Path.Combine(_options.OutDir, "bond-failover.svg"), svg);
        await File.WriteAllTextAsync(Path.Combine(_options.OutDir, "bond-failover.csv"), FailoverAnalysis.Csv([sender, receiver], marks));

        // Every dump of both guests for inspection; the sender's three states as fixture trees.
        foreach (var record in new[] { sender, receiver })
            foreach (var dump in record.Dumps)
                LabFixtures.Write(dump, Path.Combine(_options.RunDir, "dumps", record.Guest,
                    string.Create(CultureInfo.InvariantCulture, $"{dump.Id:000}-at-{Seconds(record.ToHostNs(dump.GuestNs) - marks.StartNs):0.000}s")));
        var fixtures = LabFixtures.States(sender, marks, "lab-8023ad");
        foreach (var (name, dump) in fixtures)
        {
            LabFixtures.Write(dump, Path.Combine(_options.RunDir, "fixtures", name));
            if (_options.FixturesDir is { } target) LabFixtures.Write(dump, Path.Combine(target, name));
        }

        var summary = new StringBuilder();
        summary.AppendLine(CultureInfo.InvariantCulture, $"bond-failover {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC: {_options.Command}");
        summary.AppendLine(CultureInfo.InvariantCulture, $"guests: {SenderName} (sender), {ReceiverName} (receiver), 1 vCPU, 128 MiB, domain type {_options.DomainType}; kernel {image.KernelVersion}, bonding driver {driver}");
        summary.AppendLine("bond: 802.3ad, miimon 100 ms, lacp_rate fast, xmit_hash_policy layer3+4; links: libvirt UDP tunnels, virtio NICs reporting 1000 Mb/s full duplex");
        summary.AppendLine(CultureInfo.InvariantCulture,
            $"stream: {_options.Rate} datagrams/s of {_options.Size} B over {_options.Flows} flows for {_options.StreamSeconds} s; {marks.Link} pulled ({(_options.PullBothEnds ? "both ends" : "sender's end")}) at {Seconds(marks.PullNs - marks.StartNs):0.00} s, restored at {Seconds(marks.RestoreNs - marks.StartNs):0.00} s");
        summary.AppendLine(CultureInfo.InvariantCulture, $"sent {result.Sent}, received {result.Received}, lost {result.Lost}, duplicates {result.Duplicates}");
        summary.AppendLine("phase     from_s  to_s    lost  longest_gap_ms");
        foreach (var p in result.Phases)
            summary.AppendLine(CultureInfo.InvariantCulture, $"{p.Phase,-9} {p.FromS,6:0.00}  {p.ToS,6:0.00}  {p.Lost,4}  {p.LongestGapMs,8:0.0}");
        foreach (var r in result.Reactions)
            summary.AppendLine(CultureInfo.InvariantCulture,
                $"{r.Guest}: bonding saw {marks.Link} down {Maybe(r.SlaveDownAfterS)} after the pull; LACP had it distributing again {Maybe(r.DistributingAgainAfterS)} after the restore");
        summary.AppendLine(CultureInfo.InvariantCulture, $"fixtures: {string.Join(", ", fixtures.Select(f => f.Name))}");
        summary.AppendLine(result.LastLine);
        await File.WriteAllTextAsync(Path.Combine(_options.OutDir, "bond-failover-summary.txt"), summary.ToString());

        Console.WriteLine();
        Console.Write(summary.ToString().Replace(result.LastLine + Environment.NewLine, "", StringComparison.Ordinal));
        Console.WriteLine($"wrote {Path.Combine(_options.OutDir, "bond-failover.svg")}, .csv, -summary.txt; dumps and fixtures in {_options.RunDir}");
        if (sender.Unparsed + receiver.Unparsed > 0)
            Console.WriteLine($"note: {sender.Unparsed + receiver.Unparsed} record lines did not parse (see {_options.RunDir}/*.record)");
        Console.WriteLine(result.LastLine);
        return 0;
    }

    private static string Maybe(double? seconds) =>
        seconds is { } s ? string.Create(CultureInfo.InvariantCulture, $"{s:0.000} s") : "never (within the run)";

    private async Task ProgressUntilAsync(RecordTail[] tails, LabRecord sender, LabRecord receiver, long start, long until)
    {
        var nextLine = Now;
        while (Now < until)
        {
            foreach (var tail in tails) tail.Poll(Now);
            if (Now >= nextLine)
            {
                Progress(sender, receiver, start);
                nextLine = Now + 1_000_000_000L;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(Math.Clamp((until - Now) / 1e6, 0, 10)));
        }
    }

    private void Progress(LabRecord sender, LabRecord receiver, long start)
    {
        string Rates(LabRecord record, bool rx)
        {
            if (record.Samples.Count < 11) return "…";
            var (a, b) = (record.Samples[^11], record.Samples[^1]);
            var seconds = (b.GuestNs - a.GuestNs) / 1e9;
            return string.Join("  ", FailoverAnalysis.Links.Select(link =>
            {
                var (x, y) = (a.Links.GetValueOrDefault(link), b.Links.GetValueOrDefault(link));
                var rate = x is null || y is null ? double.NaN : ((rx ? y.RxPackets - x.RxPackets : y.TxPackets - x.TxPackets) / seconds);
                return string.Create(CultureInfo.InvariantCulture, $"{link} {rate,5:0}");
            }));
        }

        var got = receiver.Samples.LastOrDefault()?.Got ?? 0;
        var gap = receiver.Samples.TakeLast(10).Select(s => s.MaxGapMs).DefaultIfEmpty(0).Max();
        Say(string.Create(CultureInfo.InvariantCulture,
            $"t={Seconds(Now - start),5:0.0}s  sent/s {Rates(sender, false)}  |  received/s {Rates(receiver, true)}  |  received {got}, longest silence {gap:0} ms"));
    }

    private async Task WaitForAsync(RecordTail[] tails, Func<bool> done, long deadline, string? failure)
    {
        while (true)
        {
            foreach (var tail in tails) tail.Poll(Now);
            if (done()) return;
            if (Now >= deadline)
            {
                if (failure is null) return;
                throw new LabFailure(failure);
            }

            await Task.Delay(10);
        }
    }

    /// <summary>Sets the link on the sender (and, for a cable pull, the receiver) at once; the mark is the moment the
    /// commands were issued.</summary>
    private async Task<(long At, long Took)> SetLinkAsync(LabGuest sender, LabGuest receiver, string link, string state)
    {
        var at = Now;
        var guests = _options.PullBothEnds ? new[] { sender, receiver } : [sender];
        await Task.WhenAll(guests.Select(g => VirshAsync("domif-setlink", g.Name, g.Links.Single(l => l.Name == link).Mac, state)));
        return (at, Now - at);
    }

    /// <summary>Refuses to run over a domain of these names that another run owns; one left by an earlier lab run
    /// (its console under this run folder) is destroyed.</summary>
    private async Task ClaimNamesAsync(params string[] names)
    {
        foreach (var name in names)
        {
            var (code, xml, _) = await RunVirshAsync("dumpxml", name);
            if (code != 0) continue;
            if (!xml.Contains($"'{_options.RunDir}/", StringComparison.Ordinal) && !xml.Contains($"\"{_options.RunDir}/", StringComparison.Ordinal))
                throw new LabFailure($"a domain named {name} exists and is not this lab's (its console is not under {_options.RunDir}); not touching it");
            Say($"{name}: left over from an earlier lab run; destroying it");
            await RunVirshAsync("destroy", name);
            await RunVirshAsync("undefine", name);
        }
    }

    private async Task DestroyCreatedAsync()
    {
        foreach (var name in _created.ToArray())
        {
            await RunVirshAsync("destroy", name);
            _created.Remove(name);
        }
    }

    private async Task VirshAsync(params string[] args)
    {
        var (code, _, error) = await RunVirshAsync(args);
        if (code != 0) throw new LabFailure($"virsh {string.Join(' ', args)}: {error.Trim()}");
    }

    private async Task<(int Code, string Output, string Error)> RunVirshAsync(params string[] args)
    {
        var start = new ProcessStartInfo("virsh", ["-q", "-c", _options.Uri, .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start) ?? throw new LabFailure("cannot run virsh (apt-get install libvirt-clients)");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output, await error);
    }

    private static LabImage ReadImage(string directory)
    {
        var env = Path.Combine(directory, "image.env");
        if (!File.Exists(env)) throw new LabFailure($"no lab image in {directory} (scripts/vm/build-lab-image.sh builds it)");
        var values = File.ReadAllLines(env).Where(l => l.Contains('=', StringComparison.Ordinal) && !l.StartsWith('#'))
            .Select(l => l.Split('=', 2)).ToDictionary(p => p[0], p => p[1].Trim('"'), StringComparer.Ordinal);
        return new LabImage(values.GetValueOrDefault("LUBAN_LAB_KERNEL") ?? Path.Combine(directory, "vmlinux"),
            values.GetValueOrDefault("LUBAN_LAB_INITRD") ?? Path.Combine(directory, "initrd.img"),
            values.GetValueOrDefault("LUBAN_LAB_KERNEL_VERSION") ?? "unknown");
    }

    /// <summary>Ports the kernel hands out as free right now (QEMU binds them a moment later).</summary>
    private static int[] FreeUdpPorts(int count)
    {
        var sockets = Enumerable.Range(0, count).Select(_ =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            return socket;
        }).ToArray();
        var ports = sockets.Select(s => ((IPEndPoint)s.LocalEndPoint!).Port).ToArray();
        foreach (var socket in sockets) socket.Dispose();
        return ports;
    }

    private void Say(string text) => Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{Seconds(Now),6:0.0} s] {text}"));

    private static double Seconds(long ns) => ns / 1e9;

    private static string Ms(long ns) => (ns / 1e6).ToString("0", CultureInfo.InvariantCulture);

    private sealed record LabImage(string Kernel, string Initrd, string KernelVersion);

    private sealed class LabFailure(string message) : Exception(message);

    /// <summary>Reads what QEMU appended to a guest's record file since the last poll, line by line.</summary>
    private sealed class RecordTail(string path, LabRecord record)
    {
        private readonly StringBuilder _partial = new();
        private long _offset;

        public void Poll(long hostNs)
        {
            if (!File.Exists(path)) return;
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            if (stream.Length <= _offset) return;
            stream.Seek(_offset, SeekOrigin.Begin);
            var buffer = new byte[stream.Length - _offset];
            var read = stream.Read(buffer, 0, buffer.Length);
            _offset += read;
            _partial.Append(Encoding.UTF8.GetString(buffer, 0, read));
            var text = _partial.ToString();
            var lastNewline = text.LastIndexOf('\n');
            if (lastNewline < 0) return;
            foreach (var line in text[..lastNewline].Split('\n')) record.Add(line, hostNs);
            _partial.Clear().Append(text[(lastNewline + 1)..]);
        }
    }
}
