using Luban.Actors.Hypervisor;
using Luban.Protocol;
using Luban.Protocol.Scaling;
using static Luban.Protocol.Hypervisor.HypervisorProtocol;

namespace Luban.Tests.Hypervisor;

/// <summary>
/// The warm pool in the agent's <see cref="HostPool{TReplyTo}"/>: a refill boots a VM and suspends it once it answers,
/// a scale-out resumes a warm VM before it boots one, a stop feeds a short pool, and suspended domains found at start
/// are adopted. Events in, effects out.
/// </summary>
public sealed class WarmPoolSpecs
{
    private static readonly HostId B = new("B");
    private static readonly VmId B1 = VmId.For(B, 1);
    private static readonly VmId B2 = VmId.For(B, 2);
    private static readonly VmId B3 = VmId.For(B, 3);
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly HypervisorResult<Done> Ok = new HypervisorResult<Done>.Ok(Done.Value);

    private static HypervisorSettings Settings(int warm = 1, int maxVms = 2) => new()
    {
        Uri = "test:///default",
        DomainType = DomainType.Test,
        MaxVms = maxVms,
        MinVms = 1,
        WarmPoolSize = warm,
        ImageDirectory = "/images/luban",
        ConsoleLogDirectory = null,
        ShutdownGrace = TimeSpan.FromSeconds(10),
        CommandTimeout = TimeSpan.FromSeconds(30),
    };

    private static GuestDomain Running(VmId vm) => new(vm.Value, new DomainStateInfo(DomainState.Running, (int)RunningReason.Booted));

    private static GuestDomain Suspended(VmId vm) => new(vm.Value, new DomainStateInfo(DomainState.Paused, (int)PausedReason.User));

    private static T Single<T>(IReadOnlyList<PoolEffect<string>> effects) => effects.OfType<T>().Single();

    private static HostPool<string> ListedPool(HypervisorSettings settings, params GuestDomain[] domains)
    {
        var pool = new HostPool<string>(B, settings, _ => true);
        var list = Single<PoolEffect<string>.ListDomains>(pool.OnStarted());
        pool.OnRegistered(T0);
        pool.OnListed(list.Sequence, new HypervisorResult<IReadOnlyList<GuestDomain>>.Ok(domains), T0);
        return pool;
    }

    private static VmReport? Vm(HostPool<string> pool, VmId vm) => pool.Report(T0).Vms.FirstOrDefault(v => v.Vm == vm);

    private static TReply ReplyOf<TReply>(IReadOnlyList<PoolEffect<string>> effects) =>
        (TReply)Single<PoolEffect<string>.Reply>(effects).Message;

    [Fact]
    public void A_refill_should_boot_a_vm_check_it_once_then_suspend_it_and_report_it_warm_without_an_endpoint()
    {
        var pool = ListedPool(Settings(), Running(B1));

        var define = Single<PoolEffect<string>.DefineAndStart>(pool.OnStartVm(new StartVm(B, "refill-1", ForWarmPool: true), "supervisor"));
        Assert.Equal(B2, define.Vm);
        Assert.Equal((VmState.Warm, false), (Vm(pool, B2)!.State, Vm(pool, B2)!.Suspended));
        Assert.True(ReplyOf<StartVmResult>(pool.OnStartFinished("refill-1", B2, Ok)).Succeeded);

        var check = pool.OnTick(T0).OfType<PoolEffect<string>.CheckGuest>().Single(c => c.Guest.Vm == B2);
        var suspending = pool.OnGuestChecked(B2, check.Generation, true, ProbeResult.Counted(0), T0);
        Assert.Equal(B2, Single<PoolEffect<string>.Suspend>(suspending).Vm);
        // The SSH session is kept for the first count after a resume.
        Assert.Empty(suspending.OfType<PoolEffect<string>.ForgetProbe>());
        Assert.DoesNotContain(pool.OnTick(T0), e => e is PoolEffect<string>.CheckGuest { Guest.Vm: var vm } && vm == B2);

        pool.OnSuspended(B2, Ok);
        var report = pool.Report(T0);
        var warm = report.Vms.Single(v => v.Vm == B2);
        Assert.Equal((VmState.Warm, true, null, null), (warm.State, warm.Suspended, warm.Endpoint, warm.Connections));
        Assert.Equal(1, report.WarmPoolSize);
        Assert.Equal(2, report.MaxVms);
    }

    public static TheoryData<int, string[], string> RefillRefusals => new()
    {
        { 0, [], "keeps no warm pool (luban.hypervisor.warm-pool-size = 0)" },
        { 1, ["luban-b-2"], "warm pool is full (1 of 1)" },
    };

    [Theory]
    [MemberData(nameof(RefillRefusals))]
    public void A_refill_should_be_refused_when_the_pool_is_off_or_full(int size, string[] suspended, string reason)
    {
        var pool = ListedPool(Settings(size), [Running(B1), .. suspended.Select(name => Suspended(new VmId(name)))]);

        var effects = pool.OnStartVm(new StartVm(B, "refill-1", ForWarmPool: true), "supervisor");

        var reply = ReplyOf<StartVmResult>(effects);
        Assert.False(reply.Succeeded);
        Assert.Contains(reason, reply.Error);
        Assert.Empty(effects.OfType<PoolEffect<string>.DefineAndStart>());
    }

    [Fact]
    public void A_scale_out_should_resume_a_warm_vm_check_it_at_once_and_report_it_as_soon_as_it_answers()
    {
        var pool = ListedPool(Settings(), Running(B1), Suspended(B2));

        var starting = pool.OnStartVm(new StartVm(B, "start-1"), "supervisor");
        Assert.Equal(B2, Single<PoolEffect<string>.Resume>(starting).Vm);
        Assert.Empty(starting.OfType<PoolEffect<string>.DefineAndStart>());
        Assert.Equal(VmState.Booting, Vm(pool, B2)!.State);

        var resumed = pool.OnResumed("start-1", B2, Ok);
        var reply = ReplyOf<StartVmResult>(resumed);
        Assert.Equal((true, B2, true), (reply.Succeeded, reply.Vm, reply.Resumed));
        var check = Single<PoolEffect<string>.CheckGuest>(resumed);
        Assert.Equal(B2, check.Guest.Vm);

        var answered = pool.OnGuestChecked(B2, check.Generation, true, ProbeResult.Counted(0), T0);
        var sent = Single<PoolEffect<string>.SendReport>(answered).Report.Vms.Single(v => v.Vm == B2);
        Assert.Equal((VmState.InService, 0), (sent.State, sent.Connections));
        Assert.NotNull(sent.Endpoint);
    }

    [Fact]
    public void A_scale_out_without_a_warm_vm_should_boot_one_and_a_refill_in_boot_should_serve_instead()
    {
        var pool = ListedPool(Settings(), Running(B1));
        pool.OnStartVm(new StartVm(B, "refill-1", ForWarmPool: true), "supervisor");
        pool.OnStartFinished("refill-1", B2, Ok);

        var taken = pool.OnStartVm(new StartVm(B, "start-1"), "supervisor");

        var reply = ReplyOf<StartVmResult>(taken);
        Assert.Equal((true, B2, false), (reply.Succeeded, reply.Vm, reply.Resumed));
        Assert.Empty(taken.OfType<PoolEffect<string>.DefineAndStart>());
        Assert.Equal(VmState.Booting, Vm(pool, B2)!.State);
    }

    [Fact]
    public void The_per_host_maximum_should_count_running_vms_only()
    {
        // Two running (max-vms 2) and one warm: the warm VM does not take a place, and resuming it would exceed the max.
        var full = ListedPool(Settings(), Running(B1), Running(B2), Suspended(B3));
        var refused = ReplyOf<StartVmResult>(full.OnStartVm(new StartVm(B, "start-1"), "supervisor"));
        Assert.False(refused.Succeeded);
        Assert.Contains("already runs 2 VM(s) (luban-b-1, luban-b-2), its max-vms of 2", refused.Error);

        // One running and one warm: the warm one is resumed, within the max.
        var room = ListedPool(Settings(), Running(B1), Suspended(B3));
        Assert.Equal(B3, Single<PoolEffect<string>.Resume>(room.OnStartVm(new StartVm(B, "start-1"), "supervisor")).Vm);
    }

    [Fact]
    public void A_failed_resume_should_fail_the_start_and_power_the_vm_off()
    {
        var pool = ListedPool(Settings(), Running(B1), Suspended(B2));
        pool.OnStartVm(new StartVm(B, "start-1"), "supervisor");

        var effects = pool.OnResumed("start-1", B2, new HypervisorError("resume luban-b-2", "domain is not paused"));

        var reply = ReplyOf<StartVmResult>(effects);
        Assert.False(reply.Succeeded);
        Assert.Contains("could not resume luban-b-2", reply.Error);
        Assert.Equal(B2, Single<PoolEffect<string>.Destroy>(effects).Vm);
    }

    [Theory]
    [InlineData(1, false, "suspend")]
    [InlineData(1, true, "shutdown")]
    [InlineData(0, false, "shutdown")]
    public void A_stop_should_feed_a_short_pool_and_shut_down_otherwise(int size, bool poolAlreadyFull, string expected)
    {
        var domains = new List<GuestDomain> { Running(B1), Running(B2) };
        if (poolAlreadyFull) domains.Add(Suspended(B3));
        var pool = ListedPool(Settings(size), [.. domains]);

        var effects = pool.OnStopVm(new StopVm(B, B2, "stop-1"), "supervisor");

        Assert.Equal(expected, effects.Any(e => e is PoolEffect<string>.Suspend) ? "suspend"
            : effects.Any(e => e is PoolEffect<string>.Shutdown) ? "shutdown" : "nothing");
        if (expected != "suspend") return;
        var reply = ReplyOf<StopVmResult>(pool.OnSuspended(B2, Ok));
        Assert.Equal((true, true), (reply.Succeeded, reply.Suspended));
        Assert.Equal((VmState.Warm, true), (Vm(pool, B2)!.State, Vm(pool, B2)!.Suspended));
    }

    [Fact]
    public void A_stop_whose_suspend_fails_should_shut_the_vm_down_instead()
    {
        var pool = ListedPool(Settings(), Running(B1), Running(B2));
        pool.OnStopVm(new StopVm(B, B2, "stop-1"), "supervisor");

        var effects = pool.OnSuspended(B2, new HypervisorError("suspend luban-b-2", "qemu refused"));

        Assert.Equal(B2, Single<PoolEffect<string>.Shutdown>(effects).Vm);
        Assert.Empty(effects.OfType<PoolEffect<string>.Reply>());
        var list = Single<PoolEffect<string>.ListDomains>(pool.OnTick(T0));
        var done = pool.OnListed(list.Sequence, new HypervisorResult<IReadOnlyList<GuestDomain>>.Ok(
            [Running(B1), new GuestDomain(B2.Value, new DomainStateInfo(DomainState.ShutOff, (int)ShutOffReason.Shutdown))]), T0);
        var reply = ReplyOf<StopVmResult>(done);
        Assert.Equal((true, false), (reply.Succeeded, reply.Suspended));
    }

    [Fact]
    public void A_refill_that_never_answers_should_be_powered_off_after_its_deadline()
    {
        var pool = ListedPool(Settings(), Running(B1));
        pool.OnStartVm(new StartVm(B, "refill-1", ForWarmPool: true), "supervisor");
        var started = pool.OnStartFinished("refill-1", B2, Ok);
        var deadline = started.OfType<PoolEffect<string>.StartTimer>().Single(t => t.Timer is PoolTimer.PoolBootTimedOut);
        Assert.Equal(TimeSpan.FromSeconds(30) * HostPool.PoolBootTimeouts, deadline.After);

        var effects = pool.OnTimer(deadline.Timer);

        Assert.Equal(B2, Single<PoolEffect<string>.Destroy>(effects).Vm);
        Assert.Equal(VmState.Stopping, Vm(pool, B2)!.State);
    }

    [Fact]
    public void Suspended_vms_beyond_the_pool_size_should_be_powered_off_when_found()
    {
        var pool = new HostPool<string>(B, Settings(warm: 1, maxVms: 3), _ => true);
        var list = Single<PoolEffect<string>.ListDomains>(pool.OnStarted());

        var effects = pool.OnListed(list.Sequence, new HypervisorResult<IReadOnlyList<GuestDomain>>.Ok(
            [Running(B1), Suspended(B2), Suspended(B3)]), T0);

        Assert.Equal(B3, Single<PoolEffect<string>.Destroy>(effects).Vm);
        Assert.Equal((VmState.Warm, true), (Vm(pool, B2)!.State, Vm(pool, B2)!.Suspended));
        Assert.Equal(VmState.Stopping, Vm(pool, B3)!.State);
    }
}
