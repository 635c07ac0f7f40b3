using Luban.Load.Figure15;

namespace Luban.Tests.Load;

/// <summary>
/// Hand-made run timelines in a compact notation: <c>Sample(17, 127, "luban-b-1=64 luban-c-1=63 luban-b-2=boot")</c>,
/// where a number is an in-service VM's connections and <c>boot</c>, <c>drain:3</c>, <c>stopping</c>, <c>off</c> are
/// the other states.
/// </summary>
public static class Timelines
{
    public static readonly DateTimeOffset Start = new(2026, 3, 14, 9, 26, 53, TimeSpan.Zero);

    public static LoadSample Sample(double t, int clients, string vms, long failed = 0) =>
        new(t, clients, clients * 10.0, failed, vms.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(Vm).ToList());

    public static LoadSample Missing(double t, int clients) => new(t, clients, clients * 10.0, 0, null);

    public static TimedEvent Event(double t, string kind, string? vm = null, string? host = null, string reason = "because") =>
        new(t, kind, vm, host ?? HostOf(vm), $"rule/{kind}", reason);

    public static Timeline Of(IEnumerable<LoadSample> samples, IEnumerable<TimedEvent> events,
        IReadOnlyDictionary<string, double>? firstSeen = null, long failed = 0) =>
        new(Start, "ramp 0-150 20s, hold 150 70s, fall 150-0 5s, hold 0 60s", samples.ToList(), events.ToList(),
            firstSeen ?? new Dictionary<string, double>(), Thresholds.PaperDefaults, true, failed);

    /// <summary>The paper's Figure 15 as a well-behaved cluster would play it, time-compressed.</summary>
    public static Timeline Paper() => Of(
        [
            Sample(0, 0, "luban-b-1=0 luban-c-1=0 luban-b-2=off"),
            Sample(10, 75, "luban-b-1=37 luban-c-1=38 luban-b-2=off"),
            Sample(16, 120, "luban-b-1=60 luban-c-1=60 luban-b-2=off"),
            Sample(17, 127, "luban-b-1=64 luban-c-1=63 luban-b-2=off"),
            Sample(19, 142, "luban-b-1=71 luban-c-1=71 luban-b-2=boot"),
            Sample(30, 150, "luban-b-1=75 luban-c-1=75 luban-b-2=boot"),
            Sample(36, 150, "luban-b-1=70 luban-c-1=70 luban-b-2=10"),
            Sample(45, 150, "luban-b-1=50 luban-c-1=50 luban-b-2=50"),
            Sample(90, 150, "luban-b-1=50 luban-c-1=50 luban-b-2=50"),
            Sample(93, 60, "luban-b-1=20 luban-c-1=20 luban-b-2=20"),
            Sample(95, 0, "luban-b-1=0 luban-c-1=0 luban-b-2=0"),
            Sample(97, 0, "luban-b-1=0 luban-c-1=0 luban-b-2=drain:0"),
            Sample(99, 0, "luban-b-1=0 luban-c-1=0 luban-b-2=stopping"),
            Sample(101, 0, "luban-b-1=0 luban-c-1=0 luban-b-2=off"),
            Sample(155, 0, "luban-b-1=0 luban-c-1=0 luban-b-2=off"),
        ],
        [
            Event(17.5, "start", host: "B", reason: "Every in-service VM is above T_upper 60%"),
            Event(18.2, "started", "luban-b-2"),
            Event(96.2, "drain", "luban-b-2"),
            Event(97.4, "stop", "luban-b-2"),
            Event(100.1, "stopped", "luban-b-2"),
        ],
        new Dictionary<string, double> { ["luban-b-1"] = 0.01, ["luban-c-1"] = 0.02, ["luban-b-2"] = 35.0 });

    private static VmSample Vm(string notation)
    {
        var (id, value) = (notation[..notation.IndexOf('=')], notation[(notation.IndexOf('=') + 1)..]);
        var host = HostOf(id)!;
        return value switch
        {
            "boot" => new VmSample(id, host, "Booting", null),
            "stopping" => new VmSample(id, host, "Stopping", 0),
            "off" => new VmSample(id, host, "ShutOff", null),
            "failed" => new VmSample(id, host, "Failed", null),
            _ when value.StartsWith("drain:", StringComparison.Ordinal) => new VmSample(id, host, "Draining", int.Parse(value[6..])),
            _ => new VmSample(id, host, "InService", int.Parse(value)),
        };
    }

    private static string? HostOf(string? vm) => vm?.Split('-')[1].ToUpperInvariant();
}
