using System.Diagnostics;
using System.Globalization;
using Akka.Configuration;
using Luban.Actors.Hypervisor;
using Luban.Adapters.Libvirt;
using Luban.Protocol;

namespace Luban.Benchmarks;

/// <summary>
/// <c>warm-pool --hocon FILE [--rounds N]</c>: the two ways to keep a VM warm, measured on one real guest of the
/// cluster's own image, defined beside the cluster's agents (host "W", so no agent lists it) with the agent's own
/// settings. Pause in memory (virDomainSuspend/Resume) against a managed save to disk (virDomainManagedSave, then
/// virDomainCreate restores it): how long the libvirt call takes, how long until the guest answers /healthz again,
/// what each holds (the QEMU process's resident memory; the save file), and whether the guest's clock is right after.
/// </summary>
public static class WarmPoolBench
{
    private static readonly HostId BenchHost = new("W");
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static async Task<int> RunAsync(string[] args)
    {
        string? hocon = null;
        var rounds = 10;
        var saveRounds = 5;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--hocon" when i + 1 < args.Length: hocon = args[++i]; break;
                case "--rounds" when i + 1 < args.Length && int.TryParse(args[i + 1], out var n) && n > 0: rounds = n; i++; break;
                case "--save-rounds" when i + 1 < args.Length && int.TryParse(args[i + 1], out var s) && s > 0: saveRounds = s; i++; break;
                case "--help" or "-h":
                    Console.WriteLine("""
                        usage: warm-pool --hocon FILE [--rounds N] [--save-rounds N]
                          --hocon FILE       the agent's node.hocon of a running cluster (./luban up writes RUN_DIR/hocon/node.hocon)
                          --rounds N         suspend/resume rounds (default 10)
                          --save-rounds N    managed save/restore rounds (default 5)
                        """);
                    return 0;
                default:
                    Console.Error.WriteLine($"warm-pool: unknown or incomplete option '{args[i]}' (see --help)");
                    return 2;
            }
        }

        if (hocon is null || !File.Exists(hocon))
        {
            Console.Error.WriteLine("warm-pool: --hocon must name the agent's node.hocon of a running cluster (./luban up --detach first)");
            return 2;
        }

        var settings = HypervisorSettings.Read(ConfigurationFactory.ParseString(await File.ReadAllTextAsync(hocon)));
        var address = settings.AddressOf(BenchHost, 1);
        var spec = settings.DomainSpecOf(address);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(1) };
        var health = new Uri($"{address.Endpoint}/healthz");
        using var hypervisor = new LibvirtHypervisor(settings.Uri);
        Console.WriteLine($"warm-pool: {spec.Name} ({settings.DomainType}, {settings.MemoryMiB} MiB, {settings.VirtualCpus} vCPU) on {address.Endpoint}");

        try
        {
            var boot = Stopwatch.StartNew();
            Check(await hypervisor.DefineAndStartAsync(spec), "boot");
            var booted = await FirstAnswerAsync(http, health, TimeSpan.FromSeconds(180));
            Console.WriteLine($"cold boot → first answer: {Ms(booted ?? boot.Elapsed)}{(booted is null ? " (no answer)" : "")}");
            await Task.Delay(TimeSpan.FromSeconds(5));
            var runningRss = ResidentMiB(spec.Name);
            Console.WriteLine($"running guest: QEMU resident memory {Mib(runningRss)}");

            // Pause in memory.
            var resumeCalls = new List<TimeSpan>();
            var resumeAnswers = new List<TimeSpan>();
            double? pausedRss = null;
            for (var round = 1; round <= rounds; round++)
            {
                Check(await hypervisor.SuspendAsync(spec.Name), "suspend");
                await Task.Delay(TimeSpan.FromSeconds(2));
                pausedRss ??= ResidentMiB(spec.Name);
                var clock = Stopwatch.StartNew();
                Check(await hypervisor.ResumeAsync(spec.Name), "resume");
                resumeCalls.Add(clock.Elapsed);
                var answer = await FirstAnswerAsync(http, health, TimeSpan.FromSeconds(30), clock);
                resumeAnswers.Add(answer ?? TimeSpan.FromSeconds(30));
                Console.WriteLine($"  pause round {round}: resume call {Ms(resumeCalls[^1])}, first answer {Ms(answer)}");
                await Task.Delay(TimeSpan.FromSeconds(1));
            }

            var clockSkew = await ClockSkewAfterPauseAsync(hypervisor, http, health, spec.Name);

            // Managed save to disk.
            var saves = new List<TimeSpan>();
            var restoreAnswers = new List<TimeSpan>();
            long? saveBytes = null;
            var saveFile = $"/var/lib/libvirt/qemu/save/{spec.Name}.save";
            for (var round = 1; round <= saveRounds; round++)
            {
                var save = Stopwatch.StartNew();
                Check(await hypervisor.ManagedSaveAsync(spec.Name), "managed save");
                saves.Add(save.Elapsed);
                saveBytes ??= File.Exists(saveFile) ? new FileInfo(saveFile).Length : null;
                var held = ResidentMiB(spec.Name);
                await Task.Delay(TimeSpan.FromSeconds(2));
                var clock = Stopwatch.StartNew();
                Check(await hypervisor.StartDefinedAsync(spec.Name), "restore");
                var answer = await FirstAnswerAsync(http, health, TimeSpan.FromSeconds(120), clock);
                restoreAnswers.Add(answer ?? TimeSpan.FromSeconds(120));
                Console.WriteLine($"  save round {round}: save {Ms(saves[^1])} (QEMU memory while saved: {(held is null ? "no process" : Mib(held))}), restore → first answer {Ms(answer)}");
                await Task.Delay(TimeSpan.FromSeconds(1));
            }

            Console.WriteLine();
            Console.WriteLine("| | pause in memory (virDomainSuspend) | managed save to disk (virDomainManagedSave) |");
            Console.WriteLine("|---|---:|---:|");
            Console.WriteLine($"| back to serving: first /healthz answer, median of {rounds} / {saveRounds} | {Ms(Median(resumeAnswers))} | {Ms(Median(restoreAnswers))} |");
            Console.WriteLine($"| the libvirt call (resume; save) | {Ms(Median(resumeCalls))} | {Ms(Median(saves))} |");
            Console.WriteLine($"| host memory held while warm | {Mib(pausedRss)} (QEMU resident; running: {Mib(runningRss)}) | 0 (no QEMU process) |");
            Console.WriteLine($"| disk held while warm | 0 | {(saveBytes is { } b ? $"{b / 1048576.0:0} MiB" : "?")} |");
            Console.WriteLine($"| clock after a {ClockPause.TotalSeconds:0} s pause, 3 s after resuming | {clockSkew} | (restored like a pause) |");
            Console.WriteLine($"resume_median_ms={Median(resumeAnswers).TotalMilliseconds:0} restore_median_ms={Median(restoreAnswers).TotalMilliseconds:0} paused_rss_mib={pausedRss?.ToString("0", Invariant) ?? "?"} save_mib={(saveBytes is { } s2 ? (s2 / 1048576.0).ToString("0", Invariant) : "?")}");
            return 0;
        }
        finally
        {
            await hypervisor.DestroyAsync(spec.Name);
            using var connection = (LibvirtConnection.Open(settings.Uri) as LibvirtResult<LibvirtConnection>.Ok)?.Value;
            connection?.RemoveManagedSave(spec.Name);
            connection?.Undefine(spec.Name);
        }
    }

    private static readonly TimeSpan ClockPause = TimeSpan.FromSeconds(30);

    /// <summary>Pauses the guest for <see cref="ClockPause"/>, resumes it, and compares its HTTP Date with ours twice:
    /// at the first answer and 3 s later (after the guest's RTC check has run; the Date header has whole seconds).</summary>
    private static async Task<string> ClockSkewAfterPauseAsync(LibvirtHypervisor hypervisor, HttpClient http, Uri health, string name)
    {
        Check(await hypervisor.SuspendAsync(name), "suspend");
        await Task.Delay(ClockPause);
        Check(await hypervisor.ResumeAsync(name), "resume");
        await FirstAnswerAsync(http, health, TimeSpan.FromSeconds(30));
        var first = await SkewAsync(http, health);
        await Task.Delay(TimeSpan.FromSeconds(3));
        var settled = await SkewAsync(http, health);
        return $"{settled:+0;-0;0} s (at the first answer: {first:+0;-0;0} s)";
    }

    private static async Task<double> SkewAsync(HttpClient http, Uri health)
    {
        using var response = await http.GetAsync(health);
        var guest = response.Headers.Date ?? DateTimeOffset.MinValue;
        return Math.Round((guest - DateTimeOffset.UtcNow).TotalSeconds);
    }

    private static async Task<TimeSpan?> FirstAnswerAsync(HttpClient http, Uri health, TimeSpan limit, Stopwatch? since = null)
    {
        var clock = since ?? Stopwatch.StartNew();
        while (clock.Elapsed < limit)
        {
            try
            {
                using var response = await http.GetAsync(health);
                if (response.IsSuccessStatusCode) return clock.Elapsed;
            }
            catch (Exception error) when (error is HttpRequestException or TaskCanceledException)
            {
            }

            await Task.Delay(10);
        }

        return null;
    }

    /// <summary>The resident memory of the guest's QEMU process (libvirt's pid file), in MiB; null without one.</summary>
    private static double? ResidentMiB(string name)
    {
        var pidFile = $"/run/libvirt/qemu/{name}.pid";
        if (!File.Exists(pidFile) || !int.TryParse(File.ReadAllText(pidFile).Trim(), out var pid)) return null;
        var status = $"/proc/{pid}/status";
        if (!File.Exists(status)) return null;
        var line = File.ReadLines(status).FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return line is null ? null : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], Invariant) / 1024.0;
    }

    private static void Check(HypervisorResult<Done> result, string what)
    {
        if (result.ErrorOrNull is { } error) throw new InvalidOperationException($"{what}: {error}");
    }

    private static TimeSpan Median(List<TimeSpan> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? TimeSpan.Zero
            : sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static string Ms(TimeSpan? span) => span is { } s ? $"{s.TotalMilliseconds.ToString("#,0", Invariant)} ms" : "no answer";

    private static string Mib(double? mib) => mib is { } m ? $"{m.ToString("0", Invariant)} MiB" : "?";
}
