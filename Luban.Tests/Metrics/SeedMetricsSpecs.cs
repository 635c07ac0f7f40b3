using Luban.Protocol;
using Luban.Protocol.Scaling;
using Luban.Seed.Metrics;
using Luban.Tests.Support;
using Yarp.ReverseProxy.Forwarder;
using static Luban.Protocol.Scaling.ScalingProtocol;

namespace Luban.Tests.Metrics;

public sealed class SeedMetricsSpecs
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 6, 0, 0, TimeSpan.Zero);

    private static ScaleEvent Event(double atSeconds, string kind, string rule, string? vm = null) =>
        new(T0.AddSeconds(atSeconds), kind, rule, "why", new HostId("B"), vm is null ? null : new VmId(vm));

    private static BackendsChanged Rotation(params string[] vms) =>
        new(1, vms.Select(v => new Backend(new VmId(v), new HostId("B"), $"http://10.77.0.2:{20100 + v.Length}")).ToList());

    private static VmStatus Vm(string id, string state, int? connections) =>
        new(id, state, connections, connections / 100.0, "http://10.77.0.2:20100");

    private static IReadOnlyList<PrometheusText.Sample> Scrape(SeedMetrics metrics)
    {
        var text = metrics.ExportAsync(CancellationToken.None).GetAwaiter().GetResult();
        PrometheusText.AssertLintClean(text);
        return PrometheusText.Parse(text);
    }

    private static double Value(IEnumerable<PrometheusText.Sample> samples, string name, params (string Label, string Value)[] labels) =>
        Assert.Single(samples, s => s.Name == name && labels.All(l => s.Label(l.Label) == l.Value)).Value;

    // Each row: the events and rotations as the seed receives them (seconds since T0), then the drains and boots
    // timed, as "count sum", and how many are still being timed.
    [Theory]
    [InlineData("drain luban-b-2 @10; stop luban-b-2 @12.5", "1 2.5", "0 0", 0)]
    [InlineData("drain luban-b-2 @10; undrain luban-b-2 @11; stop luban-b-2 @40", "0 0", "0 0", 0)]
    [InlineData("drain luban-b-2 @10; stop luban-b-3 @11", "0 0", "0 0", 1)]
    [InlineData("started luban-b-2 @0; rotation luban-b-1 @5; rotation luban-b-1,luban-b-2 @16.5; rotation luban-b-1,luban-b-2 @20", "0 0", "1 16.5", 0)]
    [InlineData("started luban-b-2 @0; command-failed luban-b-2 @3; rotation luban-b-1,luban-b-2 @16", "0 0", "0 0", 0)]
    [InlineData("rotation luban-b-1 @1; started luban-b-2 @2; stopped luban-b-2 @3", "0 0", "0 0", 0)]
    public void Drains_and_boots_should_be_timed_from_the_event_stream(string story, string drains, string boots, int pending)
    {
        var metrics = new SeedMetrics();
        foreach (var step in story.Split("; "))
        {
            var (what, at) = (step[..step.IndexOf(" @", StringComparison.Ordinal)], double.Parse(step[(step.IndexOf('@') + 1)..], System.Globalization.CultureInfo.InvariantCulture));
            var (kind, subject) = (what.Split(' ')[0], what.Split(' ')[1]);
            if (kind == "rotation") metrics.Events.OnRotation(Rotation(subject.Split(',')), T0.AddSeconds(at));
            else metrics.Events.OnEvent(Event(at, kind, "some/rule", subject), T0.AddSeconds(at));
        }

        var samples = Scrape(metrics);
        string Timed(string family) =>
            $"{Value(samples, family + "_count")} {Value(samples, family + "_sum").ToString(System.Globalization.CultureInfo.InvariantCulture)}";
        Assert.Equal(drains, Timed("luban_drain_duration_seconds"));
        Assert.Equal(boots, Timed("luban_vm_start_to_rotation_seconds"));
        Assert.Equal(pending, metrics.Events.Pending);
    }

    [Fact]
    public void Events_should_be_counted_by_kind_and_rule()
    {
        var metrics = new SeedMetrics();
        metrics.Events.OnEvent(Event(0, ScaleEventKinds.Start, ScalingRules.ScaleOutAllAboveUpper), T0);
        metrics.Events.OnEvent(Event(5, ScaleEventKinds.Hold, ScalingRules.BootInFlight), T0);
        metrics.Events.OnEvent(Event(10, ScaleEventKinds.Hold, ScalingRules.BootInFlight), T0);

        var samples = Scrape(metrics);

        Assert.Equal(1, Value(samples, "luban_scaling_events_total", ("kind", "start"), ("rule", ScalingRules.ScaleOutAllAboveUpper)));
        Assert.Equal(2, Value(samples, "luban_scaling_events_total", ("kind", "hold"), ("rule", ScalingRules.BootInFlight)));
    }

    [Fact]
    public void Status_should_show_each_vm_and_forget_the_ones_gone()
    {
        var metrics = new SeedMetrics();
        metrics.ShowStatus([
            new HostStatus("B", true, T0, 1, 3, false, [Vm("luban-b-1", "InService", 64), Vm("luban-b-2", "Booting", null)]),
            new HostStatus("C", false, T0, 1, 3, false, [Vm("luban-c-1", "InService", 12)]),
        ]);

        var first = Scrape(metrics);
        Assert.Equal(64, Value(first, "luban_vm_connections", ("vm", "luban-b-1")));
        Assert.Equal(0.64, Value(first, "luban_vm_utilisation_ratio", ("vm", "luban-b-1")));
        Assert.DoesNotContain(first, s => s.Name == "luban_vm_connections" && s.Label("vm") == "luban-b-2");
        Assert.Equal(1, Value(first, "luban_vm_state", ("vm", "luban-b-2"), ("state", "Booting")));
        Assert.Equal(0, Value(first, "luban_vm_state", ("vm", "luban-b-2"), ("state", "InService")));
        Assert.Equal(Enum.GetNames<VmState>().Length * 3, first.Count(s => s.Name == "luban_vm_state"));
        Assert.Equal(0, Value(first, "luban_host_reachable", ("host", "C")));
        Assert.Equal(1, Value(first, "luban_supervisor_status_up"));

        metrics.ShowStatus([new HostStatus("B", true, T0, 1, 3, false, [Vm("luban-b-1", "Draining", 3)])]);

        var second = Scrape(metrics);
        Assert.Equal(["luban-b-1"], second.Where(s => s.Name is "luban_vm_connections" or "luban_vm_utilisation_ratio" or "luban_vm_state")
            .Select(s => s.Label("vm")).Distinct());
        Assert.Equal(1, Value(second, "luban_vm_state", ("vm", "luban-b-1"), ("state", "Draining")));
        Assert.DoesNotContain(second, s => s.Name == "luban_host_reachable" && s.Label("host") == "C");

        metrics.ShowStatus(null);
        Assert.Equal(0, Value(Scrape(metrics), "luban_supervisor_status_up"));
    }

    [Fact]
    public void Front_door_requests_should_be_counted_per_vm_by_status_class_with_their_latency_and_errors_apart()
    {
        var metrics = new SeedMetrics();
        var b1 = metrics.ForVm("luban-b-1");
        b1.Record(ForwarderError.None, 200, TimeSpan.FromMilliseconds(3));
        b1.Record(ForwarderError.None, 201, TimeSpan.FromMilliseconds(5));
        b1.Record(ForwarderError.None, 503, TimeSpan.FromMilliseconds(1));
        metrics.ForVm("luban-c-1").Record(ForwarderError.Request, 502, TimeSpan.FromSeconds(4));
        Assert.Same(b1, metrics.ForVm("luban-b-1"));

        var samples = Scrape(metrics);

        Assert.Equal(2, Value(samples, "luban_frontdoor_requests_total", ("vm", "luban-b-1"), ("code", "2xx")));
        Assert.Equal(1, Value(samples, "luban_frontdoor_requests_total", ("vm", "luban-b-1"), ("code", "5xx")));
        Assert.Equal(3, Value(samples, "luban_frontdoor_request_duration_seconds_count", ("vm", "luban-b-1")));
        Assert.Equal(0.009, Value(samples, "luban_frontdoor_request_duration_seconds_sum", ("vm", "luban-b-1")), 6);
        Assert.Equal(1, Value(samples, "luban_frontdoor_errors_total", ("vm", "luban-c-1"), ("error", "Request")));
        Assert.Equal(0, Value(samples, "luban_frontdoor_request_duration_seconds_count", ("vm", "luban-c-1")));
    }
}
