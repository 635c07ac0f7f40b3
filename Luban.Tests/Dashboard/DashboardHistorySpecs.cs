using Luban.Protocol.Scaling;
using Luban.Seed.Dashboard;
using static Luban.Protocol.Scaling.ScalingProtocol;
using static Luban.Tests.Support.SupervisorStatuses;

namespace Luban.Tests.Dashboard;

public sealed class DashboardHistorySpecs
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);
    private static readonly DashboardSettings Settings = new(TimeSpan.FromMinutes(1));

    public static TheoryData<string, SupervisorStatus, int, int, string> Samples => new()
    {
        // what, status, in service, running, "host/vm=connections" of every VM in the sample
        { "two VMs serving", Of(Host("B", true, Vm("luban-b-1", "InService", 40)), Host("C", true, Vm("luban-c-1", "InService", 30))),
            2, 2, "B/luban-b-1=40 C/luban-c-1=30" },
        { "a booting VM runs but does not serve yet, without a count", Of(Host("B", true, Vm("luban-b-1", "InService", 70), Vm("luban-b-2", "Booting", null))),
            1, 2, "B/luban-b-1=70 B/luban-b-2=-" },
        { "draining and stopping VMs still run", Of(Host("B", true, Vm("luban-b-1", "InService", 5), Vm("luban-b-2", "Draining", 2), Vm("luban-b-3", "Stopping", 0))),
            1, 3, "B/luban-b-1=5 B/luban-b-2=2 B/luban-b-3=0" },
        { "a shut-off or failed VM has no connections, whatever was last counted", Of(Host("B", true, Vm("luban-b-1", "ShutOff", 3), Vm("luban-b-2", "Failed", 9))),
            0, 0, "B/luban-b-1=- B/luban-b-2=-" },
        { "an unreachable host's VMs serve but are not counted as running", Of(Host("B", false, Vm("luban-b-1", "InService", 20))),
            1, 0, "B/luban-b-1=20" },
        { "a warm VM neither serves nor runs, and has no connections", Of(Host("B", true, Vm("luban-b-1", "InService", 20), Vm("luban-b-2", "Warm", null))),
            1, 1, "B/luban-b-1=20 B/luban-b-2=-" },
        { "no host yet", Of(), 0, 0, "" },
    };

    [Theory]
    [MemberData(nameof(Samples))]
    public void Sample_should_count_as_the_live_chart_counts(string what, SupervisorStatus status, int inService, int running, string vms)
    {
        var sample = HistorySample.Of(status);

        Assert.True((inService, running) == (sample.InService, sample.Running), $"{what}: {sample.InService} in service, {sample.Running} running");
        Assert.Equal(vms, string.Join(' ', sample.Vms.Select(v => $"{v.Host}/{v.Vm}={v.Connections?.ToString() ?? "-"}")));
    }

    [Fact]
    public void Document_should_give_one_column_entry_per_sample_and_a_line_only_to_VMs_with_a_count()
    {
        var history = new DashboardHistory(Settings);
        history.Record(T0, HistorySample.Of(Of(Host("B", true, Vm("luban-b-1", "InService", 70), Vm("luban-b-2", "Booting", null)))));
        history.Record(T0.AddSeconds(1), HistorySample.Gap);
        history.Record(T0.AddSeconds(2), HistorySample.Of(Of(Host("B", true, Vm("luban-b-1", "InService", 40), Vm("luban-b-2", "InService", 35)))));
        history.Record(T0.AddSeconds(3), HistorySample.Of(Of(Host("C", true, Vm("luban-c-1", "Booting", null)))));

        var document = history.Document(T0.AddSeconds(3));

        Assert.Equal([0L, 1000, 2000, 3000], document.Times.Select(t => t - T0.ToUnixTimeMilliseconds()));
        Assert.Equal([1, null, 2, 0], document.InService);
        Assert.Equal([2, null, 2, 1], document.Running);
        Assert.Equal(["B/luban-b-1", "B/luban-b-2"], document.Vms.Select(v => $"{v.Host}/{v.Vm}"));
        Assert.Equal([70, null, 40, null], document.Vms[0].Connections);
        Assert.Equal([null, null, 35, null], document.Vms[1].Connections);
        Assert.Equal((60.0, 1.0), (document.WindowSeconds, document.SampleIntervalSeconds));
    }

    [Fact]
    public void Document_should_hold_only_the_window_before_the_time_it_is_read()
    {
        var history = new DashboardHistory(Settings);
        var early = new ScaleEvent(T0, ScaleEventKinds.Start, ScalingRules.ScaleOutAllAboveUpper, "all above 60 %", new("B"));
        var late = new ScaleEvent(T0.AddSeconds(50), ScaleEventKinds.Drain, ScalingRules.ScaleInIdleVmEqualHosts, "idle", new("B"), new("luban-b-2"));
        history.Record(early);
        for (var second = 0; second <= 50; second += 10)
            history.Record(T0.AddSeconds(second), HistorySample.Of(Of(Host("B", true, Vm("luban-b-1", "InService", second)))));
        history.Record(late);

        var document = history.Document(T0.AddSeconds(75));

        Assert.Equal([20, 30, 40, 50], document.Vms.Single().Connections);
        Assert.Equal([late], document.Events);
    }

    [Fact]
    public void History_should_stay_within_its_capacity_however_long_it_runs()
    {
        var history = new DashboardHistory(Settings);

        // Ten samples a second for ten minutes: far more than the window of one a second.
        for (var i = 0; i < 6_000; i++) history.Record(T0.AddMilliseconds(100 * i), HistorySample.Gap);

        Assert.Equal(Settings.SampleCapacity, history.SampleCount);
        Assert.InRange(Settings.SampleCapacity, 60, 80);
    }
}
