using Luban.Actors.Scaling;
using Luban.Protocol;
using Luban.Protocol.Scaling;
using static Luban.Tests.Scaling.ClusterViewNotation;

namespace Luban.Tests.Scaling;

/// <summary>
/// The operator's <c>vm start</c> and <c>vm stop</c> go through the policy's own census: a start without a host lands
/// exactly where a scale-out would, and a stop is refused where the policy would never stop.
/// </summary>
public sealed class OperatorRuleSpecs
{
    private static readonly ScalingSettings Defaults = ScalingSettings.Default;

    [Theory]
    [InlineData("B[70] C[70]")]
    [InlineData("B[70 70] C[70]")]
    [InlineData("B[70 70] C[70 70] D[70]")]
    [InlineData("E[70] D[70] B[70 70]")]
    [InlineData("B(max 1)[70] C[70 70]")]
    [InlineData("B(degraded)[70] C[70 70]")]
    [InlineData("B(degraded)[70] C(max 2)[70 70]")]
    [InlineData("B[70 70 stop] C[70 70]")]
    [InlineData("B[70 70] C(unreachable)[]")]
    public void A_start_without_a_host_should_go_where_a_scale_out_would(string notation)
    {
        var view = Parse(notation);

        var policy = ScalingPolicy.Decide(view, Defaults, Now);
        var manual = ScalingPolicy.PlaceStart(view, Defaults, Now, wanted: null);

        Assert.Equal(ScalingRules.ScaleOutAllAboveUpper, policy.Reason.Rule);
        Assert.Equal(Summarise(policy), Summarise(manual.Decision!));
        Assert.Equal(ScalingRules.OperatorStart, manual.Decision!.Reason.Rule);
    }

    [Theory]
    [InlineData("B[70 70 70] C[70 70 70]", null, "The cluster already runs 6 VMs, its maximum of 6.")]
    [InlineData("B(max 1)[70] C(max 1)[70]", null, "Every reachable host is at its maximum.")]
    [InlineData("B(unreachable)[70]", null, "No host has a registered agent.")]
    [InlineData("B[70] C[70]", "D", "Host D has no registered agent.")]
    [InlineData("B[70] C(unreachable)[]", "C", "Host C has no registered agent.")]
    [InlineData("B(max 2)[70 stop] C[70]", "B", "Host B already runs 2 VMs, its maximum of 2.")]
    [InlineData("B[70] C[70]", "C", null)]
    public void A_start_should_be_refused_where_no_vm_can_be_placed(string notation, string? wanted, string? refusal)
    {
        var verdict = ScalingPolicy.PlaceStart(Parse(notation), Defaults, Now, wanted is null ? null : new HostId(wanted));

        Assert.Equal(refusal, verdict.Refusal);
        if (refusal is null) Assert.Equal($"start {wanted}", Summarise(verdict.Decision!));
    }

    [Theory]
    [InlineData("B[30 30] C[30]", "luban-b-2", null)]
    [InlineData("B[30 boot] C[30]", "luban-b-2", null)]
    [InlineData("B[30] C[30]", "luban-b-1", "Stopping luban-b-1 would leave host B with 0 VM(s), below its minimum of 1.")]
    [InlineData("B[30 30] C(unreachable)[30]", "luban-b-2", "Stopping luban-b-2 would leave the cluster with 1 VM(s), below its minimum of 2.")]
    [InlineData("B(min 2)[30 30 30] C[30]", "luban-b-3", null)]
    [InlineData("B(min 2)[30 30] C[30 30]", "luban-b-2", "Stopping luban-b-2 would leave host B with 1 VM(s), below its minimum of 2.")]
    [InlineData("B[30 drain:3] C[30]", "luban-b-2", "luban-b-2 is Draining; only a booting or in-service VM can be stopped.")]
    [InlineData("B[30 off] C[30]", "luban-b-2", "luban-b-2 is ShutOff; only a booting or in-service VM can be stopped.")]
    [InlineData("B[30] C[30]", "luban-x-9", "No VM named luban-x-9 is known.")]
    public void A_stop_should_be_refused_where_the_policy_would_never_stop(string notation, string vm, string? refusal)
    {
        var verdict = ScalingPolicy.CheckStop(Parse(notation), Defaults, Now, new VmId(vm));

        Assert.Equal(refusal, verdict.Refusal);
        if (refusal is null)
        {
            Assert.Equal($"stop B {vm}", Summarise(verdict.Decision!));
            Assert.Equal(ScalingRules.OperatorStop, verdict.Decision!.Reason.Rule);
        }
    }

    [Theory]
    [InlineData("B[5 5] C[5]")]
    [InlineData("B[5 5 5] C[5 5]")]
    [InlineData("B(min 2)[5 5 5] C[5]")]
    public void A_vm_the_policy_would_stop_should_be_one_the_operator_may_stop(string notation)
    {
        var view = Parse(notation);
        var policy = ScalingPolicy.Decide(view, Defaults with { ScaleInCooldown = TimeSpan.Zero }, Now);
        var stop = Assert.IsType<ScalingDecision.StopVm>(policy);

        Assert.Null(ScalingPolicy.CheckStop(view, Defaults, Now, stop.Vm).Refusal);
    }
}
