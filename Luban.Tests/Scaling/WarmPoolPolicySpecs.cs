using Luban.Actors.Scaling;
using Luban.Protocol.Scaling;
using static Luban.Tests.Scaling.ClusterViewNotation;

namespace Luban.Tests.Scaling;

/// <summary>
/// The warm pool in the policy: warm VMs are never capacity (placement, limits, victims count running VMs), a tie goes
/// to a host with a warm VM, and the refill rule boots into a short pool only when nothing competes with serving.
/// Defaults: S_max 100, T_upper 60%, T_lower 10%, so the middle of the band is 35%.
/// </summary>
public sealed class WarmPoolPolicySpecs
{
    private static readonly ScalingSettings Defaults = ScalingSettings.Default;

    [Theory]
    // Warm VMs are not running: C runs fewer VMs, so C takes the scale-out although B has warm ones.
    [InlineData("B(pool 2)[70 70 warm warm] C[70]", "start C", ScalingRules.ScaleOutAllAboveUpper)]
    // A tie in running VMs goes to the host with a warm VM to resume, before the preferred order (B).
    [InlineData("B[70] C(pool 1)[70 warm]", "start C", ScalingRules.ScaleOutAllAboveUpper)]
    // …but not to one whose warm VM is still booting into the pool.
    [InlineData("B[70] C(pool 1)[70 warming]", "start B", ScalingRules.ScaleOutAllAboveUpper)]
    // The per-host maximum counts running VMs only: B at max 1 with a warm VM is full, C takes it.
    [InlineData("B(max 1, pool 1)[70 warm] C(max 2)[70]", "start C", ScalingRules.ScaleOutAllAboveUpper)]
    // The cluster maximum (6) counts running VMs only: six running and two warm is at capacity, not over it.
    [InlineData("B(pool 1)[70 70 70 warm] C(pool 1)[70 70 70 warm]", "warn at-capacity", ScalingRules.AtCapacity)]
    // A warm VM is never the scale-in victim nor a floor: B's one in-service VM keeps its minimum.
    [InlineData("B(pool 1)[5 warm] C[40 5]", "stop C luban-c-2", ScalingRules.ScaleInIdleVmFullestHost)]
    [InlineData("B(pool 1)[warm] C[40]", "start B", ScalingRules.RestoreHostMinimum)]
    public void Warm_vms_should_never_count_as_capacity(string view, string expected, string rule)
    {
        var decision = ScalingPolicy.Decide(Parse(view), Defaults, Now);

        Assert.Equal((expected, rule), (Summarise(decision), decision.Reason.Rule));
    }

    [Fact]
    public void A_scale_out_onto_a_host_with_a_warm_vm_should_say_it_resumes_one()
    {
        var decision = ScalingPolicy.Decide(Parse("B[70] C(pool 1)[70 warm]"), Defaults, Now);

        Assert.Contains("resuming a warm VM on C", decision.Reason.Sentence);
    }

    [Theory]
    // Calm (average 17% ≤ 35%), within band, nothing booting: the short pool is refilled.
    [InlineData("B(pool 1)[20 20] C(pool 1)[10 warm]", false, "refill B")]
    // The host whose pool is shortest goes first.
    [InlineData("B(pool 1)[20] C(pool 2)[20]", false, "refill C")]
    // Pools full: nothing to do.
    [InlineData("B(pool 1)[20 warm] C(pool 1)[20 warm]", false, "none")]
    // A VM booting into a pool counts toward it: no second boot.
    [InlineData("B(pool 1)[20 warming] C[20]", false, "none")]
    // The load is above the middle of the band (average 36%): a boot would compete with serving.
    [InlineData("B(pool 1)[36] C(pool 1)[36]", false, "none")]
    // Just below the middle (average 34%) refills.
    [InlineData("B(pool 1)[34 34] C(pool 1)[34 34]", false, "refill B")]
    // Another command (a start, a stop, a drain or a refill) is in flight.
    [InlineData("B(pool 1)[20] C(pool 1)[20]", true, "none")]
    // A VM is booting, draining or stopping somewhere.
    [InlineData("B(pool 1)[20 boot] C[20]", false, "none")]
    [InlineData("B(pool 1)[20 drain:0] C[20 20]", false, "none")]
    [InlineData("B(pool 1)[20 stop] C[20 20]", false, "none")]
    // An unreachable or degraded host is not refilled.
    [InlineData("B(pool 1, unreachable)[20] C(pool 1)[20 warm]", false, "none")]
    [InlineData("B(pool 1, degraded)[20] C(pool 1)[20 warm]", false, "none")]
    public void The_refill_rule_should_boot_into_a_short_pool_only_when_nothing_competes_with_serving(
        string view, bool commandInFlight, string expected)
    {
        var cluster = Parse(view);
        var held = ScalingPolicy.Decide(cluster, Defaults, Now);

        var refill = held is ScalingDecision.NoAction
            ? ScalingPolicy.DecideRefill(cluster, Defaults, Now, held, commandInFlight)
            : null;

        Assert.Equal(expected, refill is null ? "none" : Summarise(refill));
        if (refill is not null) Assert.Equal(ScalingRules.WarmPoolRefill, refill.Reason.Rule);
    }

    [Theory]
    // Holds that do not trust the view, or that are waiting for something, never refill.
    [InlineData("B(pool 1, stale)[20] C(pool 1)[20]")]
    [InlineData("B(pool 1)[?] C(pool 1)[20]")]
    [InlineData("B(pool 1)[boot] C(pool 1)[boot]")]
    public void No_refill_should_follow_a_hold_on_an_untrusted_or_empty_view(string view)
    {
        var cluster = Parse(view);
        var held = ScalingPolicy.Decide(cluster, Defaults, Now);

        Assert.IsType<ScalingDecision.NoAction>(held);
        Assert.Null(ScalingPolicy.DecideRefill(cluster, Defaults, Now, held, commandInFlight: false));
    }
}
