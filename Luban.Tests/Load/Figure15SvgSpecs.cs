using System.Xml.Linq;
using Luban.Load.Figure15;
using static Luban.Tests.Load.Timelines;

namespace Luban.Tests.Load;

/// <summary>The Figure 15 chart: well-formed SVG with a line per VM, the thresholds and the decisions marked.</summary>
public sealed class Figure15SvgSpecs
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    [Fact]
    public void Chart_should_be_a_well_formed_svg_of_the_agreed_size_on_white()
    {
        var svg = XDocument.Parse(Figure15Svg.Build(Paper(), 155)).Root!;

        Assert.Equal(Svg + "svg", svg.Name);
        Assert.Equal(("900", "480"), ((string?)svg.Attribute("width"), (string?)svg.Attribute("height")));
        var background = svg.Elements(Svg + "rect").First();
        Assert.Equal("#ffffff", (string?)background.Attribute("fill"));
    }

    [Fact]
    public void Chart_should_draw_one_line_per_VM_and_name_each_in_the_legend()
    {
        var svg = XDocument.Parse(Figure15Svg.Build(Paper(), 155)).Root!;

        var vms = svg.Elements(Svg + "g").Where(g => (string?)g.Attribute("class") == "vm").ToList();
        Assert.Equal(["luban-b-1", "luban-c-1", "luban-b-2"], vms.Select(g => (string?)g.Attribute("data-vm")));
        Assert.All(vms, vm => Assert.Single(vm.Elements(Svg + "polyline")));
        var legend = Texts(svg.Elements(Svg + "g").Where(g => (string?)g.Attribute("class") == "legend"));
        Assert.Equal(["luban-b-1", "luban-c-1", "luban-b-2", "VMs in service (right axis)"], legend);
        Assert.Single(svg.Descendants(Svg + "polyline"), p => (string?)p.Attribute("class") == "in-service");
    }

    [Fact]
    public void Chart_should_mark_the_scaling_decisions_with_the_VM_sharing_a_label_when_they_come_together()
    {
        var svg = XDocument.Parse(Figure15Svg.Build(Paper(), 155)).Root!;

        var markers = ByClass(svg, "marker").ToList();
        Assert.Equal(["start luban-b-2", "drain, stop luban-b-2"], markers.Select(m => m.Element(Svg + "text")!.Value));
        Assert.Equal([1, 2], markers.Select(m => m.Elements(Svg + "line").Count()));
    }

    [Fact]
    public void Chart_should_label_decisions_apart_when_they_are_apart()
    {
        var timeline = Of([Sample(0, 0, "luban-b-1=0")],
        [
            Event(10, "start", host: "C"), Event(50, "drain", "luban-c-2"), Event(50.2, "undrain", "luban-c-2"),
            Event(50.4, "drain", "luban-b-3"), Event(90, "stop", "luban-b-3"),
        ]);

        var svg = XDocument.Parse(Figure15Svg.Build(timeline, 100)).Root!;

        Assert.Equal(["start on C", "drain, undrain luban-c-2 / drain luban-b-3", "stop luban-b-3"],
            ByClass(svg, "marker").Select(m => m.Element(Svg + "text")!.Value));
    }

    [Fact]
    public void Chart_should_draw_both_thresholds_from_the_policy()
    {
        var timeline = Paper() with { Thresholds = new Thresholds(200, 0.7, 0.05, 2) };

        var svg = XDocument.Parse(Figure15Svg.Build(timeline, 155)).Root!;

        Assert.Contains("scale out: every VM above 140", Texts(ByClass(svg, "threshold-out")));
        Assert.Contains("scale in: a VM at or below 10", Texts(ByClass(svg, "threshold-in")));
    }

    [Fact]
    public void Chart_should_carry_title_date_profile_and_failed_count()
    {
        var texts = Texts([XDocument.Parse(Figure15Svg.Build(Paper() with { Failed = 2 }, 155)).Root!]);

        Assert.Contains("Luban Cloud — Figure 15, time-compressed (2026-03-14)", texts);
        Assert.Contains("profile: ramp 0-150 20s, hold 150 70s, fall 150-0 5s, hold 0 60s · failed requests: 2", texts);
    }

    [Fact]
    public void Chart_should_break_a_VM_line_where_the_VM_was_not_running_but_bridge_a_missing_sample()
    {
        var timeline = Of(
            [
                Sample(0, 10, "luban-b-1=5"), Missing(1, 10), Sample(2, 10, "luban-b-1=6"),
                Sample(3, 10, "luban-b-1=off"), Sample(4, 10, "luban-b-1=7"),
            ],
            []);

        var svg = XDocument.Parse(Figure15Svg.Build(timeline, 5)).Root!;

        var lines = ByClass(svg, "vm").Single().Elements(Svg + "polyline").ToList();
        Assert.Equal([2, 1], lines.Select(l => ((string)l.Attribute("points")!).Split(' ').Length));
        Assert.Single(ByClass(svg, "status-missing"));
        Assert.Contains("status missing in 1 of 5 samples", (string?)svg.Elements(Svg + "text").ElementAt(1));
    }

    [Fact]
    public void Chart_should_still_draw_when_the_status_never_answered()
    {
        var timeline = Of([Missing(0, 0), Missing(1, 4), Missing(2, 0)], []);

        var svg = XDocument.Parse(Figure15Svg.Build(timeline, 3)).Root!;

        Assert.Empty(ByClass(svg, "vm"));
        Assert.Empty(svg.Descendants(Svg + "polyline"));
        Assert.Contains("no VM data: the admin endpoint's /api/status did not answer", Texts([svg]));
    }

    [Fact]
    public void Chart_should_write_numbers_with_a_dot_and_without_exponents()
    {
        var text = Figure15Svg.Build(Paper(), 155);

        var points = XDocument.Parse(text).Descendants(Svg + "polyline").SelectMany(p => ((string)p.Attribute("points")!).Split(' ', ','));
        Assert.All(points, number => Assert.Matches(@"^\d+(\.\d+)?$", number));
    }

    private static IEnumerable<XElement> ByClass(XElement svg, string cssClass) =>
        svg.Descendants().Where(e => (string?)e.Attribute("class") == cssClass);

    private static List<string> Texts(IEnumerable<XElement> roots) =>
        roots.SelectMany(root => root.Descendants(Svg + "text")).Select(t => t.Value).ToList();
}
