using Luban.Actors.Scaling;
using Luban.Protocol;
using Luban.Protocol.Scaling;
using static Luban.Protocol.Hypervisor.HypervisorProtocol;
using static Luban.Tests.Scaling.LedgerSpecSupport;

namespace Luban.Tests.Scaling;

/// <summary>
/// The warm pool in the supervisor's ledger: a calm tick sends one refill, the refill is settled when its VM reports
/// suspended, a resume and a suspension are events of their own, and a warm VM is never in the rotation.
/// </summary>
public sealed class WarmPoolLedgerSpecs
{
    private static VmReport Serving(HostId host, int index, int connections) =>
        LedgerSpecSupport.Serving(host, index, connections, T0 - TimeSpan.FromMinutes(5));

    private static VmReport Warm(HostId host, int index, bool suspended = true) =>
        new(VmId.For(host, index), VmState.Warm, null, null, null, suspended);

    private static IReadOnlyList<SupervisorEffect> Report(SupervisorLedger ledger, HostId host, DateTimeOffset at, params VmReport[] vms) =>
        ledger.OnReport(new HostReport(host, 1, 3, vms, at, WarmPoolSize: 1), AgentOf(host), AddressOf(host), at);

    private static SupervisorLedger Registered()
    {
        var ledger = new SupervisorLedger(Settings, T0 - TimeSpan.FromMinutes(10));
        foreach (var host in new[] { B, C }) ledger.OnRegister(host, AgentOf(host), AddressOf(host), T0);
        return ledger;
    }


    [Fact]
    public void A_calm_tick_should_refill_one_pool_at_a_time_until_its_vm_is_suspended()
    {
        var ledger = Registered();
        Report(ledger, B, T0, Serving(B, 1, 5));
        Report(ledger, C, T0, Serving(C, 1, 5), Warm(C, 2));

        var tick = ledger.OnTick(T0);
        var refill = Assert.Single(tick.OfType<SupervisorEffect.SendStart>());
        Assert.Equal((B, true), (refill.Host, refill.Command.ForWarmPool));
        Assert.Contains($"{ScaleEventKinds.Refill} {ScalingRules.WarmPoolRefill}", Kinds(tick));

        ledger.OnStartResult(new StartVmResult(B, refill.Command.CommandId, VmId.For(B, 2), true, null), T0);
        Report(ledger, B, T0 + TimeSpan.FromSeconds(1), Serving(B, 1, 5), Warm(B, 2, suspended: false));
        Assert.Empty(ledger.OnTick(T0 + TimeSpan.FromSeconds(5)).OfType<SupervisorEffect.SendStart>());

        var ready = Report(ledger, B, T0 + TimeSpan.FromSeconds(6), Serving(B, 1, 5), Warm(B, 2));
        Assert.Equal([$"{ScaleEventKinds.Warm} {ScalingRules.WarmPoolReady}"], Kinds(ready));
        Assert.Empty(ledger.OnTick(T0 + TimeSpan.FromSeconds(10)).OfType<SupervisorEffect.SendStart>());
        Assert.DoesNotContain(ledger.Status().Hosts.SelectMany(h => h.Vms), vm => vm.State == nameof(VmState.Warm) && vm.Endpoint is not null && !vm.Suspended);
    }

    [Fact]
    public void A_scale_out_answered_by_a_resume_should_say_so_and_count_the_vm_as_booting_until_it_reports()
    {
        var ledger = Registered();
        Report(ledger, B, T0, Serving(B, 1, 70), Warm(B, 2));
        Report(ledger, C, T0, Serving(C, 1, 70), Serving(C, 2, 70));

        var start = Assert.Single(ledger.OnTick(T0).OfType<SupervisorEffect.SendStart>());
        Assert.Equal((B, false), (start.Host, start.Command.ForWarmPool));
        var resumed = ledger.OnStartResult(new StartVmResult(B, start.Command.CommandId, VmId.For(B, 2), true, null, Resumed: true), T0);
        Assert.Equal([$"{ScaleEventKinds.Started} {ScalingRules.StartResumed}"], Kinds(resumed));

        // A report sent before the resume still shows it warm: it counts as booting, so no second start.
        Report(ledger, B, T0 + TimeSpan.FromSeconds(1), Serving(B, 1, 70), Warm(B, 2));
        Assert.Equal(nameof(VmState.Booting), ledger.Status().Hosts.Single(h => h.Id == "B").Vms.Single(v => v.Id == "luban-b-2").State);
        Assert.Empty(ledger.OnTick(T0 + TimeSpan.FromSeconds(5)).OfType<SupervisorEffect.SendStart>());
    }

    [Fact]
    public void A_stop_that_suspended_the_vm_should_settle_the_drain_and_say_the_vm_is_warm()
    {
        var ledger = Registered();
        Report(ledger, B, T0, Serving(B, 1, 2), Serving(B, 2, 0));
        Report(ledger, C, T0, Serving(C, 1, 2), Warm(C, 2));
        var drained = ledger.OnTick(T0);
        var stop = Assert.Single(drained.OfType<SupervisorEffect.SendStop>());
        Assert.Equal(VmId.For(B, 2), stop.Command.Vm);

        var result = ledger.OnStopResult(new StopVmResult(B, stop.Command.CommandId, VmId.For(B, 2), true, null, Suspended: true), T0);
        Report(ledger, B, T0 + TimeSpan.FromSeconds(1), Serving(B, 1, 2), Warm(B, 2));

        Assert.Equal([$"{ScaleEventKinds.Warm} {ScalingRules.StopSuspended}"], Kinds(result));
        var b2 = ledger.Status().Hosts.Single(h => h.Id == "B").Vms.Single(v => v.Id == "luban-b-2");
        Assert.Equal((nameof(VmState.Warm), true), (b2.State, b2.Suspended));
        Assert.Equal(1, ledger.Status().Hosts.Single(h => h.Id == "B").WarmPoolSize);
    }
}
