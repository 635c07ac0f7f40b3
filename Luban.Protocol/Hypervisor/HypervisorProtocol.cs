using Luban.Protocol.Scaling;

namespace Luban.Protocol.Hypervisor;

/// <summary>Messages between a host's HypervisorAgent and the ScaleSupervisor.</summary>
public static class HypervisorProtocol
{
    /// <summary>One VM of a host's pool as its agent sees it.</summary>
    /// <param name="Endpoint">Base URL of the VM's web service as reachable from the front door; null before it has one.</param>
    /// <param name="Connections">Established connections on the service port from the SSH probe; null when unknown.</param>
    /// <param name="Suspended">A warm VM that is suspended and can be resumed (false while it boots for the pool).</param>
    public sealed record VmReport(
        VmId Vm,
        VmState State,
        string? Endpoint,
        int? Connections,
        DateTimeOffset? InServiceSince,
        bool Suspended = false) : ILubanWireMessage;

    /// <summary>Sent by every agent at its report interval: its capacity and every defined VM.</summary>
    /// <param name="WarmPoolSize">How many suspended VMs the host keeps ready (<c>luban.hypervisor.warm-pool-size</c>).</param>
    public sealed record HostReport(
        HostId Host,
        int MinVms,
        int MaxVms,
        IReadOnlyList<VmReport> Vms,
        DateTimeOffset At,
        string ForwardAddress = "127.0.0.1",
        int WarmPoolSize = 0) : ILubanWireMessage;

    /// <summary>One more VM in service on the host: a warm one resumed if the host has one, else a boot.</summary>
    /// <param name="ForWarmPool">Boot one into the host's warm pool instead (a refill): it is suspended once healthy
    /// and is never capacity.</param>
    public sealed record StartVm(HostId Host, string CommandId, bool ForWarmPool = false) : ILubanWireMessage;

    /// <param name="Resumed">The VM came out of the warm pool (resumed) rather than being booted.</param>
    public sealed record StartVmResult(HostId Host, string CommandId, VmId? Vm, bool Succeeded, string? Error,
        bool Resumed = false) : ILubanWireMessage;

    /// <summary>Stop a VM: ACPI shutdown, destroyed after the agent's grace period; or, when the host's warm pool is
    /// short, suspended into it.</summary>
    public sealed record StopVm(HostId Host, VmId Vm, string CommandId) : ILubanWireMessage;

    /// <param name="Suspended">The VM went into the host's warm pool instead of being shut off.</param>
    public sealed record StopVmResult(HostId Host, string CommandId, VmId Vm, bool Succeeded, string? Error,
        bool Suspended = false) : ILubanWireMessage;
}
