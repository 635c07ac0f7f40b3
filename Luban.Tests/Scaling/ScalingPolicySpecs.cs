using Luban.Actors.Scaling;
using Luban.Protocol;
using Luban.Protocol.Scaling;
using static Luban.Tests.Scaling.ClusterViewNotation;

namespace Luban.Tests.Scaling;

public class ScalingPolicySpecs
{
    private static readonly ScalingSettings Defaults = ScalingSettings.Default;

    private static void AssertDecision(string view, string expected, string rule, ScalingSettings? settings = null)
    {
        var decision = ScalingPolicy.Decide(Parse(view), settings ?? Defaults, Now);

        Assert.Equal((expected, rule), (Summarise(decision), decision.Reason.Rule));
    }

    [Theory]
    // The paper: every VM above T_upper → start on the host running fewer VMs.
    [InlineData("B[70 70] C[70]", "start C", ScalingRules.ScaleOutAllAboveUpper)]
    // The paper's tie rule: equal hosts → the preferred host, B.
    [InlineData("B[70] C[70]", "start B", ScalingRules.ScaleOutAllAboveUpper)]
    // N hosts: the fewest-running host wins even when it is not in the preferred list.
    [InlineData("B[70 70] C[70 70] D[70]", "start D", ScalingRules.ScaleOutAllAboveUpper)]
    // N hosts: ties outside the preferred list go by name.
    [InlineData("E[70] D[70] B[70 70]", "start D", ScalingRules.ScaleOutAllAboveUpper)]
    // "Above" is strict: 60 connections is exactly T_upper, so not every VM is above it.
    [InlineData("B[70 60] C[70]", "none", ScalingRules.WithinBand)]
    // The paper: at 6 VMs, warn instead of starting a seventh.
    [InlineData("B[70 70 70] C[70 70 70]", "warn at-capacity", ScalingRules.AtCapacity)]
    // Per-host maximum: the emptier host is full, so the other one takes the VM.
    [InlineData("B(max 1)[70] C[70 70]", "start C", ScalingRules.ScaleOutAllAboveUpper)]
    // Every reachable host at its own maximum while the cluster total is below 6.
    [InlineData("B(max 1)[70] C(max 1)[70]", "warn at-capacity", ScalingRules.AtCapacity)]
    // A stopping VM still holds its slot on the host.
    [InlineData("B[70 70 stop] C(max 2)[70 70]", "warn at-capacity", ScalingRules.AtCapacity)]
    // Never start on an unreachable host, even though it runs fewer VMs.
    [InlineData("B[70 70] C(unreachable)[]", "start B", ScalingRules.ScaleOutAllAboveUpper)]
    // An unreachable host's idle VM is out of the view: the reachable VMs are all overloaded.
    [InlineData("B[70 70] C(unreachable)[5]", "start B", ScalingRules.ScaleOutAllAboveUpper)]
    // A host with a degraded bond is placed after healthy hosts, even when it runs fewer VMs or is preferred.
    [InlineData("B(degraded)[70] C[70 70]", "start C", ScalingRules.ScaleOutAllAboveUpper)]
    [InlineData("B[70] C(degraded)[70]", "start B", ScalingRules.ScaleOutAllAboveUpper)]
    // …but it still takes the VM when no healthy host has room.
    [InlineData("B(degraded)[70] C(max 2)[70 70]", "start B", ScalingRules.ScaleOutAllAboveUpper)]
    public void Decide_should_scale_out_when_every_in_service_vm_is_above_t_upper(string view, string expected, string rule) =>
        AssertDecision(view, expected, rule);

    [Fact]
    public void Decide_should_break_a_scale_out_tie_by_the_configured_preferred_order()
    {
        var settings = Defaults with { PreferredHostOrder = [new HostId("C"), new HostId("B")] };

        AssertDecision("B[70] C[70]", "start C", ScalingRules.ScaleOutAllAboveUpper, settings);
    }

    [Theory]
    // The paper, equal host counts: the idle VM with the fewest connections, whichever host.
    [InlineData("B[40 8] C[40 5]", "stop C luban-c-2", ScalingRules.ScaleInIdleVmEqualHosts)]
    [InlineData("B[40 6] C[40 40] D[40 4]", "stop D luban-d-2", ScalingRules.ScaleInIdleVmEqualHosts)]
    // The paper, unequal counts: the fewest-connection idle VM on the host running the most, not the global fewest.
    [InlineData("B[40 40 8] C[40 3]", "stop B luban-b-3", ScalingRules.ScaleInIdleVmFullestHost)]
    // Unequal counts with several idle VMs on the fullest host: its fewest-connection one.
    [InlineData("B[40 9 4] C[40 2]", "stop B luban-b-3", ScalingRules.ScaleInIdleVmFullestHost)]
    // The fullest host has no idle VM: we never stop its busy VMs; the idle VM elsewhere goes.
    [InlineData("B[40 40 40] C[40 3]", "stop C luban-c-2", ScalingRules.ScaleInIdleVmFullestHost)]
    // "At or below": exactly T_lower (10 connections) is idle.
    [InlineData("B[40 10] C[40]", "stop B luban-b-2", ScalingRules.ScaleInIdleVmFullestHost)]
    // 11 connections is above T_lower: never stopped.
    [InlineData("B[40 11] C[40]", "none", ScalingRules.WithinBand)]
    // Per-host minimum (the paper's "each host keeps one"): C's only VM stays although idle.
    [InlineData("B[40 40] C[5]", "none", ScalingRules.AtMinimum)]
    // A per-host minimum of 2 protects both of B's VMs.
    [InlineData("B(min 2)[40 5] C[40 40]", "none", ScalingRules.AtMinimum)]
    // The cluster minimum (2) holds even when hosts allow fewer.
    [InlineData("B(min 0)[5] C(min 0)[40]", "none", ScalingRules.AtMinimum)]
    // Would-overload guard: the others would average 90.7 connections, above T_upper, so it would flap back.
    [InlineData("B[90 90 2] C[90]", "none", ScalingRules.ScaleInWouldOverload)]
    // The guard's boundary: the others would average exactly 60, which is not above T_upper.
    [InlineData("B[60 60 0] C[60]", "stop B luban-b-3", ScalingRules.ScaleInIdleVmFullestHost)]
    public void Decide_should_scale_in_an_idle_vm_by_the_papers_rules(string view, string expected, string rule) =>
        AssertDecision(view, expected, rule);

    [Theory]
    // Boot in flight: all in-service VMs are overloaded, but the booting VM is the capacity already on its way.
    [InlineData("B[70 boot] C[70]", "none", ScalingRules.BootInFlight)]
    // A booting VM carries no connections yet and is never an idle candidate.
    [InlineData("B[50 50 boot] C[50]", "none", ScalingRules.WithinBand)]
    // A draining VM is already leaving and is never an idle candidate.
    [InlineData("B[50 50 drain:0] C[50]", "none", ScalingRules.WithinBand)]
    // Load returns while a VM drains: put it back instead of booting a new one.
    [InlineData("B[70 drain:3] C[70]", "undrain B luban-b-2", ScalingRules.ScaleOutUndrain)]
    // Un-draining adds no VM, so it is allowed even at the maximum.
    [InlineData("B[70 70 drain:3] C[70 70 70]", "undrain B luban-b-3", ScalingRules.ScaleOutUndrain)]
    // A VM that entered service a second ago has not been given connections yet: not idle.
    [InlineData("B[40 new:0] C[40]", "none", ScalingRules.WarmingUp)]
    public void Decide_should_count_boots_and_drains_toward_capacity(string view, string expected, string rule) =>
        AssertDecision(view, expected, rule);

    [Theory]
    [InlineData("B(stale)[70] C[70]", "none", ScalingRules.StaleReport)]
    [InlineData("B(stale)[40 5] C[40]", "none", ScalingRules.StaleReport)]
    [InlineData("B(unreported)[70] C[70]", "none", ScalingRules.MissingReport)]
    [InlineData("B[70 ?] C[70]", "none", ScalingRules.UnknownConnections)]
    [InlineData("B[40 40] C[?]", "none", ScalingRules.UnknownConnections)]
    [InlineData("B(unreachable)[70] C(unreachable)[70]", "none", ScalingRules.NoReachableHost)]
    // An unreachable host is known to be lost: its stale report does not block the rest.
    [InlineData("B[70 70] C(unreachable, stale)[70]", "start B", ScalingRules.ScaleOutAllAboveUpper)]
    public void Decide_should_hold_when_the_view_cannot_be_trusted(string view, string expected, string rule) =>
        AssertDecision(view, expected, rule);

    [Theory]
    // Scale-out cooldown (30 s) after a scale-out.
    [InlineData("B[70] C[70] | last-out 10s", "none", ScalingRules.Cooldown)]
    [InlineData("B[70] C[70] | last-out 30s", "start B", ScalingRules.ScaleOutAllAboveUpper)]
    // A recent scale-in does not delay a scale-out: the cooldowns are separate.
    [InlineData("B[70] C[70] | last-in 5s", "start B", ScalingRules.ScaleOutAllAboveUpper)]
    // Scale-in cooldown (60 s) after a scale-in …
    [InlineData("B[40 5] C[40] | last-in 30s", "none", ScalingRules.Cooldown)]
    // … and after a scale-out, so a fresh VM is not stopped before load settles.
    [InlineData("B[40 5] C[40] | last-out 30s", "none", ScalingRules.Cooldown)]
    [InlineData("B[40 5] C[40] | last-in 60s", "stop B luban-b-2", ScalingRules.ScaleInIdleVmFullestHost)]
    // Cooldown over, but the last new VM has not carried load for one tick interval yet.
    [InlineData("B[70 new:70] C[70] | last-out 40s", "none", ScalingRules.WarmingUp)]
    public void Decide_should_respect_separate_cooldowns(string view, string expected, string rule) =>
        AssertDecision(view, expected, rule);

    [Theory]
    // A host lost its only VM: restore its minimum even though nothing is overloaded.
    [InlineData("B[40 40] C[]", "start C", ScalingRules.RestoreHostMinimum)]
    [InlineData("B[40 40] C[failed]", "start C", ScalingRules.RestoreHostMinimum)]
    // The replacement is already booting: no second start.
    [InlineData("B[40 40] C[boot]", "none", ScalingRules.WithinBand)]
    // The host's only VM is draining: keep it rather than boot another.
    [InlineData("B[40 40] C[drain:4]", "undrain C luban-c-1", ScalingRules.RestoreHostMinimum)]
    // Hosts allow zero, but the cluster keeps two.
    [InlineData("B(min 0)[] C(min 0)[]", "start B", ScalingRules.RestoreClusterMinimum)]
    // The lost host's VMs are out of capacity: the survivor takes the cluster's second VM.
    [InlineData("B[40] C(unreachable)[40]", "start B", ScalingRules.RestoreClusterMinimum)]
    // A supervisor that started 5 s ago (a restarted seed) has heard only from B: C's VM is most likely still running.
    [InlineData("B[40] | started 5s", "none", ScalingRules.AwaitingAgents)]
    [InlineData("B[40] | started 15s", "none", ScalingRules.AwaitingAgents)]
    [InlineData("B[40] | started 30s", "none", ScalingRules.AwaitingAgents)]
    [InlineData("B[40] | started 31s", "start B", ScalingRules.RestoreClusterMinimum)]
    // … but a host it saw and then lost is gone, not late.
    [InlineData("B[40] C(unreachable)[40] | started 5s", "start B", ScalingRules.RestoreClusterMinimum)]
    // Each host's own minimum is restored at once, even by a new supervisor.
    [InlineData("B[40] C[] | started 5s", "start C", ScalingRules.RestoreHostMinimum)]
    public void Decide_should_restore_minimums_before_scaling(string view, string expected, string rule) =>
        AssertDecision(view, expected, rule);

    [Fact]
    public void Decide_should_report_the_numbers_it_saw()
    {
        var view = Parse("B[70 boot] C[72]");

        var reason = ScalingPolicy.Decide(view, Defaults, Now).Reason;

        Assert.Equal(ScalingRules.BootInFlight, reason.Rule);
        Assert.Contains(new VmObservation(new HostId("C"), new VmId("luban-c-1"), VmState.InService, 72, 0.72), reason.Vms);
        Assert.Contains(new VmObservation(new HostId("B"), new VmId("luban-b-2"), VmState.Booting, null, null), reason.Vms);
        Assert.Contains(new HostObservation(new HostId("B"), true, InService: 1, Booting: 1, Draining: 0, Stopping: 0, MinVms: 1, MaxVms: 3), reason.Hosts);
        Assert.Contains("luban-b-2", reason.Sentence);
    }

    [Fact]
    public void Decide_should_replay_the_papers_figure_15()
    {
        // The paper polls every 5 minutes; VM1 runs on B, VM2 on C.
        var settings = ScalingSettings.PaperInterval;
        var start = Now;
        DateTimeOffset Minute(int m) => start + TimeSpan.FromMinutes(m);
        HostView Host(string id, DateTimeOffset reportedAt, params VmView[] vms) =>
            new(new HostId(id), true, reportedAt, [.. vms]);
        var vm1 = new VmId("luban-b-1");
        var vm2 = new VmId("luban-c-1");

        // Minute 5: load has risen on both VMs.
        var overloaded = new ClusterView([
            Host("B", Minute(5), new VmView(vm1, VmState.InService, 75)),
            Host("C", Minute(5), new VmView(vm2, VmState.InService, 72))]);
        var scaleOut = ScalingPolicy.Decide(overloaded, settings, Minute(5));
        var started = Assert.IsType<ScalingDecision.StartVm>(scaleOut);
        Assert.Equal(new HostId("B"), started.Host);
        var vm3 = VmId.For(started.Host, 2);

        // Minute 10: the new VM came into service at minute 6 and the three carry balanced load.
        var balanced = new ClusterView([
            Host("B", Minute(10), new VmView(vm1, VmState.InService, 50), new VmView(vm3, VmState.InService, 48, Minute(6))),
            Host("C", Minute(10), new VmView(vm2, VmState.InService, 49))],
            LastScaleOutAt: Minute(5));
        Assert.IsType<ScalingDecision.NoAction>(ScalingPolicy.Decide(balanced, settings, Minute(10)));

        // Minute 15: load falls; VM3 is at 10 or fewer connections and is the one stopped.
        var fallen = balanced with
        {
            Hosts = [
                Host("B", Minute(15), new VmView(vm1, VmState.InService, 30), new VmView(vm3, VmState.InService, 8, Minute(6))),
                Host("C", Minute(15), new VmView(vm2, VmState.InService, 25))],
        };
        var scaleIn = ScalingPolicy.Decide(fallen, settings, Minute(15));
        Assert.Equal(new ScalingDecision.StopVm(new HostId("B"), vm3, scaleIn.Reason), scaleIn);

        // Minute 20: VM1 and VM2 are idle too, but each host keeps one.
        var idle = new ClusterView([
            Host("B", Minute(20), new VmView(vm1, VmState.InService, 4)),
            Host("C", Minute(20), new VmView(vm2, VmState.InService, 3))],
            LastScaleOutAt: Minute(5),
            LastScaleInAt: Minute(15));
        var kept = ScalingPolicy.Decide(idle, settings, Minute(20));
        Assert.Equal(ScalingRules.AtMinimum, Assert.IsType<ScalingDecision.NoAction>(kept).Reason.Rule);
    }

    [Fact]
    public void Decide_should_treat_an_empty_vm_list_as_no_vms()
    {
        var host = new HostView(new HostId("B"), true, Now, default, MinVms: 0);

        var decision = ScalingPolicy.Decide(new ClusterView([host]), Defaults, Now);

        Assert.Equal(ScalingRules.RestoreClusterMinimum, decision.Reason.Rule);
    }
}
