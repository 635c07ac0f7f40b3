using System.Globalization;
using Luban.Actors.Hypervisor;
using Luban.Protocol;
using Luban.Protocol.Scaling;
using static Luban.Protocol.Hypervisor.HypervisorProtocol;

namespace Luban.Tests.Hypervisor;

/// <summary>
/// The agent's pool without Akka: events in, effects out. Reply handles are plain strings here; the agent's actor
/// specs (<see cref="HypervisorAgentSpecs"/>) check the same behaviour through the mailbox.
/// </summary>
public sealed class HostPoolSpecs
{
    private static readonly HostId B = new("B");
    private static readonly VmId B1 = VmId.For(B, 1);
    private static readonly VmId B2 = VmId.For(B, 2);
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    private static readonly HypervisorSettings Settings = new()
    {
        Uri = "test:///default",
        DomainType = DomainType.Test,
        MaxVms = 2,
        MinVms = 1,
        ImageDirectory = "/images/luban",
        ConsoleLogDirectory = null,
        ReportInterval = TimeSpan.FromSeconds(1),
        ShutdownGrace = TimeSpan.FromSeconds(10),
        CommandTimeout = TimeSpan.FromSeconds(30),
        // The specs of the cold path: no warm pool (WarmPoolSpecs has its own).
        WarmPoolSize = 0,
    };

    private static readonly HypervisorResult<Done> Ok = new HypervisorResult<Done>.Ok(Done.Value);

    private static GuestDomain Domain(VmId vm, DomainState state) => new(vm.Value, new DomainStateInfo(state, 1));

    private static HypervisorResult<IReadOnlyList<GuestDomain>> Listing(params GuestDomain[] domains) =>
        new HypervisorResult<IReadOnlyList<GuestDomain>>.Ok(domains);

    private static T Single<T>(IReadOnlyList<PoolEffect<string>> effects) => effects.OfType<T>().Single();

    /// <summary>A registered pool that has listed its (empty or given) domains once.</summary>
    private static HostPool<string> ListedPool(Func<int, bool>? portIsFree = null, params GuestDomain[] domains) =>
        ListedPool(Settings, portIsFree, domains);

    private static HostPool<string> ListedPool(HypervisorSettings settings, Func<int, bool>? portIsFree = null, params GuestDomain[] domains)
    {
        var pool = new HostPool<string>(B, settings, portIsFree ?? (_ => true));
        var list = Single<PoolEffect<string>.ListDomains>(pool.OnStarted());
        pool.OnRegistered(T0);
        pool.OnListed(list.Sequence, Listing(domains), T0);
        return pool;
    }

    private static VmReport? Vm(HostPool<string> pool, VmId vm) => pool.Report(T0).Vms.FirstOrDefault(v => v.Vm == vm);

    /// <summary>Starts the next VM and lets the hypervisor answer; returns the reply.</summary>
    private static StartVmResult Start(HostPool<string> pool, string commandId)
    {
        var effects = pool.OnStartVm(new StartVm(B, commandId), "supervisor");
        if (effects.OfType<PoolEffect<string>.DefineAndStart>().SingleOrDefault() is not { } define)
            return (StartVmResult)Single<PoolEffect<string>.Reply>(effects).Message;
        return (StartVmResult)Single<PoolEffect<string>.Reply>(pool.OnStartFinished(commandId, define.Vm, Ok)).Message;
    }

    [Fact]
    public void Pool_should_not_report_before_it_has_listed_and_been_registered()
    {
        var pool = new HostPool<string>(B, Settings, _ => true);
        var list = Single<PoolEffect<string>.ListDomains>(pool.OnStarted());

        Assert.Empty(pool.OnTick(T0).OfType<PoolEffect<string>.SendReport>());
        Assert.Empty(pool.OnRegistered(T0).OfType<PoolEffect<string>.SendReport>());
        // The first listing after registration reports at once; later ticks report every time.
        Assert.Single(pool.OnListed(list.Sequence, Listing(Domain(B1, DomainState.Running)), T0).OfType<PoolEffect<string>.SendReport>());
        Assert.Single(pool.OnTick(T0).OfType<PoolEffect<string>.SendReport>());
    }

    [Fact]
    public void Pool_should_list_one_at_a_time()
    {
        var pool = new HostPool<string>(B, Settings, _ => true);
        pool.OnStarted();

        Assert.Empty(pool.OnTick(T0).OfType<PoolEffect<string>.ListDomains>());
    }

    public static TheoryData<string, Func<int, bool>, string> Refusals => new()
    {
        { "C", _ => true, "this is the agent of host B, not C" },
        { "B", port => port != 20101, "host port(s) 20101 for luban-b-1 are in use by another process" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public void Start_should_be_refused_with_its_reason_and_touch_nothing(string host, Func<int, bool> portIsFree, string reason)
    {
        var pool = ListedPool(portIsFree);

        var effects = pool.OnStartVm(new StartVm(new HostId(host), "start-1"), "supervisor");

        var reply = (StartVmResult)Single<PoolEffect<string>.Reply>(effects).Message;
        Assert.False(reply.Succeeded);
        Assert.Contains(reason, reply.Error);
        Assert.Empty(effects.OfType<PoolEffect<string>.DefineAndStart>());
        Assert.Null(Vm(pool, B1));
    }

    [Fact]
    public void Start_should_take_the_first_free_slot_and_refuse_beyond_max_vms()
    {
        var pool = ListedPool();

        var first = Start(pool, "start-1");
        var second = Start(pool, "start-2");
        var third = Start(pool, "start-3");

        Assert.Equal((true, B1), (first.Succeeded, first.Vm));
        Assert.Equal((true, B2), (second.Succeeded, second.Vm));
        Assert.False(third.Succeeded);
        Assert.Contains("already runs 2 VM(s) (luban-b-1, luban-b-2), its max-vms of 2", third.Error);
    }

    [Fact]
    public void Start_should_set_a_timeout_that_answers_for_a_hypervisor_that_never_does()
    {
        var pool = ListedPool();
        var effects = pool.OnStartVm(new StartVm(B, "start-1"), "supervisor");
        var timer = Single<PoolEffect<string>.StartTimer>(effects);

        var timedOut = pool.OnTimer(timer.Timer);
        var late = pool.OnStartFinished("start-1", B1, Ok);

        Assert.Equal(Settings.CommandTimeout, timer.After);
        var reply = (StartVmResult)Single<PoolEffect<string>.Reply>(timedOut).Message;
        Assert.Equal((false, "supervisor"), (reply.Succeeded, Single<PoolEffect<string>.Reply>(timedOut).To));
        Assert.Empty(late.OfType<PoolEffect<string>.Reply>());
    }

    public static TheoryData<bool, int?, int, VmState> HealthChecks => new()
    {
        // healthy?, connections, consecutive failed checks after being in service, reported state
        { true, 42, 0, VmState.InService },
        { true, null, 0, VmState.InService },
        { false, null, 1, VmState.InService },
        { false, null, HostPool.UnhealthyAfterFailedChecks - 1, VmState.InService },
        { false, null, HostPool.UnhealthyAfterFailedChecks, VmState.Failed },
    };

    [Theory]
    [MemberData(nameof(HealthChecks))]
    public void Health_checks_should_put_a_vm_in_service_and_take_it_out_after_repeated_failures(
        bool healthy, int? connections, int failures, VmState expected)
    {
        var pool = ListedPool();
        Start(pool, "start-1");
        var check = Single<PoolEffect<string>.CheckGuest>(pool.OnTick(T0));
        Assert.Equal(VmState.Booting, Vm(pool, B1)!.State);
        Assert.Empty(pool.OnTick(T0).OfType<PoolEffect<string>.CheckGuest>());

        pool.OnGuestChecked(B1, check.Generation, healthy || failures > 0,
            connections is { } c ? ProbeResult.Counted(c) : ProbeResult.Unknown("ssh down"), T0.AddSeconds(1));
        for (var i = 0; i < failures; i++)
        {
            check = Single<PoolEffect<string>.CheckGuest>(pool.OnTick(T0.AddSeconds(2 + i)));
            pool.OnGuestChecked(B1, check.Generation, false, null, T0.AddSeconds(2 + i));
        }

        var report = Vm(pool, B1)!;
        Assert.Equal(expected, report.State);
        Assert.Equal(expected == VmState.InService && failures == 0 ? connections : null, report.Connections);
    }

    // Counted 40 at +1 s, then probes that fail (the guest healthy, SSH late): the count stands for
    // count-valid-for (10 s by default) after it was taken, then is unknown; a new count replaces it at once.
    [Theory]
    [InlineData(10, "5:-,9:-", "40,40")]
    [InlineData(10, "5:-,11:-,12:33", "40,-,33")]
    [InlineData(10, "3:-,6:35,15:-,17:-", "40,35,35,-")]
    [InlineData(0, "2:-,3:41", "-,41")]
    public void A_failed_probe_should_keep_a_recent_count_and_no_older_one(int validForSeconds, string probes, string reported)
    {
        var pool = ListedPool(Settings with { CountValidFor = TimeSpan.FromSeconds(validForSeconds) });
        Start(pool, "start-1");
        var check = Single<PoolEffect<string>.CheckGuest>(pool.OnTick(T0));
        pool.OnGuestChecked(B1, check.Generation, true, ProbeResult.Counted(40), T0.AddSeconds(1));

        var seen = new List<string>();
        foreach (var step in probes.Split(','))
        {
            var (at, count) = (T0.AddSeconds(1 + int.Parse(step.Split(':')[0], CultureInfo.InvariantCulture)), step.Split(':')[1]);
            check = Single<PoolEffect<string>.CheckGuest>(pool.OnTick(at));
            pool.OnGuestChecked(B1, check.Generation, true,
                count == "-" ? ProbeResult.Unknown("ssh late") : ProbeResult.Counted(int.Parse(count, CultureInfo.InvariantCulture)), at);
            seen.Add(Vm(pool, B1)!.Connections?.ToString(CultureInfo.InvariantCulture) ?? "-");
        }

        Assert.Equal(reported, string.Join(',', seen));
    }

    [Fact]
    public void A_check_started_before_a_restart_should_be_dropped()
    {
        var pool = ListedPool(domains: Domain(B1, DomainState.Running));
        var check = Single<PoolEffect<string>.CheckGuest>(pool.OnTick(T0));
        pool.OnStopVm(new StopVm(B, B1, "stop-1"), "supervisor");

        pool.OnGuestChecked(B1, check.Generation, true, ProbeResult.Counted(5), T0);

        Assert.Equal(VmState.Stopping, Vm(pool, B1)!.State);
    }

    [Fact]
    public void Stop_should_ask_acpi_then_destroy_after_the_grace_and_answer_every_waiter_once()
    {
        var pool = ListedPool(domains: Domain(B1, DomainState.Running));

        var stopping = pool.OnStopVm(new StopVm(B, B1, "stop-1"), "supervisor");
        var again = pool.OnStopVm(new StopVm(B, B1, "stop-2"), "operator");
        var grace = Single<PoolEffect<string>.StartTimer>(stopping);
        var destroying = pool.OnTimer(grace.Timer);
        var destroyed = pool.OnDestroyFinished(B1, Ok);

        Assert.Equal(B1, Single<PoolEffect<string>.Shutdown>(stopping).Vm);
        Assert.Equal(B1, Single<PoolEffect<string>.ForgetProbe>(stopping).Vm);
        Assert.Equal(Settings.ShutdownGrace, grace.After);
        Assert.Empty(again);
        Assert.Equal(B1, Single<PoolEffect<string>.Destroy>(destroying).Vm);
        var replies = destroyed.OfType<PoolEffect<string>.Reply>().ToList();
        Assert.Equal(["supervisor", "operator"], replies.Select(r => r.To));
        Assert.All(replies, r => Assert.True(((StopVmResult)r.Message).Succeeded));
        Assert.Equal(VmState.ShutOff, Vm(pool, B1)!.State);
    }

    [Fact]
    public void Stop_should_finish_when_a_listing_shows_the_vm_off()
    {
        var pool = ListedPool(domains: Domain(B1, DomainState.Running));
        pool.OnStopVm(new StopVm(B, B1, "stop-1"), "supervisor");
        var list = Single<PoolEffect<string>.ListDomains>(pool.OnTick(T0));

        var effects = pool.OnListed(list.Sequence, Listing(Domain(B1, DomainState.ShutOff)), T0);

        Assert.True(((StopVmResult)Single<PoolEffect<string>.Reply>(effects).Message).Succeeded);
        Assert.Contains(effects, e => e is PoolEffect<string>.CancelTimer { Key: "grace:luban-b-1" });
    }

    public static TheoryData<string, string> StopRefusals => new()
    {
        { "luban-b-2", "unknown VM luban-b-2: not a defined domain of host B's pool" },
        { "luban-c-1", "unknown VM luban-c-1" },
    };

    [Theory]
    [MemberData(nameof(StopRefusals))]
    public void Stop_of_a_vm_the_pool_does_not_have_should_be_refused(string vm, string reason)
    {
        var pool = ListedPool(domains: Domain(B1, DomainState.Running));

        var reply = (StopVmResult)Single<PoolEffect<string>.Reply>(pool.OnStopVm(new StopVm(B, new VmId(vm), "stop-1"), "x")).Message;

        Assert.False(reply.Succeeded);
        Assert.Contains(reason, reply.Error);
    }

    [Fact]
    public void A_vm_that_goes_down_unasked_should_be_reported_failed_and_its_slot_reused()
    {
        var pool = ListedPool(domains: Domain(B1, DomainState.Running));
        var list = Single<PoolEffect<string>.ListDomains>(pool.OnTick(T0));

        var effects = pool.OnListed(list.Sequence, Listing(Domain(B1, DomainState.ShutOff)), T0);

        Assert.Equal(VmState.Failed, Vm(pool, B1)!.State);
        Assert.Equal(B1, Single<PoolEffect<string>.ForgetProbe>(effects).Vm);
        var again = Start(pool, "start-1");
        Assert.Equal((true, B1), (again.Succeeded, again.Vm));
    }

    [Fact]
    public void A_listing_issued_before_our_own_start_should_not_undo_it()
    {
        var pool = ListedPool();
        var stale = Single<PoolEffect<string>.ListDomains>(pool.OnTick(T0));
        Start(pool, "start-1");

        pool.OnListed(stale.Sequence, Listing(), T0);

        Assert.Equal(VmState.Booting, Vm(pool, B1)!.State);
    }

    public static TheoryData<DomainState, int, VmState> AdoptedStates => new()
    {
        { DomainState.Running, (int)RunningReason.Booted, VmState.Booting },
        { DomainState.ShutOff, (int)ShutOffReason.Shutdown, VmState.ShutOff },
        { DomainState.Crashed, 0, VmState.Failed },
        // Suspended by us, but this host keeps no warm pool (size 0 here): powered off.
        { DomainState.Paused, (int)PausedReason.User, VmState.Stopping },
        { DomainState.Paused, (int)PausedReason.IoError, VmState.Failed },
        { DomainState.ShuttingDown, 1, VmState.Stopping },
    };

    [Theory]
    [MemberData(nameof(AdoptedStates))]
    public void Domains_found_at_start_should_be_adopted_with_their_state(DomainState found, int reason, VmState reported)
    {
        var pool = ListedPool(domains: [new GuestDomain(B1.Value, new DomainStateInfo(found, reason)),
            new GuestDomain("luban-b-x", new DomainStateInfo(DomainState.Running, 1))]);

        var report = pool.Report(T0);

        Assert.Equal(reported, Assert.Single(report.Vms).State);
    }

    [Fact]
    public void A_failed_listing_should_be_said_once_and_keep_the_last_view()
    {
        var pool = ListedPool(domains: Domain(B1, DomainState.Running));
        HypervisorResult<IReadOnlyList<GuestDomain>> down = new HypervisorError("list domains", "libvirtd is gone");

        var first = pool.OnListed(Single<PoolEffect<string>.ListDomains>(pool.OnTick(T0)).Sequence, down, T0);
        var second = pool.OnListed(Single<PoolEffect<string>.ListDomains>(pool.OnTick(T0)).Sequence, down, T0);

        Assert.Single(first.OfType<PoolEffect<string>.Note>());
        Assert.Empty(second.OfType<PoolEffect<string>.Note>());
        Assert.Equal(VmState.Booting, Vm(pool, B1)!.State);
    }
}
