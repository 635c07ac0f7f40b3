using Akka.Actor;
using Luban.Protocol;
using Luban.Protocol.Scaling;
using static Luban.Protocol.Hypervisor.HypervisorProtocol;
using static Luban.Protocol.Scaling.ScalingProtocol;

namespace Luban.Tests.Dashboard;

/// <summary>
/// Plays a host's HypervisorAgent towards the real ScaleSupervisor without libvirt: registers, reports its VMs on a
/// timer with a rising connection count, and boots a VM (Booting for a few reports, then InService) when told to.
/// </summary>
public sealed class FakeHostAgent : ReceiveActor, IWithTimers
{
    public static readonly TimeSpan ReportInterval = TimeSpan.FromMilliseconds(500);

    /// <summary>Reports a started VM stays Booting before it serves.</summary>
    private const int BootReports = 3;

    private sealed class SendReport
    {
        public static readonly SendReport Instance = new();
    }

    private sealed record FakeVm(VmId Id, VmState State, int ReportsSinceStart);

    private readonly HostId _host;
    private readonly IActorRef _supervisor;
    private readonly List<FakeVm> _vms;
    private int _reports;

    public FakeHostAgent(HostId host, IActorRef supervisor, IReadOnlyList<VmId> inService)
    {
        _host = host;
        _supervisor = supervisor;
        _vms = inService.Select(vm => new FakeVm(vm, VmState.InService, BootReports)).ToList();

        Receive<SendReport>(_ => Report());
        Receive<StartVm>(OnStart);
        Receive<StopVm>(OnStop);
        Receive<AgentRegistered>(_ => { });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(HostId host, IActorRef supervisor, params VmId[] inService) =>
        Akka.Actor.Props.Create(() => new FakeHostAgent(host, supervisor, inService));

    protected override void PreStart()
    {
        _supervisor.Tell(new RegisterAgent(_host, "127.0.0.1"));
        Timers.StartPeriodicTimer("report", SendReport.Instance, TimeSpan.Zero, ReportInterval);
    }

    private void OnStart(StartVm start)
    {
        var vm = new VmId($"luban-{_host.Value.ToLowerInvariant()}-{_vms.Count + 1}");
        _vms.Add(new FakeVm(vm, VmState.Booting, 0));
        Sender.Tell(new StartVmResult(_host, start.CommandId, vm, true, null));
    }

    private void OnStop(StopVm stop)
    {
        var index = _vms.FindIndex(v => v.Id == stop.Vm);
        if (index >= 0) _vms[index] = _vms[index] with { State = VmState.ShutOff };
        Sender.Tell(new StopVmResult(_host, stop.CommandId, stop.Vm, index >= 0, index >= 0 ? null : "unknown VM"));
    }

    private void Report()
    {
        _reports++;
        for (var i = 0; i < _vms.Count; i++)
        {
            var vm = _vms[i] with { ReportsSinceStart = _vms[i].ReportsSinceStart + 1 };
            _vms[i] = vm.State == VmState.Booting && vm.ReportsSinceStart >= BootReports ? vm with { State = VmState.InService } : vm;
        }

        // Load rises and levels off, shared by the VMs in service, each a little apart so the lines stay distinct.
        var serving = _vms.Where(v => v.State == VmState.InService).ToList();
        var total = Math.Min(20 + 3 * _reports, 110);
        var reports = _vms.Select(vm =>
        {
            var rank = serving.IndexOf(vm);
            int? connections = rank < 0 ? null : Math.Max(0, total / serving.Count + (rank % 2 == 0 ? 4 : -4));
            return new VmReport(vm.Id, vm.State, vm.State == VmState.ShutOff ? null : $"http://127.0.0.1:9/{vm.Id}",
                connections, vm.State == VmState.InService ? Context.System.Scheduler.Now : null);
        }).ToList();
        _supervisor.Tell(new HostReport(_host, 1, 3, reports, Context.System.Scheduler.Now));
    }
}
