using System.Collections.Immutable;
using System.Text.RegularExpressions;
using Luban.Actors.Scaling;
using Luban.Protocol;
using Luban.Protocol.Scaling;

namespace Luban.Tests.Scaling;

/// <summary>
/// A compact way to write a cluster in a test table, e.g. <c>"B[70 boot] C(min 2)[40 drain:3] | last-out 10s"</c>.
/// VM tokens: a number = in service with that many connections; <c>?</c> = in service, connections unknown;
/// <c>new:N</c> = in service for 1 s with N connections; <c>boot</c>, <c>drain:N</c>, <c>stop</c>, <c>off</c>, <c>failed</c>;
/// <c>warm</c> = suspended in the warm pool, <c>warming</c> = booting into it.
/// Host options: <c>min N</c>, <c>max N</c>, <c>pool N</c> (warm pool size), <c>unreachable</c>, <c>stale</c> (report 1 h old), <c>unreported</c>,
/// <c>degraded</c> (its NIC bond is degraded).
/// VMs are named <c>luban-&lt;host&gt;-&lt;n&gt;</c> by position.
/// </summary>
public static partial class ClusterViewNotation
{
    public static readonly DateTimeOffset Now = new(2024, 5, 1, 12, 0, 0, TimeSpan.Zero);

    public static ClusterView Parse(string notation, DateTimeOffset? now = null)
    {
        var at = now ?? Now;
        var parts = notation.Split('|', StringSplitOptions.TrimEntries);
        var hosts = HostPattern().Matches(parts[0]).Select(match => ParseHost(match, at)).ToImmutableArray();
        if (hosts.Length == 0 && parts[0].Length > 0)
            throw new FormatException($"No host in '{notation}'.");

        var view = new ClusterView(hosts);
        foreach (var memory in parts.Skip(1))
        {
            var match = MemoryPattern().Match(memory);
            if (!match.Success)
                throw new FormatException($"Unknown cooldown memory '{memory}'.");
            var when = at - TimeSpan.FromSeconds(int.Parse(match.Groups["seconds"].Value));
            view = match.Groups["kind"].Value switch
            {
                "last-out" => view with { LastScaleOutAt = when },
                "last-in" => view with { LastScaleInAt = when },
                _ => view with { ObservingSince = when },
            };
        }
        return view;
    }

    /// <summary>A decision as a short string for table assertions: "start B", "stop B luban-b-2", "warn at-capacity", "none".</summary>
    public static string Summarise(ScalingDecision decision) => decision switch
    {
        ScalingDecision.StartVm start => $"start {start.Host}",
        ScalingDecision.StopVm stop => $"stop {stop.Host} {stop.Vm}",
        ScalingDecision.Undrain undrain => $"undrain {undrain.Host} {undrain.Vm}",
        ScalingDecision.Warn warn => $"warn {warn.Code}",
        ScalingDecision.NoAction => "none",
        ScalingDecision.RefillPool refill => $"refill {refill.Host}",
        _ => throw new ArgumentOutOfRangeException(nameof(decision), decision, "Unknown decision."),
    };

    /// <summary>The view back in this notation (report ages in seconds), so a failing property prints something readable.</summary>
    public static string Format(ClusterView view, DateTimeOffset now)
    {
        var hosts = view.Hosts.Select(host =>
        {
            var report = host.LastReportAt is { } at ? $"report {(now - at).TotalSeconds:0}s" : "unreported";
            var options = $"min {host.MinVms}, max {host.MaxVms}, pool {host.WarmPoolSize}, {report}{(host.Reachable ? "" : ", unreachable")}";
            var vms = host.Vms.Select(vm => vm.State switch
            {
                VmState.InService when vm.InServiceSince is { } since => $"new:{vm.Connections?.ToString() ?? "?"}@{(now - since).TotalSeconds:0}s",
                VmState.InService => vm.Connections?.ToString() ?? "?",
                VmState.Booting => "boot",
                VmState.Draining => $"drain:{vm.Connections?.ToString() ?? "?"}",
                VmState.Stopping => "stop",
                VmState.ShutOff => "off",
                VmState.Warm => vm.Suspended ? "warm" : "warming",
                _ => "failed",
            });
            return $"{host.Id}({options})[{string.Join(' ', vms)}]";
        });
        var memory = new[]
        {
            view.LastScaleOutAt is { } lastOut ? $" | last-out {(now - lastOut).TotalSeconds:0}s" : "",
            view.LastScaleInAt is { } lastIn ? $" | last-in {(now - lastIn).TotalSeconds:0}s" : "",
            view.ObservingSince is { } since ? $" | started {(now - since).TotalSeconds:0}s" : "",
        };
        return string.Join(' ', hosts) + string.Concat(memory);
    }

    private static HostView ParseHost(Match match, DateTimeOffset now)
    {
        var id = new HostId(match.Groups["id"].Value);
        var host = new HostView(id, Reachable: true, LastReportAt: now - TimeSpan.FromSeconds(1), Vms: []);
        foreach (var option in match.Groups["options"].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var words = option.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            host = words switch
            {
                ["min", var n] => host with { MinVms = int.Parse(n) },
                ["max", var n] => host with { MaxVms = int.Parse(n) },
                ["pool", var n] => host with { WarmPoolSize = int.Parse(n) },
                ["unreachable"] => host with { Reachable = false },
                ["stale"] => host with { LastReportAt = now - TimeSpan.FromHours(1) },
                ["unreported"] => host with { LastReportAt = null },
                ["degraded"] => host with { NetworkDegraded = true },
                _ => throw new FormatException($"Unknown host option '{option}'."),
            };
        }

        var tokens = match.Groups["vms"].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var vms = tokens.Select((token, index) => ParseVm(VmId.For(id, index + 1), token, now)).ToImmutableArray();
        return host with { Vms = vms };
    }

    private static VmView ParseVm(VmId id, string token, DateTimeOffset now) => token.Split(':') switch
    {
        ["?"] => new VmView(id, VmState.InService, null),
        ["boot"] => new VmView(id, VmState.Booting, null),
        ["stop"] => new VmView(id, VmState.Stopping, null),
        ["off"] => new VmView(id, VmState.ShutOff, null),
        ["failed"] => new VmView(id, VmState.Failed, null),
        ["warm"] => new VmView(id, VmState.Warm, null, Suspended: true),
        ["warming"] => new VmView(id, VmState.Warm, null),
        ["drain", var n] => new VmView(id, VmState.Draining, int.Parse(n)),
        ["new", var n] => new VmView(id, VmState.InService, int.Parse(n), InServiceSince: now - TimeSpan.FromSeconds(1)),
        [var n] when int.TryParse(n, out var connections) => new VmView(id, VmState.InService, connections),
        _ => throw new FormatException($"Unknown VM token '{token}'."),
    };

    [GeneratedRegex(@"(?<id>[A-Z][A-Za-z0-9]*)(\((?<options>[^)]*)\))?\[(?<vms>[^\]]*)\]")]
    private static partial Regex HostPattern();

    [GeneratedRegex(@"^(?<kind>last-out|last-in|started) (?<seconds>\d+)s$")]
    private static partial Regex MemoryPattern();
}
