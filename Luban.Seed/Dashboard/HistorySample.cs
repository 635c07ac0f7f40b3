using Luban.Protocol.Scaling;
using static Luban.Protocol.Scaling.ScalingProtocol;

namespace Luban.Seed.Dashboard;

/// <summary>One VM in a sample: its connections as the chart draws them (null when unknown or not running).</summary>
public sealed record VmPoint(string Host, string Vm, int? Connections);

/// <summary>
/// What the dashboard's chart draws for one instant: connections per VM and the VM counts. A gap (the supervisor did
/// not answer) has no VMs and null counts, so the chart shows a break rather than a misleading zero.
/// </summary>
public sealed record HistorySample(int? InService, int? Running, IReadOnlyList<VmPoint> Vms)
{
    /// <summary>The states of a VM that holds a place on its host (the chart's "VMs running"); a warm VM does not.</summary>
    private static readonly HashSet<string> RunningStates =
        [nameof(VmState.Booting), nameof(VmState.InService), nameof(VmState.Draining), nameof(VmState.Stopping)];

    public static HistorySample Gap { get; } = new(null, null, []);

    /// <summary>The sample of a supervisor status, counted as the live chart counts it: running VMs on reachable hosts
    /// only; a shut-off or failed VM, or one whose count is unknown, has no connections.</summary>
    public static HistorySample Of(SupervisorStatus status)
    {
        var inService = 0;
        var running = 0;
        var vms = new List<VmPoint>();
        foreach (var host in status.Hosts)
        {
            foreach (var vm in host.Vms)
            {
                if (vm.State == nameof(VmState.InService)) inService++;
                if (host.Reachable && RunningStates.Contains(vm.State)) running++;
                var live = vm.State is not (nameof(VmState.ShutOff) or nameof(VmState.Failed) or nameof(VmState.Warm));
                vms.Add(new VmPoint(host.Id, vm.Id, live ? vm.Connections : null));
            }
        }

        return new HistorySample(inService, running, vms);
    }
}
