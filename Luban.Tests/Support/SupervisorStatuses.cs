using static Luban.Protocol.Scaling.ScalingProtocol;

namespace Luban.Tests.Support;

/// <summary>Supervisor status documents for specs of what reads them (the dashboard's history, the metrics).</summary>
public static class SupervisorStatuses
{
    /// <summary>The paper's policy as the supervisor shows it.</summary>
    public static PolicyStatus Policy { get; } =
        new(100, 0.6, 0.1, 2, 6, 1, 3, ["B", "C"], 5, 30, 60, 15, 30, 30, false, []);

    public static SupervisorStatus Of(params HostStatus[] hosts) => new(hosts, Policy, null, []);

    public static HostStatus Host(string id, bool reachable, params VmStatus[] vms) =>
        new(id, reachable, DateTimeOffset.UnixEpoch, 1, 3, false, vms);

    public static VmStatus Vm(string id, string state, int? connections) =>
        new(id, state, connections, connections / 100.0, $"http://127.0.0.1:9/{id}");
}
