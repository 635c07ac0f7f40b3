using Luban.Actors.Scaling;
using Luban.Protocol;
using Luban.Protocol.Operator;
using Luban.Protocol.Scaling;
using static Luban.Protocol.Hypervisor.HypervisorProtocol;
using static Luban.Protocol.Scaling.ScalingProtocol;
using static Luban.Tests.Scaling.LedgerSpecSupport;

namespace Luban.Tests.Scaling;

/// <summary>
/// The supervisor's bookkeeping without Akka: events in, effects out, time passed in. The actor specs
/// (<see cref="ScaleSupervisorSpecs"/>) check the same through the mailbox with probes as agents.
/// </summary>
public sealed class SupervisorLedgerSpecs
{
    private static IReadOnlyList<SupervisorEffect> Report(SupervisorLedger ledger, HostId host, DateTimeOffset at, params VmReport[] vms) =>
        ledger.OnReport(new HostReport(host, 1, 3, vms, at), AgentOf(host), AddressOf(host), at);

    /// <summary>B and C registered, each with one VM in service for a long time at the given connections.</summary>
    private static SupervisorLedger TwoHosts(int connectionsB, int connectionsC, DateTimeOffset? at = null)
    {
        var now = at ?? T0;
        var ledger = new SupervisorLedger(Settings, T0 - TimeSpan.FromMinutes(10));
        foreach (var host in new[] { B, C }) ledger.OnRegister(host, AgentOf(host), AddressOf(host), now);
        Report(ledger, B, now, Serving(B, 1, connectionsB, T0 - TimeSpan.FromMinutes(5)));
        Report(ledger, C, now, Serving(C, 1, connectionsC, T0 - TimeSpan.FromMinutes(5)));
        return ledger;
    }

    [Fact]
    public void Registration_should_watch_the_agent_once_and_again_only_for_a_new_incarnation()
    {
        var ledger = new SupervisorLedger(Settings, T0);

        var first = ledger.OnRegister(B, AgentOf(B), AddressOf(B), T0);
        var repeated = ledger.OnRegister(B, AgentOf(B), AddressOf(B), T0);
        var restarted = ledger.OnRegister(B, "akka://luban/user/agent-B#2", AddressOf(B), T0);

        Assert.Equal([new SupervisorEffect.WatchAgent(B)], first.OfType<SupervisorEffect.WatchAgent>());
        Assert.Equal([$"{ScaleEventKinds.HostRegistered} {ScalingRules.AgentRegistered}"], Kinds(first));
        Assert.Empty(repeated);
        Assert.Single(restarted.OfType<SupervisorEffect.WatchAgent>());
    }

    [Fact]
    public void A_report_from_an_unknown_agent_should_register_it()
    {
        var ledger = new SupervisorLedger(Settings, T0);

        var effects = Report(ledger, B, T0, Serving(B, 1, 10, T0));

        Assert.Single(effects.OfType<SupervisorEffect.WatchAgent>());
        Assert.Equal([$"{ScaleEventKinds.HostRegistered} {ScalingRules.AgentReported}"], Kinds(effects));
        Assert.Equal([new Backend(VmId.For(B, 1), B, "http://127.0.0.1:20101")],
            Assert.Single(effects.OfType<SupervisorEffect.PublishBackends>()).Message.Backends);
    }

    [Fact]
    public void Overload_should_start_one_vm_and_count_it_as_booting_until_it_reports()
    {
        var ledger = TwoHosts(70, 70);

        var tick = ledger.OnTick(T0);
        var again = ledger.OnTick(T0 + TimeSpan.FromSeconds(5));

        var start = Assert.Single(tick.OfType<SupervisorEffect.SendStart>());
        Assert.Equal(B, start.Host);
        Assert.Equal(new SupervisorEffect.StartTimeout(start.Command.CommandId, Settings.StartTimeout), tick.OfType<SupervisorEffect.StartTimeout>().Single());
        Assert.Equal([$"{ScaleEventKinds.Start} {ScalingRules.ScaleOutAllAboveUpper}"], Kinds(tick));
        Assert.Empty(again.OfType<SupervisorEffect.SendStart>());
        Assert.Equal(ScalingRules.BootInFlight, ledger.Status().LastDecision!.Rule);
        Assert.Contains(ledger.View().Hosts.Single(h => h.Id == B).Vms, v => v.State == VmState.Booting);
    }

    [Fact]
    public void A_started_vm_should_settle_the_command_once_its_host_reports_it()
    {
        var ledger = TwoHosts(70, 70);
        var start = ledger.OnTick(T0).OfType<SupervisorEffect.SendStart>().Single().Command;
        var b2 = VmId.For(B, 2);

        var accepted = ledger.OnStartResult(new StartVmResult(B, start.CommandId, b2, true, null), T0);
        Report(ledger, B, T0, Serving(B, 1, 70, T0 - TimeSpan.FromMinutes(5)), new VmReport(b2, VmState.Booting, "http://127.0.0.1:20102", null, null));
        var late = ledger.OnCommandTimedOut(start.CommandId, T0 + Settings.StartTimeout);

        Assert.Equal([$"{ScaleEventKinds.Started} {ScalingRules.StartAccepted}"], Kinds(accepted));
        Assert.Contains(new SupervisorEffect.CancelTimeout(start.CommandId), accepted);
        Assert.Empty(late);
        Assert.Equal(2, ledger.View().Hosts.Single(h => h.Id == B).Vms.Length);
    }

    public static TheoryData<string, int?, int, string> Drains => new()
    {
        // how the drain ends, in-flight the front door reports, seconds later, the rule of the stop
        { "front door reports none left", 0, 1, ScalingRules.DrainComplete },
        { "deadline passes with requests left", 3, 31, ScalingRules.DrainDeadline },
    };

    [Theory]
    [MemberData(nameof(Drains))]
    public void An_idle_vm_should_leave_the_rotation_first_and_be_stopped_when_drained(string how, int? inFlight, int after, string rule)
    {
        var ledger = TwoHosts(40, 40);
        Report(ledger, B, T0, Serving(B, 1, 40, T0 - TimeSpan.FromMinutes(5)), Serving(B, 2, 2, T0 - TimeSpan.FromMinutes(5)));
        var b2 = VmId.For(B, 2);

        var drain = ledger.OnTick(T0);
        var progress = ledger.OnDrainProgress(new DrainProgress(b2, inFlight ?? 0, new HostId("A")), T0 + TimeSpan.FromSeconds(after));
        var tick = ledger.OnTick(T0 + TimeSpan.FromSeconds(after));
        var stop = progress.Concat(tick).OfType<SupervisorEffect.SendStop>().Single();
        var stopped = ledger.OnStopResult(new StopVmResult(B, stop.Command.CommandId, b2, true, null), T0 + TimeSpan.FromSeconds(after + 1));

        Assert.Equal([$"{ScaleEventKinds.Drain} {ScalingRules.ScaleInIdleVmFullestHost}"], Kinds(drain));
        Assert.DoesNotContain(drain.OfType<SupervisorEffect.PublishBackends>().Single().Message.Backends, b => b.Vm == b2);
        Assert.True(stop.Command.Vm == b2, how);
        Assert.Contains($"{ScaleEventKinds.Stop} {rule}", Kinds(progress.Concat(tick)));
        Assert.Equal([$"{ScaleEventKinds.Stopped} {ScalingRules.StopDone}"], Kinds(stopped));
    }

    public static TheoryData<string, int, int, string, bool> FrontDoorDrains => new()
    {
        // Two front doors report each second; the drain waits for both to say 0.
        { "both front doors idle", 0, 0, "", true },
        { "the second front door still has a request in flight", 0, 1, "", false },
        { "the first front door still has requests in flight", 2, 0, "", false },
        // A front door silent for longer than FrontDoorSilence (its host was lost) is no longer waited for.
        { "the busy front door fell silent", 0, 3, "A2", true },
        { "the idle front door fell silent, the other is busy", 1, 0, "A2", false },
    };

    [Theory]
    [MemberData(nameof(FrontDoorDrains))]
    public void A_drain_should_finish_only_when_every_live_front_door_has_nothing_in_flight(
        string how, int inFlightA1, int inFlightA2, string silent, bool stopped)
    {
        var ledger = TwoHosts(40, 40);
        Report(ledger, B, T0, Serving(B, 1, 40, T0 - TimeSpan.FromMinutes(5)), Serving(B, 2, 2, T0 - TimeSpan.FromMinutes(5)));
        var b2 = VmId.For(B, 2);
        HostId a1 = new("A1"), a2 = new("A2");
        ledger.OnFrontDoorReport(new FrontDoorReport(a1, true), T0);
        ledger.OnFrontDoorReport(new FrontDoorReport(a2, false), T0);
        Assert.Equal([$"{ScaleEventKinds.Drain} {ScalingRules.ScaleInIdleVmFullestHost}"], Kinds(ledger.OnTick(T0)));

        var at = T0 + TimeSpan.FromSeconds(1);
        var effects = new List<SupervisorEffect>();
        effects.AddRange(ledger.OnDrainProgress(new DrainProgress(b2, inFlightA1, a1), at));
        effects.AddRange(ledger.OnDrainProgress(new DrainProgress(b2, inFlightA2, a2), at));
        if (silent.Length > 0)
        {
            // The other keeps reporting (and what it last said stands); the silent one's last word was at T0.
            var later = at + LedgerSilence + TimeSpan.FromSeconds(1);
            effects.AddRange(ledger.OnFrontDoorReport(new FrontDoorReport(silent == "A1" ? a2 : a1, true), later));
            effects.AddRange(ledger.OnTick(later));
        }

        Assert.True(stopped == effects.OfType<SupervisorEffect.SendStop>().Any(s => s.Command.Vm == b2), how);
        Assert.Equal(silent.Length > 0 ? 1 : 2, ledger.Status().FrontDoors!.Count);
    }

    private static readonly TimeSpan LedgerSilence = SupervisorLedger.FrontDoorSilence;

    [Fact]
    public void A_front_door_that_appears_should_be_sent_the_rotation_once_and_again_after_it_was_silent()
    {
        var quiet = TimeSpan.FromSeconds(2);
        var ledger = new SupervisorLedger(Settings, T0, quietStart: quiet);
        HostId a1 = new("A1"), a2 = new("A2");
        // A supervisor with no rotation yet (no VM, nothing published) sends nothing: the front door keeps what it has.
        var empty = new SupervisorLedger(Settings, T0, quietStart: quiet);
        Assert.Empty(empty.OnFrontDoorReport(new FrontDoorReport(a1, false), T0 + quiet).OfType<SupervisorEffect.SendRotation>());
        Assert.Empty(empty.OnTick(T0 + quiet + TimeSpan.FromSeconds(1)).OfType<SupervisorEffect.SendRotation>());

        Report(ledger, B, T0 + TimeSpan.FromSeconds(0.5), Serving(B, 1, 20, T0 - TimeSpan.FromMinutes(5)));
        // Heard during the quiet start: the rotation follows at the first tick, with the first publication.
        Assert.Empty(ledger.OnFrontDoorReport(new FrontDoorReport(a1, true), T0 + TimeSpan.FromSeconds(1)).OfType<SupervisorEffect.SendRotation>());
        var tick = ledger.OnTick(T0 + quiet);
        var sent = Assert.Single(tick.OfType<SupervisorEffect.SendRotation>());
        Assert.Equal(a1, sent.FrontDoor);
        Assert.Equal(Assert.Single(tick.OfType<SupervisorEffect.PublishBackends>()).Message, sent.Message);

        // A second front door appears later: sent at once; its next reports send nothing.
        var at = T0 + TimeSpan.FromSeconds(3);
        var second = Assert.Single(ledger.OnFrontDoorReport(new FrontDoorReport(a2, false), at).OfType<SupervisorEffect.SendRotation>());
        Assert.Equal(a2, second.FrontDoor);
        Assert.Equal(["luban-b-1"], second.Message.Backends.Select(b => b.Vm.Value));
        Assert.Empty(ledger.OnFrontDoorReport(new FrontDoorReport(a2, false), at + TimeSpan.FromSeconds(1)).OfType<SupervisorEffect.SendRotation>());

        // Silent for longer than FrontDoorSilence (its seed restarted): sent again.
        var back = at + TimeSpan.FromSeconds(1) + LedgerSilence + TimeSpan.FromSeconds(1);
        Assert.Single(ledger.OnFrontDoorReport(new FrontDoorReport(a2, false), back).OfType<SupervisorEffect.SendRotation>());
    }

    [Fact]
    public void A_supervisor_taking_over_should_publish_the_rotation_only_after_hearing_every_agent_at_its_first_tick()
    {
        var quiet = TimeSpan.FromSeconds(2);
        var ledger = new SupervisorLedger(Settings, T0, quietStart: quiet);
        var effects = new List<SupervisorEffect>();
        // B reports first; C a moment later. Publishing after B alone would take C's VM out of every front door.
        effects.AddRange(Report(ledger, B, T0 + TimeSpan.FromSeconds(0.3), Serving(B, 1, 20, T0 - TimeSpan.FromMinutes(5))));
        effects.AddRange(Report(ledger, C, T0 + TimeSpan.FromSeconds(0.9), Serving(C, 1, 20, T0 - TimeSpan.FromMinutes(5))));
        Assert.Empty(effects.OfType<SupervisorEffect.PublishBackends>());

        var tick = ledger.OnTick(T0 + quiet);

        var published = Assert.Single(tick.OfType<SupervisorEffect.PublishBackends>());
        Assert.Equal(["luban-b-1", "luban-c-1"], published.Message.Backends.Select(b => b.Vm.Value));
    }

    [Fact]
    public void An_unreachable_agent_should_take_its_vms_out_of_the_rotation_unless_every_agent_is()
    {
        var ledger = TwoHosts(30, 30);

        var oneDown = ledger.OnReachability(AddressOf(B), reachable: false, T0);
        var bothDown = ledger.OnReachability(AddressOf(C), reachable: false, T0);
        var back = ledger.OnReachability(AddressOf(B), reachable: true, T0);

        Assert.Equal([VmId.For(C, 1)], oneDown.OfType<SupervisorEffect.PublishBackends>().Single().Message.Backends.Select(b => b.Vm));
        Assert.Contains($"{ScaleEventKinds.RotationKept} {ScalingRules.AllAgentsUnreachable}", Kinds(bothDown));
        Assert.Equal(2, bothDown.OfType<SupervisorEffect.PublishBackends>().Single().Message.Backends.Count);
        Assert.Equal([$"{ScaleEventKinds.HostReachable} {ScalingRules.AgentReachable}"], Kinds(back));
    }

    [Fact]
    public void A_lost_agent_should_forget_its_commands_and_leave_its_host_in_the_view_as_unreachable()
    {
        var ledger = TwoHosts(70, 70);
        ledger.OnTick(T0);

        var lost = ledger.OnAgentLost(AgentOf(B), T0);

        Assert.Equal([$"{ScaleEventKinds.HostLost} {ScalingRules.AgentLost}"], Kinds(lost));
        var host = ledger.View().Hosts.Single(h => h.Id == B);
        Assert.False(host.Reachable);
        Assert.Empty(host.Vms);
    }

    [Fact]
    public void Paused_autoscaling_should_decide_nothing_while_the_operator_still_may()
    {
        var ledger = TwoHosts(70, 70);

        var (paused, _) = ledger.OnSetAutoscale(new OperatorProtocol.SetAutoscale(true), T0);
        var tick = ledger.OnTick(T0);
        var held = ledger.Status().LastDecision!.Rule;
        var (manual, effects) = ledger.OnOperatorStart(new OperatorProtocol.StartVmNow(null), T0);

        Assert.True(paused.Accepted);
        Assert.Empty(tick);
        Assert.Equal(ScalingRules.Paused, held);
        Assert.Equal((true, "Starting a VM on host B."), (manual.Accepted, manual.Message));
        Assert.Single(effects.OfType<SupervisorEffect.SendStart>());
    }

    [Theory]
    [InlineData("tick-interval", "1m", true, true, "1m")]
    [InlineData("tick-interval", "5s", true, false, "5s")]
    [InlineData("t-upper", "0.7", true, false, "0.7")]
    [InlineData("t-upper", "${?HOME}", false, false, "0.6")]
    public void Policy_set_should_apply_through_the_table_and_restart_the_tick_only_when_it_changes(
        string key, string value, bool accepted, bool restart, string shown)
    {
        var ledger = TwoHosts(30, 30);

        var (reply, effects) = ledger.OnSetPolicy(new OperatorProtocol.SetPolicy(key, value), T0);

        Assert.Equal(accepted, reply.Accepted);
        Assert.Equal(restart, effects.OfType<SupervisorEffect.RestartTick>().Any());
        Assert.Equal([accepted ? $"{ScaleEventKinds.Policy} {ScalingRules.OperatorPolicySet}" : $"{ScaleEventKinds.Refused} {ScalingRules.OperatorRefused}"],
            Kinds(effects));
        Assert.Equal(shown, ledger.Status().Policy.Values.Single(v => v.Key == key).Value);
    }

    [Fact]
    public void A_command_that_never_settles_should_be_recorded_as_failed()
    {
        var ledger = TwoHosts(70, 70);
        var start = ledger.OnTick(T0).OfType<SupervisorEffect.SendStart>().Single().Command;

        var timedOut = ledger.OnCommandTimedOut(start.CommandId, T0 + Settings.StartTimeout);

        Assert.Equal([$"{ScaleEventKinds.CommandFailed} {ScalingRules.StartTimeout}"], Kinds(timedOut));
        Assert.DoesNotContain(ledger.View().Hosts.Single(h => h.Id == B).Vms, v => v.State == VmState.Booting);
    }
}
