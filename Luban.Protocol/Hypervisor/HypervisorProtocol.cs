using Luban.Protocol.Scaling;

namespace Luban.Protocol.Hypervisor;

/// <summary>Messages between a host's HypervisorAgent and the ScaleSupervisor.</summary>
public static class HypervisorProtocol
{
    /// <summary>One VM of a host's pool as its agent sees it.</summary>
    /// <param name="Endpoint">Base URL of the VM's web service as reachable from the front door; null before it has one.</param>
    /// <param name="Connections">Established connections on the service port from the SSH probe; null when unknown.</param>
    public sealed record VmReport(
        VmId Vm,
        VmState State,
        string? Endpoint,
        int? Connections,
        DateTimeOffset? InServiceSince) : ILubanWireMessage;

    /// <summary>Sent by every agent at its report interval: its capacity and every defined VM.</summary>
    public sealed record HostReport(
        HostId Host,
        int MinVms,
        int MaxVms,
        IReadOnlyList<VmReport> Vms,
        DateTimeOffset At,
        string ForwardAddress = "127.0.0.1") : ILubanWireMessage;

    /// <summary>Boot one more VM of the host's pool.</summary>
    public sealed record StartVm(HostId Host, string CommandId) : ILubanWireMessage;

    public sealed record StartVmResult(HostId Host, string CommandId, VmId? Vm, bool Succeeded, string? Error)
        : ILubanWireMessage;

    /// <summary>Stop a VM: ACPI shutdown, destroyed after the agent's grace period.</summary>
    public sealed record StopVm(HostId Host, VmId Vm, string CommandId) : ILubanWireMessage;

    public sealed record StopVmResult(HostId Host, string CommandId, VmId Vm, bool Succeeded, string? Error)
        : ILubanWireMessage;
}
