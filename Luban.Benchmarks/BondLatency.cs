using System.Collections.Concurrent;
using System.Diagnostics;
using Akka.Actor;
using Akka.Configuration;
using Luban.Actors.Bonding;
using Luban.Protocol.Bonding;
using static Luban.Protocol.Bonding.BondProtocol;

namespace Luban.Benchmarks;

/// <summary>
/// Detection latency of real link changes: a veth pair with one end in the root namespace (watched by a BondWatcher
/// at its default 100 ms poll) and its peer in a namespace made here; the peer is set down and up again and again,
/// and each change is timed from the moment `ip link set` returned to the moment the watcher reported it.
/// </summary>
public static class BondLatency
{
    public static async Task<int> RunAsync(int flips)
    {
        if (!Environment.IsPrivilegedProcess)
        {
            Console.Error.WriteLine("bond-latency: needs root (network namespaces and veth)");
            return 2;
        }

        var id = Guid.NewGuid().ToString("N")[..6];
        var ns = $"luban-bl-{id}";
        var watched = $"lbl{id}a";
        var peer = $"lbl{id}b";
        Ip($"netns add {ns}");
        try
        {
            Ip($"link add {watched} type veth peer name {peer} netns {ns}");
            Ip($"link set {watched} up");
            Ip($"-n {ns} link set {peer} up");
            await Task.Delay(500);

            using var system = ActorSystem.Create("bond-latency", ConfigurationFactory.ParseString("akka.loglevel = WARNING"));
            var seen = new BlockingCollection<(long At, string After)>();
            var listener = system.ActorOf(Props.Create(() => new Listener(watched, seen)));
            var settings = BondWatcherSettings.For([], [watched]);
            system.ActorOf(BondWatcher.Props(settings, listener));
            await Task.Delay(500);

            var latencies = new List<double>();
            var random = new Random(42);
            for (var i = 0; i < flips; i++)
            {
                var up = i % 2 == 1;
                Ip($"-n {ns} link set {peer} {(up ? "up" : "down")}");
                var changed = Stopwatch.GetTimestamp();
                if (!seen.TryTake(out var report, TimeSpan.FromSeconds(3)))
                {
                    Console.Error.WriteLine($"flip {i + 1}: no report within 3 s");
                    continue;
                }

                latencies.Add(Math.Max(0, Stopwatch.GetElapsedTime(changed, report.At).TotalMilliseconds));
                // A random pause so flips do not lock into step with the poll.
                await Task.Delay(150 + random.Next(200));
                while (seen.TryTake(out _)) { }
            }

            latencies.Sort();
            double P(double q) => latencies[Math.Min(latencies.Count - 1, (int)Math.Ceiling(q * latencies.Count) - 1)];
            Console.WriteLine($"poll interval: {settings.PollInterval.TotalMilliseconds:0} ms; flips: {flips}; reported: {latencies.Count}");
            Console.WriteLine($"detection latency ms: min {latencies[0]:0.0}  p50 {P(0.50):0.0}  p90 {P(0.90):0.0}  p99 {P(0.99):0.0}  max {latencies[^1]:0.0}");
            Console.WriteLine($"bond-latency p50={P(0.50):0.0}ms p99={P(0.99):0.0}ms target<=100ms {(P(0.99) <= 100 ? "met" : "missed")}");
            return latencies.Count == flips ? 0 : 1;
        }
        finally
        {
            Ip($"netns del {ns}", check: false);
            Ip($"link del {watched}", check: false);
        }
    }

    private sealed class Listener : ReceiveActor
    {
        public Listener(string watched, BlockingCollection<(long, string)> seen)
        {
            Receive<BondStatusChanged>(changed =>
            {
                var now = Stopwatch.GetTimestamp();
                foreach (var e in changed.Events.Where(e => e.Kind == BondEventKind.InterfaceOperStateChanged && e.Subject == watched))
                    seen.Add((now, e.After ?? ""));
            });
        }
    }

    private static void Ip(string arguments, bool check = true)
    {
        using var process = Process.Start(new ProcessStartInfo("ip", arguments) { RedirectStandardError = true })!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (check && process.ExitCode != 0) throw new InvalidOperationException($"ip {arguments}: {error.Trim()}");
    }
}
