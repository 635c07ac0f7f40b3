using System.Globalization;
using System.Xml.Linq;

namespace Luban.Benchmarks.BondFailover;

/// <summary>One panel of the chart: a guest's packets a second on eth1, eth2 and bond0, and its bonding driver's
/// reactions (drawn besides the markers every panel shares).</summary>
public sealed record ChartPanel(
    string Title,
    IReadOnlyList<(double T, IReadOnlyDictionary<string, double> PacketsPerSecond)> Rates,
    IReadOnlyList<ChartMarker> Markers);

/// <summary>A vertical marker: the pull and restore (solid), the bonding driver's reactions (dotted).</summary>
public sealed record ChartMarker(double T, string Label, string Colour, bool Dotted = false);

/// <summary>
/// The paper's Figure 14 for the lab: per panel, eth1, eth2 and bond0 (= eth1 + eth2) packets a second over time,
/// with the pull and the restore marked. Self-contained SVG (no scripts, fonts or styles from outside). Pure.
/// </summary>
public static class FailoverSvg
{
    public const int Width = 900;
    private const int PanelHeight = 250, Top = 70, Gap = 46, Left = 70, Right = 860;
    private const string Font = "system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif";
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    // Drawn in this order: eth1 wider than eth2, so that both show where they carry the same share.
    private static readonly (string Link, string Colour, double Width)[] Series =
        [("bond0", "#222222", 3.2), ("eth1", "#1f77b4", 3.0), ("eth2", "#ff7f0e", 1.4)];

    public static string Build(string title, IReadOnlyList<string> subtitles, IReadOnlyList<ChartPanel> panels, IReadOnlyList<ChartMarker> markers, double endS)
    {
        var top = Top + 18 * Math.Max(subtitles.Count - 1, 0);
        var height = top + panels.Count * (PanelHeight + Gap) + 30;
        var (tMax, tStep) = Axis(Math.Max(endS, 1), 12);
        double X(double t) => Left + Math.Clamp(t, 0, tMax) / tMax * (Right - Left);

        var root = new XElement(Svg + "svg",
            A("width", Width), A("height", height), A("viewBox", $"0 0 {Width} {height}"),
            A("font-family", Font), A("font-size", 12), A("fill", "#222"),
            E("rect", A("width", Width), A("height", height), A("fill", "#ffffff")),
            Text(Width / 2.0, 26, title, A("text-anchor", "middle"), A("font-size", 17), A("font-weight", "bold")));
        for (var line = 0; line < subtitles.Count; line++)
            root.Add(Text(Width / 2.0, 47 + 18 * line, subtitles[line], A("text-anchor", "middle"), A("fill", "#555")));

        for (var index = 0; index < panels.Count; index++)
        {
            var panel = panels[index];
            double panelTop = top + index * (PanelHeight + Gap), bottom = panelTop + PanelHeight - 40;
            var peak = panel.Rates.SelectMany(r => r.PacketsPerSecond.Values).DefaultIfEmpty(1).Max();
            var (yMax, yStep) = Axis(Math.Max(peak * 1.08, 10), 5);
            double Y(double v) => bottom - v / yMax * (bottom - panelTop - 18);

            var group = new XElement(Svg + "g", A("class", "panel"), A("data-panel", index));
            group.Add(Text(Left, panelTop + 8, panel.Title, A("font-weight", "bold")));
            for (var v = 0.0; v <= yMax + 1e-9; v += yStep)
            {
                group.Add(Line(Left, Y(v), Right, Y(v), "#e6e6e6"));
                group.Add(Text(Left - 6, Y(v) + 4, Number(v), A("text-anchor", "end"), A("fill", "#555")));
            }

            for (var t = 0.0; t <= tMax + 1e-9; t += tStep)
                group.Add(Text(X(t), bottom + 16, Number(t), A("text-anchor", "middle"), A("fill", "#555")));
            group.Add(Line(Left, bottom, Right, bottom, "#444"), Line(Left, Y(yMax), Left, bottom, "#444"),
                Rotated(18, (panelTop + bottom) / 2, "packets/s"),
                Text((Left + Right) / 2.0, bottom + 32, "time since the stream started (s)", A("text-anchor", "middle"), A("fill", "#555")));

            // Labels run right of their line, the pull and restore on the first row, the driver's reactions (which
            // follow within a few seconds) on the second, so neighbours never overlap.
            foreach (var marker in markers.Concat(panel.Markers))
            {
                group.Add(E("g", A("class", "marker"),
                    Line(X(marker.T), Y(yMax), X(marker.T), bottom, marker.Colour,
                        A("stroke-dasharray", marker.Dotted ? "2 3" : "6 3"), A("stroke-width", marker.Dotted ? 1.2 : 1.6)),
                    Text(X(marker.T) + 4, Y(yMax) + (marker.Dotted ? 26 : 11), marker.Label, A("font-size", 10.5), A("fill", marker.Colour))));
            }

            foreach (var (link, colour, width) in Series)
            {
                var points = panel.Rates.Where(r => r.PacketsPerSecond.ContainsKey(link)).Select(r => (X(r.T), Y(r.PacketsPerSecond[link]))).ToList();
                if (points.Count > 1)
                    group.Add(E("polyline", A("class", "series"), A("data-link", link), A("fill", "none"), A("stroke", colour),
                        A("stroke-width", width), A("stroke-linejoin", "round"),
                        A("points", string.Join(' ', points.Select(p => $"{F(p.Item1)},{F(p.Item2)}")))));
            }

            root.Add(group);
        }

        var legend = new XElement(Svg + "g", A("class", "legend"));
        var x = (double)Left;
        foreach (var (label, colour, width) in Series.Select(s => (s.Link == "bond0" ? "bond0 = eth1 + eth2" : s.Link, s.Colour, s.Width)))
        {
            legend.Add(Line(x, height - 18, x + 22, height - 18, colour, A("stroke-width", width)));
            legend.Add(Text(x + 28, height - 14, label));
            x += 40 + label.Length * 7;
        }

        root.Add(legend);
        return new XDocument(new XDeclaration("1.0", "utf-8", null), root).Declaration + "\n" + root + "\n";
    }

    /// <summary>A round axis maximum and step for at most about <paramref name="ticks"/> ticks.</summary>
    private static (double Max, double Step) Axis(double value, int ticks)
    {
        var raw = value / ticks;
        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        var step = new[] { 1, 2, 2.5, 5, 10 }.Select(m => m * magnitude).First(s => s >= raw);
        return (Math.Ceiling(value / step) * step, step);
    }

    private static XAttribute A(string name, object value) =>
        new(name, value is double d ? F(d) : Convert.ToString(value, CultureInfo.InvariantCulture)!);

    private static XElement E(string name, params object[] content) => new(Svg + name, content);

    private static XElement Text(double x, double y, string text, params object[] attributes) =>
        E("text", [A("x", x), A("y", y), .. attributes, text]);

    private static XElement Rotated(double x, double y, string text, int degrees = -90, params object[] attributes) =>
        E("text", [A("x", x), A("y", y), A("transform", $"rotate({degrees} {F(x)} {F(y)})"),
            .. attributes.Length > 0 ? attributes : [A("text-anchor", "middle")], text]);

    private static XElement Line(double x1, double y1, double x2, double y2, string colour, params object[] attributes) =>
        E("line", [A("x1", x1), A("y1", y1), A("x2", x2), A("y2", y2), A("stroke", colour), .. attributes]);

    private static string Number(double v) => v.ToString(v % 1 == 0 ? "0" : "0.#", CultureInfo.InvariantCulture);

    private static string F(double v) => Math.Round(v, 1).ToString(CultureInfo.InvariantCulture);
}
