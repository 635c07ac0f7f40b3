using System.Collections.Immutable;
using System.Reflection;
using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Configuration;
using Akka.TestKit;
using Luban.Actors.Cluster;
using Luban.Actors.Scaling;
using Luban.Protocol;
using Luban.Protocol.Scaling;
using Luban.Tests.Support;
using Xunit.Abstractions;
using static Luban.Protocol.Hypervisor.HypervisorProtocol;
using static Luban.Protocol.Scaling.ScalingProtocol;

namespace Luban.Tests.Scaling;

/// <summary>
/// The supervisor with TestKit probes as agents and the test scheduler for time: the paper's Figure 15, saturation,
/// and a lost agent. Every message is serialized on the way (serialize-messages = on).
/// </summary>
public sealed class ScaleSupervisorSpecs : Akka.TestKit.Xunit2.TestKit
{
    private static readonly HostId B = new("B");
    private static readonly HostId C = new("C");
    private static readonly TimeSpan Tick = TimeSpan.FromSeconds(5);

    private readonly TestProbe _agentB;
    private readonly TestProbe _agentC;
    private readonly TestProbe _mediator;
    private readonly IActorRef _supervisor;
    private readonly Dictionary<VmId, (HostId Host, VmState State, int Connections, DateTimeOffset? Since)> _vms = new();

    public ScaleSupervisorSpecs(ITestOutputHelper output) : base(Config(), output: output)
    {
        _agentB = CreateTestProbe("agent-b");
        _agentC = CreateTestProbe("agent-c");
        _mediator = CreateTestProbe("mediator");
        var settings = new SupervisorSettings
        {
            Policy = new ScalingSettings { TickInterval = Tick, ScaleOutCooldown = TimeSpan.FromSeconds(30), ScaleInCooldown = TimeSpan.FromSeconds(60) },
            DrainDeadline = TimeSpan.FromSeconds(30),
        };
        _supervisor = Sys.ActorOf(ScaleSupervisor.Props(settings, _mediator.Ref), "supervisor");
    }

    private TestScheduler Clock => (TestScheduler)Sys.Scheduler;

    private static Config Config() => ConfigurationFactory.ParseString("""
        akka.actor.provider = local
        akka.scheduler.implementation = "Akka.TestKit.TestScheduler, Akka.TestKit"
        """).WithFallback(LubanHocon.Load(Repo.HoconDirectory, ClusterRoles.Seed, TestCluster.TestOverrides));

    [Fact]
    public async Task New_supervisor_should_decide_once_the_first_reports_are_in_not_a_whole_tick_later()
    {
        // As after a failover: the agents register and report at once.
        await OneVmPerHostAsync(connections: 40);
        _agentB.Send(_supervisor, ReportOf(B));
        _agentC.Send(_supervisor, ReportOf(C));
        Assert.Null((await SettledAsync()).LastDecision);

        Clock.Advance(ScaleSupervisor.FirstTickAfter);
        var status = await SettledAsync();

        Assert.NotNull(status.LastDecision);
        Assert.Equal(ScaleEventKinds.Hold, status.LastDecision!.Kind);
        Assert.True(ScaleSupervisor.FirstTickAfter < Tick);
    }

    [Fact]
    public async Task Supervisor_should_reproduce_figure_15_scale_out_on_B_then_stop_the_new_VM()
    {
        await OneVmPerHostAsync(connections: 40);

        // Minutes 0-5: load below T_upper, nothing happens.
        await RunTicksAsync(3);
        AssertNothingSent(_agentB);

        // Minute 5: both VMs above 60 connections: a VM is started on host B, the preferred host on a tie.
        SetVm(B, "luban-b-1", VmState.InService, 75);
        SetVm(C, "luban-c-1", VmState.InService, 72);
        await RunTicksAsync(1);
        var start = await _agentB.ExpectMsgAsync<StartVm>();
        Assert.Equal(B, start.Host);
        AssertNothingSent(_agentC);
        _agentB.Reply(new StartVmResult(B, start.CommandId, new VmId("luban-b-2"), true, null));

        // While it boots, still-overloaded ticks start nothing more.
        SetVm(B, "luban-b-2", VmState.Booting, 0);
        await RunTicksAsync(3);
        AssertNothingSent(_agentB);
        AssertNothingSent(_agentC);

        // The three VMs carry balanced load.
        SetVm(B, "luban-b-2", VmState.InService, 50, Clock.Now);
        SetVm(B, "luban-b-1", VmState.InService, 50);
        SetVm(C, "luban-c-1", VmState.InService, 50);
        await RunTicksAsync(20);
        AssertNothingSent(_agentB);
        var backends = LastPublished<BackendsChanged>(Topics.Backends);
        Assert.Equal(["luban-b-1", "luban-b-2", "luban-c-1"], backends.Backends.Select(b => b.Vm.Value));

        // Minute 15: load falls; the new VM is at 10 or fewer connections: it is drained, then stopped.
        SetVm(B, "luban-b-1", VmState.InService, 30);
        SetVm(C, "luban-c-1", VmState.InService, 30);
        SetVm(B, "luban-b-2", VmState.InService, 8);
        await RunTicksAsync(1);
        var drained = LastPublished<BackendsChanged>(Topics.Backends);
        Assert.Equal(["luban-b-1", "luban-c-1"], drained.Backends.Select(b => b.Vm.Value));

        // Its last connections close: the drain completes and the agent is told to stop it.
        SetVm(B, "luban-b-2", VmState.InService, 0);
        await RunTicksAsync(1);
        var stop = await _agentB.ExpectMsgAsync<StopVm>();
        Assert.Equal(new VmId("luban-b-2"), stop.Vm);
        _agentB.Reply(new StopVmResult(B, stop.CommandId, stop.Vm, true, null));
        SetVm(B, "luban-b-2", VmState.ShutOff, 0);

        // VM1 and VM2 stay: each host keeps its minimum of one.
        SetVm(B, "luban-b-1", VmState.InService, 2);
        SetVm(C, "luban-c-1", VmState.InService, 2);
        await RunTicksAsync(30);
        AssertNothingSent(_agentB);
        AssertNothingSent(_agentC);

        var status = await _supervisor.Ask<SupervisorStatus>(GetSupervisorStatus.Instance, TimeSpan.FromSeconds(3));
        Assert.Contains(status.Events, e => e.Kind == ScaleEventKinds.Start && e.Rule == ScalingRules.ScaleOutAllAboveUpper && e.Host == B);
        Assert.Contains(status.Events, e => e.Kind == ScaleEventKinds.Drain && e.Vm == new VmId("luban-b-2"));
        Assert.Contains(status.Events, e => e.Kind == ScaleEventKinds.Stop && e.Rule == ScalingRules.DrainComplete);
    }

    [Fact]
    public async Task Supervisor_should_stop_a_draining_VM_when_its_deadline_passes()
    {
        await RegisterAsync(_agentB, B);
        await RegisterAsync(_agentC, C);
        SetVm(B, "luban-b-1", VmState.InService, 30, Clock.Now - TimeSpan.FromMinutes(10));
        SetVm(B, "luban-b-2", VmState.InService, 5, Clock.Now - TimeSpan.FromMinutes(10));
        SetVm(C, "luban-c-1", VmState.InService, 30, Clock.Now - TimeSpan.FromMinutes(10));
        await RunTicksAsync(1);
        Assert.DoesNotContain(LastPublished<BackendsChanged>(Topics.Backends).Backends, b => b.Vm.Value == "luban-b-2");

        // Connections never reach 0; after the 30 s deadline the stop goes out anyway.
        await RunTicksAsync(5);
        AssertNothingSent(_agentB);
        await RunTicksAsync(2);
        var stop = await _agentB.ExpectMsgAsync<StopVm>();
        Assert.Equal("luban-b-2", stop.Vm.Value);
    }

    [Fact]
    public async Task Supervisor_at_six_VMs_should_warn_and_never_start_a_seventh()
    {
        await RegisterAsync(_agentB, B);
        await RegisterAsync(_agentC, C);
        foreach (var host in new[] { B, C })
        {
            for (var n = 1; n <= 3; n++) SetVm(host, $"luban-{host.Value.ToLowerInvariant()}-{n}", VmState.InService, 90);
        }

        await RunTicksAsync(4);

        AssertNothingSent(_agentB);
        AssertNothingSent(_agentC);
        var status = await _supervisor.Ask<SupervisorStatus>(GetSupervisorStatus.Instance, TimeSpan.FromSeconds(3));
        Assert.Contains(status.Events, e => e.Kind == ScaleEventKinds.Warn && e.Rule == ScalingRules.AtCapacity);
        Assert.Equal(ScaleEventKinds.Warn, status.LastDecision!.Kind);
    }

    [Fact]
    public async Task Supervisor_should_drop_a_lost_agents_VMs_and_start_on_the_other_host_when_load_demands()
    {
        var agentD = CreateTestProbe("agent-d");
        await OneVmPerHostAsync(connections: 50);
        await RunTicksAsync(1);
        Assert.Equal(2, LastPublished<BackendsChanged>(Topics.Backends).Backends.Count);

        // Host B's agent dies: its VM leaves the rotation at once, and the loss is an event.
        _live.Remove(B);
        Sys.Stop(_agentB.Ref);
        await AwaitAssertAsync(() =>
        {
            var backends = LastPublished<BackendsChanged>(Topics.Backends).Backends;
            Assert.Equal(["luban-c-1"], backends.Select(b => b.Vm.Value));
        }, TimeSpan.FromSeconds(3));
        foreach (var vm in _vms.Where(v => v.Value.Host == B).Select(v => v.Key).ToList()) _vms.Remove(vm);

        // The survivor is overloaded: the only reachable host gets the new VM.
        SetVm(C, "luban-c-1", VmState.InService, 95);
        await RunTicksAsync(1);
        var start = await _agentC.ExpectMsgAsync<StartVm>();
        Assert.Equal(C, start.Host);
        AssertNothingSent(agentD);

        var status = await _supervisor.Ask<SupervisorStatus>(GetSupervisorStatus.Instance, TimeSpan.FromSeconds(3));
        Assert.Contains(status.Events, e => e.Kind == ScaleEventKinds.HostLost && e.Host == B);
        Assert.False(status.Hosts.Single(h => h.Id == "B").Reachable);
    }

    [Fact]
    public async Task Supervisor_should_keep_the_VMs_in_rotation_when_every_agent_is_unreachable()
    {
        await OneVmPerHostAsync(connections: 50);
        await RunTicksAsync(1);
        Assert.Equal(2, LastPublished<BackendsChanged>(Topics.Backends).Backends.Count);

        // Both probes live at this test system's address, so one UnreachableMember makes every agent unreachable: what
        // a seed starved of CPU sees. Emptying the rotation would fail every request; the VMs stay.
        _supervisor.Tell(new Akka.Cluster.ClusterEvent.UnreachableMember(MemberAt(_agentB.Ref.Path.Address)));

        await AwaitAssertAsync(async () =>
        {
            var status = await _supervisor.Ask<SupervisorStatus>(GetSupervisorStatus.Instance, TimeSpan.FromSeconds(3));
            Assert.All(status.Hosts, h => Assert.False(h.Reachable));
            Assert.Contains(status.Events, e => e.Kind == ScaleEventKinds.RotationKept && e.Rule == ScalingRules.AllAgentsUnreachable);
        }, TimeSpan.FromSeconds(3));
        Assert.Equal(["luban-b-1", "luban-c-1"],
            LastPublished<BackendsChanged>(Topics.Backends).Backends.Select(b => b.Vm.Value));
    }

    [Fact]
    public async Task Supervisor_should_hold_when_a_report_is_stale_and_say_so()
    {
        await OneVmPerHostAsync(connections: 90);
        await RunTicksAsync(1);
        // Only host B keeps reporting; C's report ages past report-stale-after (15 s).
        _live.Remove(C);
        await RunTicksAsync(4);

        await _agentB.ExpectMsgAsync<StartVm>(); // the first tick still had fresh reports from both
        var status = await _supervisor.Ask<SupervisorStatus>(GetSupervisorStatus.Instance, TimeSpan.FromSeconds(3));
        Assert.Equal(ScalingRules.StaleReport, status.LastDecision!.Rule);
        Assert.Contains("Host C", status.LastDecision.Reason);
    }

    /// <summary>A cluster member at an address; Akka keeps the factory internal, so it is reached by reflection.</summary>
    private static Akka.Cluster.Member MemberAt(Address address)
    {
        var create = typeof(Akka.Cluster.Member).GetMethods(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic)
            .First(m => m.Name == "Create" && m.GetParameters() is [{ ParameterType: var first }, ..] && first == typeof(Akka.Cluster.UniqueAddress));
        var arguments = create.GetParameters().Select(p => p.ParameterType switch
        {
            var t when t == typeof(Akka.Cluster.UniqueAddress) => new Akka.Cluster.UniqueAddress(address, 1),
            var t when t == typeof(ImmutableHashSet<string>) => ImmutableHashSet.Create(ClusterRoles.Agent),
            var t when t == typeof(Akka.Util.AppVersion) => Akka.Util.AppVersion.Zero,
            { IsValueType: true } t => Activator.CreateInstance(t),
            _ => null,
        }).ToArray();
        return (Akka.Cluster.Member)create.Invoke(null, arguments)!;
    }

    /// <summary>Both agents registered, each host running one in-service VM at the given connections.</summary>
    private async Task OneVmPerHostAsync(int connections)
    {
        await RegisterAsync(_agentB, B);
        await RegisterAsync(_agentC, C);
        SetVm(B, "luban-b-1", VmState.InService, connections);
        SetVm(C, "luban-c-1", VmState.InService, connections);
    }

    private async Task RegisterAsync(TestProbe agent, HostId host)
    {
        agent.Send(_supervisor, new RegisterAgent(host, "127.0.0.1"));
        await agent.ExpectMsgAsync(new AgentRegistered(host));
    }

    private void SetVm(HostId host, string vm, VmState state, int connections, DateTimeOffset? inServiceSince = null)
    {
        var id = new VmId(vm);
        var since = inServiceSince ?? (_vms.TryGetValue(id, out var old) && old.Since is { } s
            ? s
            : Clock.Now - TimeSpan.FromMinutes(30));
        _vms[id] = (host, state, connections, state == VmState.InService ? since : null);
    }

    private HostReport ReportOf(HostId host) => new(host, 1, 3,
        _vms.Where(v => v.Value.Host == host)
            .Select(v => new VmReport(v.Key, v.Value.State, $"http://127.0.0.1:{9000 + v.Key.Value.GetHashCode() % 500}",
                v.Value.Connections, v.Value.Since))
            .ToList(), Clock.Now);

    /// <summary>
    /// Each tick: a fresh report from every live agent, then the clock moves one tick interval. The supervisor reads
    /// the clock when it handles a message, so the test waits for it to catch up before moving the clock again.
    /// </summary>
    private async Task RunTicksAsync(int ticks)
    {
        for (var i = 0; i < ticks; i++)
        {
            if (_live.Contains(B)) _agentB.Send(_supervisor, ReportOf(B));
            if (_live.Contains(C)) _agentC.Send(_supervisor, ReportOf(C));
            await SettledAsync();
            Clock.Advance(Tick);
            await SettledAsync();
        }
    }

    private Task<SupervisorStatus> SettledAsync() => _supervisor.Ask<SupervisorStatus>(GetSupervisorStatus.Instance, TimeSpan.FromSeconds(3));

    /// <summary>
    /// Call after <see cref="RunTicksAsync"/> (or another answered ask): the supervisor sends its commands while it
    /// handles a message, so whatever it sent before its answer is already queued at the probe. No wall-clock wait.
    /// </summary>
    private static void AssertNothingSent(TestProbe agent)
    {
        if (agent.HasMessages) Assert.Fail($"{agent.Ref.Path.Name} was sent {agent.ReceiveOne(TimeSpan.Zero)}");
    }

    private T LastPublished<T>(string topic)
    {
        T? last = default;
        while (_mediator.HasMessages)
        {
            if (_mediator.ReceiveOne(TimeSpan.Zero) is Publish p && p.Topic == topic && p.Message is T m) last = m;
        }

        _lastPublished[typeof(T)] = last is null && _lastPublished.TryGetValue(typeof(T), out var kept) ? kept : last;
        return (T)(_lastPublished[typeof(T)] ?? throw new Xunit.Sdk.XunitException($"nothing published on {topic}"));
    }

    private readonly Dictionary<Type, object?> _lastPublished = new();
    private readonly HashSet<HostId> _live = [B, C];
}
