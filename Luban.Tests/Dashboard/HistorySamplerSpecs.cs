using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Configuration;
using Akka.TestKit;
using Luban.Protocol.Scaling;
using Luban.Seed.Dashboard;
using static Luban.Protocol.Scaling.ScalingProtocol;
using static Luban.Tests.Support.SupervisorStatuses;

namespace Luban.Tests.Dashboard;

/// <summary>The sampler on the virtual scheduler, a probe in the supervisor's place.</summary>
public sealed class HistorySamplerSpecs() : Akka.TestKit.Xunit2.TestKit(VirtualTime)
{
    private static readonly Config VirtualTime = ConfigurationFactory.ParseString(
        "akka.scheduler.implementation = \"Akka.TestKit.TestScheduler, Akka.TestKit\"");

    private static readonly DashboardSettings Settings = new(TimeSpan.FromMinutes(1));

    private TestScheduler Scheduler => (TestScheduler)Sys.Scheduler;

    [Fact]
    public void Sampler_should_subscribe_to_the_scale_events_and_keep_them()
    {
        var (sampler, _) = Start();

        var start = new ScaleEvent(Scheduler.Now, ScaleEventKinds.Start, ScalingRules.ScaleOutAllAboveUpper, "every VM above 60 %", new("B"));
        sampler.Tell(start);

        Assert.Equal([start], History(sampler).Events);
    }

    [Fact]
    public void Sampler_should_ask_once_a_second_and_keep_each_answer()
    {
        var (sampler, supervisor) = Start();

        for (var second = 1; second <= 3; second++)
        {
            supervisor.ExpectMsg<GetSupervisorStatus>();
            supervisor.Reply(Of(Host("B", true, Vm("luban-b-1", "InService", 10 * second))));
            // Asked after the answer, in the same mailbox: the answer is in before the clock moves on.
            Assert.Equal(second, History(sampler).Times.Count);
            Scheduler.Advance(Settings.SampleInterval);
        }

        var history = History(sampler);
        Assert.Equal([10, 20, 30], history.Vms.Single().Connections);
        Assert.Equal([1000L, 1000], history.Times.Zip(history.Times.Skip(1), (a, b) => b - a));
    }

    [Fact]
    public void Sampler_should_wait_for_a_slow_answer_and_record_a_gap_when_none_comes()
    {
        var (sampler, supervisor) = Start();
        supervisor.ExpectMsg<GetSupervisorStatus>();

        // One question at a time: no second one while the first may still be answered.
        Scheduler.Advance(HistorySampler.GapAfter - Settings.SampleInterval);
        supervisor.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        Assert.Empty(History(sampler).Times);

        // Unanswered that long: a gap, and a new question.
        Scheduler.Advance(Settings.SampleInterval);
        supervisor.ExpectMsg<GetSupervisorStatus>();
        supervisor.Reply(Of(Host("B", true, Vm("luban-b-1", "InService", 5))));

        var history = History(sampler);
        Assert.Equal([null, 1], history.InService);
        Assert.Equal([null, 5], history.Vms.Single().Connections);
    }

    /// <summary>A sampler that has started: subscribed to the events, its timer running, the clock at its first sample.</summary>
    private (IActorRef Sampler, TestProbe Supervisor) Start()
    {
        var supervisor = CreateTestProbe();
        var mediator = CreateTestProbe();
        var sampler = Sys.ActorOf(HistorySampler.Props(Settings, supervisor.Ref, mediator.Ref));
        Assert.Equal(Topics.ScaleEvents, mediator.ExpectMsg<Subscribe>().Topic);
        Scheduler.Advance(TimeSpan.Zero);
        return (sampler, supervisor);
    }

    private HistoryDocument History(IActorRef sampler)
    {
        sampler.Tell(HistorySampler.GetHistory.Instance);
        return ExpectMsg<HistoryDocument>();
    }
}
