using System.Globalization;
using System.Xml.Linq;

namespace Luban.Load.Figure15;

/// <summary>
/// Draws the run as a self-contained SVG (no scripts, no external fonts or styles), readable in a browser and in a
/// README: connections per VM over time, the VM count in service on a right axis, the policy's thresholds, and the
/// scaling decisions as labelled vertical markers. Pure: the same timeline gives the same picture.
/// </summary>
public static class Figure15Svg
{
    public const int Width = 900;
    public const int Height = 480;

    /// <summary>Event kinds drawn as markers, with their colours.</summary>
    public static IReadOnlyDictionary<string, string> MarkerColours { get; } = new Dictionary<string, string>
    {
        ["start"] = "#2ca02c",
        ["undrain"] = "#0e7c86",
        ["drain"] = "#ff7f0e",
        ["stop"] = "#d62728",
    };

    private const double PlotLeft = 64, PlotRight = 836, PlotTop = 78, PlotBottom = 392;
    private const string Font = "system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif";
    private static readonly string[] VmColours = ["#1f77b4", "#e377c2", "#9467bd", "#8c564b", "#17becf", "#bcbd22"];
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    public static string Build(Timeline timeline, double plannedSeconds, bool paper = false)
    {
        var samples = timeline.Samples;
        var vms = timeline.VmsInOrderOfAppearance();
        var thresholds = timeline.Thresholds;

        var lastT = new[] { plannedSeconds, 1 }.Concat(samples.Select(s => s.T)).Concat(timeline.Events.Select(e => e.T)).Max();
        var (tMax, tStep) = Axis(lastT, 10);
        var peakConnections = samples.SelectMany(s => vms.Select(s.ConnectionsOf)).Max() ?? 0;
        var (cMax, cStep) = Axis(Math.Max(Math.Max(peakConnections, thresholds.ScaleOutAbove * 1.2), 10), 6);
        var vmMax = RightAxisMax(samples.Max(s => s.VmsInService) ?? 0, cMax, thresholds);

        double X(double t) => PlotLeft + Math.Clamp(t, 0, tMax) / tMax * (PlotRight - PlotLeft);
        double Y(double connections) => PlotBottom - connections / cMax * (PlotBottom - PlotTop);
        double YVms(double count) => PlotBottom - count / vmMax * (PlotBottom - PlotTop);

        var root = new XElement(Svg + "svg",
            new XAttribute("width", Width), new XAttribute("height", Height),
            new XAttribute("viewBox", $"0 0 {Width} {Height}"),
            new XAttribute("font-family", Font), new XAttribute("font-size", 12), new XAttribute("fill", "#222"),
            E("rect", A("width", Width), A("height", Height), A("fill", "#ffffff")),
            Text(Width / 2.0, 26, $"Luban Cloud — Figure 15, {(paper ? "at the paper's settings" : "time-compressed")} ({timeline.StartedAt.UtcDateTime:yyyy-MM-dd})",
                A("text-anchor", "middle"), A("font-size", 17), A("font-weight", "bold")),
            Text(Width / 2.0, 47, Subtitle(timeline), A("text-anchor", "middle"), A("fill", "#555")));

        // Seconds in which the status endpoint did not answer, lightly shaded: no VM data there.
        var interval = samples.Count > 1 ? (samples[^1].T - samples[0].T) / (samples.Count - 1) : 1;
        foreach (var missing in samples.Where(s => s.StatusMissing))
            root.Add(E("rect", A("class", "status-missing"), A("x", X(missing.T - interval / 2)), A("y", PlotTop),
                A("width", Math.Max(X(missing.T + interval / 2) - X(missing.T - interval / 2), 1)), A("height", PlotBottom - PlotTop),
                A("fill", "#999"), A("fill-opacity", 0.12)));

        // Grid and axes.
        for (var c = 0.0; c <= cMax + 1e-9; c += cStep)
        {
            root.Add(Line(PlotLeft, Y(c), PlotRight, Y(c), "#e6e6e6"));
            root.Add(Text(PlotLeft - 6, Y(c) + 4, Number(c), A("text-anchor", "end"), A("fill", "#555")));
        }

        for (var t = 0.0; t <= tMax + 1e-9; t += tStep)
            root.Add(Text(X(t), PlotBottom + 16, Number(t), A("text-anchor", "middle"), A("fill", "#555")));

        for (var n = 0; n <= vmMax; n++)
            root.Add(Text(PlotRight + 6, YVms(n) + 4, n.ToString(CultureInfo.InvariantCulture), A("fill", "#555")));

        root.Add(Line(PlotLeft, PlotBottom, PlotRight, PlotBottom, "#444"),
            Line(PlotLeft, PlotTop, PlotLeft, PlotBottom, "#444"),
            Line(PlotRight, PlotTop, PlotRight, PlotBottom, "#444"),
            Text((PlotLeft + PlotRight) / 2, PlotBottom + 34, "time (s)", A("text-anchor", "middle")),
            Rotated(18, (PlotTop + PlotBottom) / 2, "connections per VM"),
            Rotated(PlotRight + 30, (PlotTop + PlotBottom) / 2, "VMs in service", 90));

        // The policy's thresholds.
        root.Add(Threshold(Y(thresholds.ScaleOutAbove), "threshold-out", "6 4",
            $"scale out: every VM above {Number(thresholds.ScaleOutAbove)}"));
        root.Add(Threshold(Y(thresholds.ScaleInAtOrBelow), "threshold-in", "2 3",
            $"scale in: a VM at or below {Number(thresholds.ScaleInAtOrBelow)}"));

        // Scaling decisions, labelled along the marker. Decisions closer than a label's height (a drain and its stop
        // at zero load come within a second) share one label, so no two labels are drawn over each other.
        foreach (var cluster in Clusters(timeline.Events.Where(e => MarkerColours.ContainsKey(e.Kind)).ToList(), X))
        {
            var marker = E("g", A("class", "marker"), A("data-kind", string.Join(' ', cluster.Select(e => e.Kind))));
            foreach (var e in cluster)
                marker.Add(Line(X(e.T), PlotTop, X(e.T), PlotBottom, MarkerColours[e.Kind], A("stroke-dasharray", "3 3")));
            // "drain, stop luban-b-2": the kinds per VM, VMs in the order of their first decision.
            var label = string.Join(" / ", cluster
                .GroupBy(e => MarkerTarget(e, timeline.Events))
                .Select(byTarget => $"{string.Join(", ", byTarget.Select(e => e.Kind))} {byTarget.Key}".TrimEnd()));
            marker.Add(Rotated(X(cluster[0].T) - 4, PlotTop + 4, label, -90, A("text-anchor", "end"),
                A("font-size", 10), A("fill", MarkerColours[cluster[0].Kind])));
            root.Add(marker);
        }

        // The VM count in service, as steps on the right axis (added after the VM lines, below).
        var counted = samples.Where(s => s.VmsInService is not null).ToList();
        XElement? inService = null;
        if (counted.Count > 0)
        {
            var steps = new List<(double, double)>();
            for (var i = 0; i < counted.Count; i++)
            {
                if (i > 0) steps.Add((X(counted[i].T), YVms(counted[i - 1].VmsInService!.Value)));
                steps.Add((X(counted[i].T), YVms(counted[i].VmsInService!.Value)));
            }

            inService = Polyline(steps, "#222", A("class", "in-service"), A("stroke-width", 1.5));
        }

        // Connections per VM: one line per VM, broken only where the VM was not running (a missing sample is bridged).
        var legend = new List<(string Label, XElement Swatch)>();
        for (var index = 0; index < vms.Count; index++)
        {
            var vm = vms[index];
            var colour = VmColours[index % VmColours.Length];
            // Balanced VMs draw on top of each other: each later line is thinner, so all stay visible.
            var width = Math.Max(5.5 - 2.1 * index, 1.25);
            var group = new XElement(Svg + "g", A("class", "vm"), A("data-vm", vm));
            var stretch = new List<(double, double)>();
            foreach (var sample in samples)
            {
                if (sample.StatusMissing) continue;
                if (sample.ConnectionsOf(vm) is { } connections)
                {
                    stretch.Add((X(sample.T), Y(connections)));
                    continue;
                }

                if (stretch.Count > 0) group.Add(Polyline(stretch, colour, A("stroke-width", width)));
                stretch = [];
            }

            if (stretch.Count > 0) group.Add(Polyline(stretch, colour, A("stroke-width", width)));
            root.Add(group);
            legend.Add((vm, Line(0, 0, 18, 0, colour, A("stroke-width", Math.Max(width, 2.5)))));
        }

        // Drawn over the VM lines: the count is the story of the figure.
        root.Add(inService);
        legend.Add(("VMs in service (right axis)", Line(0, 0, 18, 0, "#222", A("stroke-width", 1.5))));
        if (samples.Any(s => s.StatusMissing))
            legend.Add(("status missing", E("rect", A("x", 0), A("y", -5), A("width", 18), A("height", 10), A("fill", "#999"), A("fill-opacity", 0.25))));
        var legendX = PlotLeft;
        foreach (var (label, swatch) in legend)
        {
            root.Add(E("g", A("class", "legend"), A("transform", $"translate({Number(legendX)} {PlotBottom + 62})"),
                swatch, Text(24, 4, label)));
            legendX += 40 + label.Length * 6.5;
        }

        if (vms.Count == 0)
            root.Add(Text((PlotLeft + PlotRight) / 2, (PlotTop + PlotBottom) / 2,
                counted.Count == 0 ? "no VM data: the admin endpoint's /api/status did not answer" : "no VM ran during the run",
                A("text-anchor", "middle"), A("fill", "#888"), A("font-size", 14)));

        return new XDocument(new XDeclaration("1.0", "utf-8", null), root).Declaration + Environment.NewLine + root;
    }

    private static string Subtitle(Timeline timeline)
    {
        var missing = timeline.Samples.Count(s => s.StatusMissing);
        return $"profile: {timeline.Profile} · failed requests: {timeline.Failed}" +
               (missing > 0 ? $" · status missing in {missing} of {timeline.Samples.Count} samples" : "");
    }

    /// <summary>Events in time order, grouped while each is within a label's height of the group's first.</summary>
    private static List<List<TimedEvent>> Clusters(IReadOnlyList<TimedEvent> events, Func<double, double> x)
    {
        var clusters = new List<List<TimedEvent>>();
        foreach (var e in events.OrderBy(e => e.T))
        {
            if (clusters.Count > 0 && x(e.T) - x(clusters[^1][0].T) < 12) clusters[^1].Add(e);
            else clusters.Add([e]);
        }

        return clusters;
    }

    /// <summary>The VM an event is about: for a start, the VM its <c>started</c> event names, else "on host".</summary>
    private static string MarkerTarget(TimedEvent e, IReadOnlyList<TimedEvent> events)
    {
        if (e.Kind != "start") return e.Vm ?? e.Host ?? "";
        var started = events.FirstOrDefault(s => s.Kind == "started" && s.T >= e.T && s.Vm is not null && (e.Host is null || s.Host == e.Host));
        return started?.Vm ?? $"on {e.Host ?? "?"}";
    }

    /// <summary>
    /// The right axis (VMs in service) runs from 0 to one more than the most VMs seen (at least 3), or a little more
    /// where that would lay a VM count exactly on a threshold line and hide one behind the other.
    /// </summary>
    private static int RightAxisMax(int mostInService, double connectionsMax, Thresholds thresholds)
    {
        var levels = Enumerable.Range(1, Math.Max(mostInService, 1));
        var smallest = Math.Max(mostInService, 3) + 1;
        for (var candidate = smallest; candidate < smallest + 4; candidate++)
        {
            var clear = levels.All(n => new[] { thresholds.ScaleOutAbove, thresholds.ScaleInAtOrBelow }
                .All(line => Math.Abs(n * connectionsMax / candidate - line) > 0.03 * connectionsMax));
            if (clear) return candidate;
        }

        return smallest;
    }

    /// <summary>An axis from 0 that holds <paramref name="dataMax"/>, in about <paramref name="ticks"/> round steps.</summary>
    private static (double Max, double Step) Axis(double dataMax, int ticks)
    {
        var raw = Math.Max(dataMax, 1e-9) / ticks;
        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        var step = (raw / magnitude) switch
        {
            <= 1 => 1,
            <= 2 => 2,
            <= 2.5 => 2.5,
            <= 5 => 5,
            _ => 10,
        } * magnitude;
        return (Math.Ceiling(dataMax / step - 1e-9) * step, step);
    }

    private static XElement Threshold(double y, string cssClass, string dashes, string label) =>
        E("g", A("class", cssClass),
            Line(PlotLeft, y, PlotRight, y, "#555", A("stroke-dasharray", dashes)),
            Text(PlotRight - 4, y - 4, label, A("text-anchor", "end"), A("font-size", 10), A("fill", "#555")));

    private static XElement Polyline(IEnumerable<(double X, double Y)> points, string colour, params object[] extra) =>
        E("polyline", A("points", string.Join(' ', points.Select(p => $"{Number(p.X)},{Number(p.Y)}"))),
            A("fill", "none"), A("stroke", colour), A("stroke-linejoin", "round"), extra);

    private static XElement Line(double x1, double y1, double x2, double y2, string colour, params object[] extra) =>
        E("line", A("x1", x1), A("y1", y1), A("x2", x2), A("y2", y2), A("stroke", colour), extra);

    private static XElement Text(double x, double y, string text, params object[] extra) =>
        E("text", A("x", x), A("y", y), extra, text);

    private static XElement Rotated(double x, double y, string text, int degrees = -90, params object[] extra) =>
        E("text", A("x", x), A("y", y), A("transform", $"rotate({degrees} {Number(x)} {Number(y)})"),
            extra.Length == 0 ? A("text-anchor", "middle") : null, extra, text);

    private static XElement E(string name, params object?[] content) => new(Svg + name, content);

    private static XAttribute A(string name, object value) =>
        new(name, value switch
        {
            double d => Number(d),
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            _ => value.ToString() ?? "",
        });

    private static string Number(double value) => Math.Round(value, 2).ToString("0.##", CultureInfo.InvariantCulture);
}
