using System.Text.Json;
using Luban.Load.Figure15;
using Luban.Load.Status;
using Luban.Protocol;
using Luban.Protocol.Status;
using Luban.Seed.Admin;
using static Luban.Protocol.Scaling.ScalingProtocol;

namespace Luban.Tests.Load;

/// <summary>Reading the admin status document and turning answers into samples and events.</summary>
public sealed class TimelineRecorderSpecs
{
    private static readonly DateTimeOffset Start = Timelines.Start;

    [Fact]
    public void Status_reader_should_read_the_document_the_admin_endpoint_writes()
    {
        var json = JsonSerializer.Serialize(Document(Start.AddSeconds(3), new ScaleEvent(Start.AddSeconds(2), "drain",
            "scale-in/idle-vm", "idle", new HostId("B"), new VmId("luban-b-2"))), StatusAssembler.Json);

        var status = AdminStatus.Parse(json);

        Assert.Equal([("luban-b-1", "B", "InService", (int?)64), ("luban-b-2", "B", "Booting", null), ("luban-c-1", "C", "InService", 63)],
            status.Vms.Select(vm => (vm.Id, vm.Host, vm.State, vm.Connections)));
        Assert.Equal((100, 0.6, 0.1, 2), (status.Policy!.SMax, status.Policy.TUpper, status.Policy.TLower, status.Policy.MinVms));
        var scaleEvent = Assert.Single(status.Events!);
        Assert.Equal((Start.AddSeconds(2), "drain", "B", "luban-b-2"), (scaleEvent.At, scaleEvent.Kind, scaleEvent.Host, scaleEvent.Vm));
    }

    [Fact]
    public void Recorder_should_keep_each_event_once_and_only_from_the_start_of_the_run()
    {
        var recorder = new TimelineRecorder(Start);
        var before = Event(-30, "start", null, "B");
        var start = Event(17.5, "start", null, "B");
        var started = Event(18.25, "started", "luban-b-2", "B");

        recorder.Add(17, 127, 1270, 0, Status([before]));
        recorder.Add(18, 135, 1350, 0, Status([start, before]));
        recorder.Add(19, 142, 1420, 0, Status([started, start, before]));
        recorder.Add(20, 150, 1500, 0, null);

        var timeline = recorder.ToTimeline("p", new Dictionary<string, double>(), 0);
        Assert.Equal([(17.5, "start", (string?)null), (18.25, "started", "luban-b-2")], timeline.Events.Select(e => (e.T, e.Kind, e.Vm)));
        Assert.Equal((4, 3), (recorder.SampleCount, recorder.AnsweredCount));
        Assert.True(timeline.Samples[^1].StatusMissing);
    }

    [Fact]
    public void Recorder_should_take_thresholds_from_the_policy_and_fall_back_to_the_papers()
    {
        var withPolicy = new TimelineRecorder(Start);
        withPolicy.Add(1, 1, 1, 0, Status([]) with { Policy = Policy() with { SMax = 200, TUpper = 0.7 } });
        var without = new TimelineRecorder(Start);
        without.Add(1, 1, 1, 0, null);

        var fromPolicy = withPolicy.ToTimeline("p", new Dictionary<string, double>(), 0);
        var fallback = without.ToTimeline("p", new Dictionary<string, double>(), 0);

        Assert.Equal((140.0, 20.0, true), (fromPolicy.Thresholds.ScaleOutAbove, fromPolicy.Thresholds.ScaleInAtOrBelow, fromPolicy.PolicyKnown));
        Assert.Equal((60.0, 10.0, false), (fallback.Thresholds.ScaleOutAbove, fallback.Thresholds.ScaleInAtOrBelow, fallback.PolicyKnown));
    }

    private static AdminEvent Event(double t, string kind, string? vm, string host) =>
        new(Start.AddSeconds(t), kind, $"rule/{kind}", "because", host, vm);

    private static AdminStatus Status(IReadOnlyList<AdminEvent> events) =>
        new([new AdminHost("B", true, [new AdminVm("luban-b-1", "InService", 64)])], Policy(), events, []);

    private static AdminPolicy Policy() => new(100, 0.6, 0.1, 2, 6, 5, 30, 60);

    private static StatusDocument Document(DateTimeOffset at, ScaleEvent scaleEvent) => new(
        at, "akka.ssl.tcp://luban@127.0.0.1:4053", null, [],
        [
            new HostStatus("B", true, at, 1, 3, false,
                [new VmStatus("luban-b-1", "InService", 64, 0.64, "http://10.0.0.2:5000"), new VmStatus("luban-b-2", "Booting", null, null, null)]),
            new HostStatus("C", true, at, 1, 3, false, [new VmStatus("luban-c-1", "InService", 63, 0.63, "http://10.0.0.3:5000")]),
        ],
        new PolicyStatus(100, 0.6, 0.1, 2, 6, 1, 3, ["B", "C"], 5, 30, 60, 15, 30, 30, false, [new PolicyValue("t-upper", "0.6", true)]),
        scaleEvent, [scaleEvent], null, []);
}
