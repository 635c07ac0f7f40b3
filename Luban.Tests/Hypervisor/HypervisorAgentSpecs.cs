using Akka.Actor;
using Akka.Configuration;
using Akka.TestKit;
using Luban.Actors.Cluster;
using Luban.Actors.Hypervisor;
using Luban.Protocol;
using Luban.Protocol.Scaling;
using Luban.Tests.Support;
using Xunit.Abstractions;
using static Luban.Protocol.Hypervisor.HypervisorProtocol;
using static Luban.Protocol.Scaling.ScalingProtocol;

namespace Luban.Tests.Hypervisor;

/// <summary>
/// The agent with a fake hypervisor and fake probes; the test scheduler decides when a report interval, a shutdown
/// grace or a command timeout passes. Every wire message is serialized on the way (serialize-messages = on).
/// </summary>
public sealed class HypervisorAgentSpecs : Akka.TestKit.Xunit2.TestKit
{
    private static readonly HostId B = new("B");
    private static readonly VmId B1 = VmId.For(B, 1);
    private static readonly VmId B2 = VmId.For(B, 2);
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    private readonly FakeHypervisor _hypervisor = new();
    private readonly FakeGuestProbes _probes = new();
    private readonly TestProbe _supervisor;
    private readonly TestProbe _commander;
    private IActorRef? _agent;

    public HypervisorAgentSpecs(ITestOutputHelper output) : base(Config(), output: output)
    {
        _supervisor = CreateTestProbe("supervisor");
        _commander = CreateTestProbe("commander");
    }

    private TestScheduler Clock => (TestScheduler)Sys.Scheduler;

    private static Config Config() => ConfigurationFactory.ParseString("""
        akka.actor.provider = local
        akka.scheduler.implementation = "Akka.TestKit.TestScheduler, Akka.TestKit"
        """).WithFallback(LubanHocon.Load(Repo.HoconDirectory, ClusterRoles.Agent, TestCluster.TestOverrides));

    private static HypervisorSettings Settings(int maxVms = 3) => new()
    {
        // The cold path's specs; the warm pool's are in WarmPoolSpecs.
        WarmPoolSize = 0,
        Uri = "test:///default",
        DomainType = DomainType.Test,
        MaxVms = maxVms,
        MinVms = 1,
        ImageDirectory = "/images/luban",
        ConsoleLogDirectory = null,
        ReportInterval = Interval,
        ShutdownGrace = TimeSpan.FromSeconds(10),
        CommandTimeout = TimeSpan.FromSeconds(30),
    };

    private IActorRef Agent(HypervisorSettings? settings = null, Func<int, bool>? portIsFree = null) => _agent =
        Sys.ActorOf(HypervisorAgent.Props(B, settings ?? Settings(), _supervisor.Ref,
            () => new HypervisorAgentDependencies(_hypervisor, _probes, _probes, portIsFree ?? (_ => true))));

    private async Task<IActorRef> RegisteredAgentAsync(HypervisorSettings? settings = null, Func<int, bool>? portIsFree = null)
    {
        var agent = Agent(settings, portIsFree);
        await _supervisor.ExpectMsgAsync<RegisterAgent>();
        _supervisor.Reply(new AgentRegistered(B));
        await _supervisor.ExpectMsgAsync<HostReport>();
        return agent;
    }

    /// <summary>
    /// Returns once the agent has handled everything sent to it so far, timer ticks included: a stop of a VM it never
    /// had is answered at once from the same mailbox, so whatever an earlier message made it send is already queued
    /// (the fakes answer synchronously, so their results are queued too). "Nothing was sent" is then a look at the
    /// probe's queue, not a wait on the wall clock.
    /// </summary>
    private async Task SettledAsync()
    {
        var barrier = CreateTestProbe();
        _agent!.Tell(new StopVm(B, VmId.For(B, 9), "settle"), barrier.Ref);
        await barrier.ExpectMsgAsync<StopVmResult>(r => r.CommandId == "settle");
    }

    private static void AssertNothingSent(TestProbe probe, string what)
    {
        if (probe.HasMessages) Assert.Fail($"{what}, but {probe.ReceiveOne(TimeSpan.Zero)} was sent");
    }

    /// <summary>Advances one report interval at a time until a report matches; the results of the probes each tick
    /// started land in between.</summary>
    private async Task<HostReport> ReportWhereAsync(Func<HostReport, bool> matches, int intervals = 20)
    {
        HostReport? last = null;
        for (var i = 0; i < intervals; i++)
        {
            Clock.Advance(Interval);
            last = await _supervisor.FishForMessageAsync<HostReport>(_ => true);
            if (matches(last)) return last;
            await SettledAsync();
        }

        throw new Xunit.Sdk.XunitException($"no matching report within {intervals} intervals; last: {Describe(last)}");
    }

    private static string Describe(HostReport? report) =>
        report is null ? "none" : string.Join("; ", report.Vms.Select(v => $"{v.Vm} {v.State} {v.Connections?.ToString() ?? "?"}"));

    private static VmReport? Vm(HostReport report, VmId vm) => report.Vms.FirstOrDefault(v => v.Vm == vm);

    private async Task<StartVmResult> StartAsync(IActorRef agent, string commandId)
    {
        agent.Tell(new StartVm(B, commandId), _commander.Ref);
        return await _commander.ExpectMsgAsync<StartVmResult>();
    }

    private async Task BringIntoServiceAsync(IActorRef agent, VmId vm, string commandId, int connections)
    {
        Assert.True((await StartAsync(agent, commandId)).Succeeded);
        _probes.Healthy[vm] = true;
        _probes.Counts[vm] = ProbeResult.Counted(connections);
        await ReportWhereAsync(r => Vm(r, vm) is { State: VmState.InService, Connections: not null });
    }

    [Fact]
    public async Task Agent_should_retry_registration_every_interval_until_acknowledged_then_report()
    {
        Agent();
        await _supervisor.ExpectMsgAsync<RegisterAgent>(r => r.Host == B);

        Clock.Advance(Interval);
        await _supervisor.ExpectMsgAsync<RegisterAgent>();
        Clock.Advance(Interval);
        await _supervisor.ExpectMsgAsync<RegisterAgent>();
        _supervisor.Reply(new AgentRegistered(B));

        var first = await _supervisor.ExpectMsgAsync<HostReport>();
        Clock.Advance(Interval);
        var second = await _supervisor.ExpectMsgAsync<HostReport>();
        Clock.Advance(Interval);
        await _supervisor.ExpectMsgAsync<HostReport>();

        Assert.Equal((B, 1, 3), (first.Host, first.MinVms, first.MaxVms));
        Assert.Empty(second.Vms);
        Assert.Equal(Clock.Now - Interval, second.At);
    }

    [Fact]
    public async Task Agent_should_report_booting_then_in_service_with_endpoint_connections_and_since()
    {
        var agent = await RegisteredAgentAsync();

        var started = await StartAsync(agent, "start-1");
        var booting = await ReportWhereAsync(r => Vm(r, B1) is not null);

        Assert.Equal((true, B1), (started.Succeeded, started.Vm));
        Assert.Equal(new VmReport(B1, VmState.Booting, "http://127.0.0.1:20100", null, null), Vm(booting, B1));

        _probes.Healthy[B1] = true;
        _probes.Counts[B1] = ProbeResult.Counted(42);
        var healthyAt = Clock.Now;
        var serving = await ReportWhereAsync(r => Vm(r, B1)?.State == VmState.InService);
        Assert.Equal(42, Vm(serving, B1)!.Connections);
        Assert.Equal("http://127.0.0.1:20100", Vm(serving, B1)!.Endpoint);
        Assert.NotNull(Vm(serving, B1)!.InServiceSince);
        Assert.True(Vm(serving, B1)!.InServiceSince >= healthyAt);

        // A probe that fails is "unknown", never 0.
        _probes.Counts[B1] = ProbeResult.Unknown("ssh: connection refused");
        var unknown = await ReportWhereAsync(r => Vm(r, B1)!.Connections is null);
        Assert.Equal(VmState.InService, Vm(unknown, B1)!.State);
    }

    [Fact]
    public async Task Agent_should_define_the_domain_from_the_template()
    {
        var agent = await RegisteredAgentAsync();

        await StartAsync(agent, "start-1");

        var spec = _hypervisor.Specs[B1.Value];
        Assert.Equal((DomainType.Test, 256, 1), (spec.Type, spec.MemoryMiB, spec.VirtualCpus));
        Assert.Equal(("/images/luban/vmlinux", "/images/luban/initrd.img"), (spec.KernelPath, spec.InitrdPath));
        Assert.Equal([new PortForward(20100, 8080), new PortForward(20101, 22)], spec.PortForwards);
        Assert.Contains("luban.instance=luban-b-1", spec.KernelCommandLine);
        Assert.DoesNotContain("luban.db", spec.KernelCommandLine);
    }

    [Fact]
    public async Task Agent_should_give_each_start_its_own_vm_answer_only_when_the_hypervisor_has_and_refuse_beyond_max()
    {
        var agent = await RegisteredAgentAsync(Settings(maxVms: 2));
        _hypervisor.HoldStarts = true;

        agent.Tell(new StartVm(B, "start-1"), _commander.Ref);
        agent.Tell(new StartVm(B, "start-2"), _commander.Ref);
        agent.Tell(new StartVm(B, "start-3"), _commander.Ref);

        var refused = await _commander.ExpectMsgAsync<StartVmResult>();
        Assert.Equal(("start-3", false), (refused.CommandId, refused.Succeeded));
        Assert.Contains("max-vms of 2", refused.Error);
        Assert.Equal(["start luban-b-1", "start luban-b-2"], _hypervisor.Calls);
        // The refusal of the third was handled after the first two: their answers would be queued before it.
        AssertNothingSent(_commander, "the held starts were not finished");

        _hypervisor.CompleteStart(B2.Value);
        var second = await _commander.ExpectMsgAsync<StartVmResult>();
        _hypervisor.CompleteStart(B1.Value);
        var first = await _commander.ExpectMsgAsync<StartVmResult>();

        Assert.Equal(("start-2", B2, true), (second.CommandId, second.Vm, second.Succeeded));
        Assert.Equal(("start-1", B1, true), (first.CommandId, first.Vm, first.Succeeded));
        var report = await ReportWhereAsync(r => r.Vms.Count == 2);
        Assert.All(report.Vms, v => Assert.Equal(VmState.Booting, v.State));
    }

    [Fact]
    public async Task Agent_should_answer_a_start_the_hypervisor_refuses_with_its_reason_and_keep_the_slot_free()
    {
        var agent = await RegisteredAgentAsync();
        _hypervisor.StartError = "internal error: process exited while connecting to monitor";

        var failed = await StartAsync(agent, "start-1");

        Assert.False(failed.Succeeded);
        Assert.Contains("process exited while connecting to monitor", failed.Error);
        var report = await ReportWhereAsync(_ => true);
        Assert.Null(Vm(report, B1));

        _hypervisor.StartError = null;
        var retried = await StartAsync(agent, "start-2");
        Assert.Equal((true, B1), (retried.Succeeded, retried.Vm));
    }

    [Fact]
    public async Task Agent_should_refuse_a_start_whose_host_ports_are_taken()
    {
        var agent = await RegisteredAgentAsync(portIsFree: port => port != 20101);

        var refused = await StartAsync(agent, "start-1");

        Assert.False(refused.Succeeded);
        Assert.Contains("20101", refused.Error);
        Assert.Empty(_hypervisor.Calls);
    }

    [Fact]
    public async Task Agent_should_fail_a_start_the_hypervisor_does_not_finish_within_the_command_timeout()
    {
        var agent = await RegisteredAgentAsync();
        _hypervisor.HoldStarts = true;
        agent.Tell(new StartVm(B, "start-1"), _commander.Ref);
        await AwaitConditionAsync(() => Task.FromResult(_hypervisor.Calls.Contains("start luban-b-1")));

        Clock.Advance(TimeSpan.FromSeconds(29));
        await SettledAsync();
        AssertNothingSent(_commander, "29 s of a 30 s command timeout passed");
        Clock.Advance(TimeSpan.FromSeconds(1));
        var timedOut = await _commander.ExpectMsgAsync<StartVmResult>();

        Assert.Equal(("start-1", false), (timedOut.CommandId, timedOut.Succeeded));
        Assert.Contains("within 30 s", timedOut.Error);

        // The late success is not answered twice; the listings show the VM as it really is.
        _hypervisor.CompleteStart(B1.Value);
        await SettledAsync();
        AssertNothingSent(_commander, "the start had already been answered as timed out");
        await ReportWhereAsync(r => Vm(r, B1)?.State == VmState.Booting);
    }

    [Fact]
    public async Task Agent_should_report_a_vm_that_dies_as_failed_and_reuse_its_slot()
    {
        var agent = await RegisteredAgentAsync();
        await BringIntoServiceAsync(agent, B1, "start-1", 12);

        _hypervisor.Set(B1.Value, new DomainStateInfo(DomainState.ShutOff, (int)ShutOffReason.Crashed));
        var failed = await ReportWhereAsync(r => Vm(r, B1)?.State != VmState.InService);

        Assert.Equal(new VmReport(B1, VmState.Failed, null, null, null), Vm(failed, B1));
        Assert.Contains(B1, _probes.Forgotten);

        var restarted = await StartAsync(agent, "start-2");
        Assert.Equal((true, B1), (restarted.Succeeded, restarted.Vm));
        await ReportWhereAsync(r => Vm(r, B1)?.State == VmState.InService);
    }

    [Fact]
    public async Task Agent_should_report_an_in_service_vm_failing_its_health_checks_as_failed()
    {
        var agent = await RegisteredAgentAsync();
        await BringIntoServiceAsync(agent, B1, "start-1", 3);

        _probes.Healthy[B1] = false;
        var failed = await ReportWhereAsync(r => Vm(r, B1)?.State != VmState.InService);

        Assert.Equal(VmState.Failed, Vm(failed, B1)!.State);
        _probes.Healthy[B1] = true;
        await ReportWhereAsync(r => Vm(r, B1)?.State == VmState.InService);
    }

    [Fact]
    public async Task Agent_should_keep_a_busy_vm_in_service_when_its_health_check_is_late_but_ssh_counts_it()
    {
        var agent = await RegisteredAgentAsync();
        await BringIntoServiceAsync(agent, B1, "start-1", 3);

        // Saturated: /healthz answers after the timeout, the SSH count still works and shows the load.
        _probes.Healthy[B1] = false;
        _probes.Late[B1] = true;
        _probes.Counts[B1] = ProbeResult.Counted(85);
        var busy = await ReportWhereAsync(r => Vm(r, B1)?.Connections == 85);
        for (var i = 0; i < 2 * HostPool.UnhealthyAfterFailedChecks; i++)
            busy = await ReportWhereAsync(_ => true, intervals: 1);

        Assert.Equal((VmState.InService, 85), (Vm(busy, B1)!.State, Vm(busy, B1)!.Connections));

        // Late and not even countable over SSH: that is a failing guest.
        _probes.Counts[B1] = ProbeResult.Unknown("ssh timed out");
        var failed = await ReportWhereAsync(r => Vm(r, B1)?.State != VmState.InService);
        Assert.Equal(VmState.Failed, Vm(failed, B1)!.State);
    }

    [Fact]
    public async Task Agent_should_not_put_a_booting_vm_in_service_on_a_late_health_check()
    {
        var agent = await RegisteredAgentAsync();
        Assert.True((await StartAsync(agent, "start-1")).Succeeded);
        _probes.Late[B1] = true;
        _probes.Counts[B1] = ProbeResult.Counted(0);

        HostReport report = null!;
        for (var i = 0; i < 5; i++)
            report = await ReportWhereAsync(_ => true, intervals: 1);
        Assert.Equal(VmState.Booting, Vm(report, B1)!.State);

        _probes.Healthy[B1] = true;
        await ReportWhereAsync(r => Vm(r, B1)?.State == VmState.InService);
    }

    [Fact]
    public async Task Agent_should_not_report_before_it_has_listed_the_pool_once()
    {
        // A fresh agent (e.g. rejoining a restarted seed) on a host whose VM is already running, libvirt slow to answer.
        _hypervisor.Set(B1.Value, FakeHypervisor.Running);
        _hypervisor.ListError = "timed out";
        Agent();
        await _supervisor.ExpectMsgAsync<RegisterAgent>();
        _supervisor.Reply(new AgentRegistered(B));
        for (var i = 0; i < 3; i++)
        {
            Clock.Advance(Interval);
            // Twice: the tick's failed listing arrives as a message of its own, after the first barrier.
            await SettledAsync();
            await SettledAsync();
            AssertNothingSent(_supervisor, "the pool has never been listed");
        }

        // Its first report shows the running VM: never "no VMs", which would make the supervisor start another.
        _hypervisor.ListError = null;
        var first = await ReportWhereAsync(_ => true, intervals: 1);
        Assert.Equal(VmState.Booting, Vm(first, B1)?.State);
    }

    [Fact]
    public async Task Agent_should_fill_its_warm_pool_resume_the_warm_vm_at_a_start_and_adopt_a_suspended_vm_after_a_restart()
    {
        var settings = Settings(maxVms: 2) with { WarmPoolSize = 1 };
        var agent = await RegisteredAgentAsync(settings);
        await BringIntoServiceAsync(agent, B1, "start-1", 3);

        // A refill boots B2, checks it once and suspends it.
        agent.Tell(new StartVm(B, "refill-1", ForWarmPool: true), _commander.Ref);
        Assert.Equal(B2, (await _commander.ExpectMsgAsync<StartVmResult>()).Vm);
        _probes.Healthy[B2] = true;
        _probes.Counts[B2] = ProbeResult.Counted(0);
        var warm = await ReportWhereAsync(r => Vm(r, B2) is { State: VmState.Warm, Suspended: true });
        Assert.Contains("suspend luban-b-2", _hypervisor.Calls);
        Assert.Equal((null, 1), (Vm(warm, B2)!.Endpoint, warm.WarmPoolSize));

        // A new agent (the old one stopped) finds B2 suspended and reports it warm, as it adopts running VMs.
        await Task.Yield();
        Sys.Stop(agent);
        await AwaitConditionAsync(() => Task.FromResult(_hypervisor.Disposed));
        var adopted = Agent(settings);
        await _supervisor.FishForMessageAsync<RegisterAgent>(_ => true);
        _supervisor.Reply(new AgentRegistered(B));
        var found = await ReportWhereAsync(r => Vm(r, B2) is not null && Vm(r, B1) is { State: VmState.InService });
        Assert.Equal((VmState.Warm, true), (Vm(found, B2)!.State, Vm(found, B2)!.Suspended));

        // A start resumes it rather than booting.
        var started = await StartAsync(adopted, "start-2");
        Assert.Equal((true, B2, true), (started.Succeeded, started.Vm, started.Resumed));
        Assert.Contains("resume luban-b-2", _hypervisor.Calls);
        Assert.DoesNotContain("start luban-b-2", _hypervisor.Calls.Skip(_hypervisor.Calls.ToList().IndexOf("suspend luban-b-2")));
        await ReportWhereAsync(r => Vm(r, B2) is { State: VmState.InService, Endpoint: not null });
    }

    [Fact]
    public async Task Agent_should_stop_with_acpi_and_answer_once_libvirt_shows_it_shut_off()
    {
        var agent = await RegisteredAgentAsync();
        await BringIntoServiceAsync(agent, B1, "start-1", 0);

        agent.Tell(new StopVm(B, B1, "stop-1"), _commander.Ref);
        await AwaitConditionAsync(() => Task.FromResult(_hypervisor.Calls.Contains("shutdown luban-b-1")));
        Clock.Advance(Interval);
        var stopped = await _commander.ExpectMsgAsync<StopVmResult>();

        Assert.Equal(("stop-1", B1, true), (stopped.CommandId, stopped.Vm, stopped.Succeeded));
        Assert.DoesNotContain("destroy luban-b-1", _hypervisor.Calls);
        // (Reports sent before the stop, e.g. the one at its entry into service, may still be queued.)
        var report = await ReportWhereAsync(r => Vm(r, B1)?.State is not (VmState.Stopping or VmState.InService));
        Assert.Equal(new VmReport(B1, VmState.ShutOff, null, null, null), Vm(report, B1));
    }

    [Fact]
    public async Task Agent_should_destroy_a_vm_that_ignores_acpi_after_the_grace_period()
    {
        var agent = await RegisteredAgentAsync();
        await BringIntoServiceAsync(agent, B1, "start-1", 0);
        _hypervisor.AcpiPowersOff = false;

        agent.Tell(new StopVm(B, B1, "stop-1"), _commander.Ref);
        await AwaitConditionAsync(() => Task.FromResult(_hypervisor.Calls.Contains("shutdown luban-b-1")));
        var stopping = await ReportWhereAsync(r => Vm(r, B1)?.State == VmState.Stopping);
        Assert.Null(Vm(stopping, B1)!.Connections);
        Clock.Advance(TimeSpan.FromSeconds(7));
        await SettledAsync();
        AssertNothingSent(_commander, "the shutdown grace had not passed");
        Assert.DoesNotContain("destroy luban-b-1", _hypervisor.Calls);

        Clock.Advance(TimeSpan.FromSeconds(2));
        var stopped = await _commander.ExpectMsgAsync<StopVmResult>();

        Assert.Equal(("stop-1", true), (stopped.CommandId, stopped.Succeeded));
        Assert.Equal(["start luban-b-1", "shutdown luban-b-1", "destroy luban-b-1"], _hypervisor.Calls);
        Assert.Equal(DomainState.ShutOff, _hypervisor.StateOf(B1.Value)!.Value.State);
    }

    [Fact]
    public async Task Agent_should_refuse_to_stop_a_vm_it_does_not_have()
    {
        var agent = await RegisteredAgentAsync();

        agent.Tell(new StopVm(B, B2, "stop-1"), _commander.Ref);
        agent.Tell(new StopVm(B, new VmId("luban-c-1"), "stop-2"), _commander.Ref);

        var unknown = await _commander.ExpectMsgAsync<StopVmResult>();
        var foreign = await _commander.ExpectMsgAsync<StopVmResult>();
        Assert.Equal((false, B2), (unknown.Succeeded, unknown.Vm));
        Assert.Contains("unknown VM luban-b-2", unknown.Error);
        Assert.False(foreign.Succeeded);
        Assert.Empty(_hypervisor.Calls);
    }

    [Fact]
    public async Task Agent_should_report_domains_it_finds_at_start_with_their_state()
    {
        _hypervisor.Set(B1.Value, FakeHypervisor.Running);
        _hypervisor.Set(B2.Value, FakeHypervisor.Off(ShutOffReason.Shutdown));
        _hypervisor.Set("luban-c-1", FakeHypervisor.Running);
        _hypervisor.Set("luban-b-x", FakeHypervisor.Running);
        _probes.Healthy[B1] = true;
        _probes.Counts[B1] = ProbeResult.Counted(5);

        await RegisteredAgentAsync();
        var report = await ReportWhereAsync(r => Vm(r, B1)?.State == VmState.InService);

        Assert.Equal([B1, B2], report.Vms.Select(v => v.Vm));
        Assert.Equal(new VmReport(B2, VmState.ShutOff, null, null, null), Vm(report, B2));
        Assert.Equal(5, Vm(report, B1)!.Connections);
    }

    [Fact]
    public void Agent_should_dispose_what_it_talks_to_when_it_stops()
    {
        var agent = Agent();
        Watch(agent);

        Sys.Stop(agent);
        ExpectTerminated(agent);

        Assert.True(_hypervisor.Disposed);
    }
}
