namespace Luban.Protocol.Scaling;

/// <summary>Messages of the ScaleSupervisor: registration, membership for the front door, events, status.</summary>
public static class ScalingProtocol
{
    /// <summary>Distributed pub-sub topics the supervisor publishes on.</summary>
    public static class Topics
    {
        public const string Backends = "luban-backends";
        public const string ScaleEvents = "luban-scale-events";
    }

    /// <summary>An agent announces itself; it repeats this on a timer until acknowledged.</summary>
    /// <param name="ForwardAddress">The host address its VMs' ports are forwarded on: every endpoint it reports is on
    /// it, and it must be one of the addresses its certificate names.</param>
    public sealed record RegisterAgent(HostId Host, string ForwardAddress) : ILubanWireMessage;

    public sealed record AgentRegistered(HostId Host) : ILubanWireMessage;

    /// <summary>Something the supervisor decided or saw, with the rule and the reason in words.</summary>
    /// <param name="Kind">start, stop, drain, undrain, warn, hold, host-registered, host-lost, command-failed, …</param>
    public sealed record ScaleEvent(
        DateTimeOffset At,
        string Kind,
        string Rule,
        string Reason,
        HostId? Host = null,
        VmId? Vm = null) : ILubanWireMessage;

    /// <summary>A VM the front door may route to (its own health checks still gate entry).</summary>
    public sealed record Backend(VmId Vm, HostId Host, string Endpoint) : ILubanWireMessage;

    /// <summary>The complete set of backends; it replaces the previous one.</summary>
    public sealed record BackendsChanged(long Version, IReadOnlyList<Backend> Backends) : ILubanWireMessage;

    /// <summary>From a seed's guards: something was refused (e.g. a member without the certificate for its role); the
    /// supervisor records it as an event.</summary>
    public sealed record SecurityNotice(string What, string Why) : ILubanWireMessage;

    /// <summary>From a front door: requests it still has in flight to a draining VM. A drain is over when every
    /// front door that is alive has said 0.</summary>
    public sealed record DrainProgress(VmId Vm, int InFlight, HostId FrontDoor) : ILubanWireMessage;

    /// <summary>From every front door each second: it is alive (drains wait for it), and whether its host holds the
    /// cluster's virtual address (the public address with two front-end hosts).</summary>
    public sealed record FrontDoorReport(HostId FrontDoor, bool HoldsVirtualAddress) : ILubanWireMessage;

    /// <summary>A front door as the supervisor last heard from it.</summary>
    public sealed record FrontDoorStatus(string Host, bool HoldsVirtualAddress, DateTimeOffset LastSeen) : ILubanWireMessage;

    /// <summary>Asks for <see cref="SupervisorStatus"/>.</summary>
    public sealed record GetSupervisorStatus : ILubanWireMessage
    {
        public static readonly GetSupervisorStatus Instance = new();
    }

    /// <param name="Suspended">For a Warm VM: suspended and ready (false while it boots into the pool).</param>
    public sealed record VmStatus(
        string Id,
        string State,
        int? Connections,
        double? Utilisation,
        string? Endpoint,
        bool Suspended = false) : ILubanWireMessage;

    /// <param name="WarmPoolSize">Suspended VMs the host keeps ready; its Warm VMs are listed among <paramref name="Vms"/>.</param>
    public sealed record HostStatus(
        string Id,
        bool Reachable,
        DateTimeOffset? LastReportAt,
        int MinVms,
        int MaxVms,
        bool NetworkDegraded,
        IReadOnlyList<VmStatus> Vms,
        int WarmPoolSize = 0) : ILubanWireMessage;

    /// <summary>One <c>luban.scaling</c> key and its value in force, in the form <c>policy set</c> takes.</summary>
    public sealed record PolicyValue(string Key, string Value, bool Settable) : ILubanWireMessage;

    /// <summary>The policy in force, as plain values; <paramref name="Values"/> lists every key.</summary>
    public sealed record PolicyStatus(
        int SMax,
        double TUpper,
        double TLower,
        int MinVms,
        int MaxVms,
        int HostMinVms,
        int HostMaxVms,
        IReadOnlyList<string> PreferredHosts,
        double TickIntervalSeconds,
        double ScaleOutCooldownSeconds,
        double ScaleInCooldownSeconds,
        double ReportStaleAfterSeconds,
        double AgentRejoinGraceSeconds,
        double DrainDeadlineSeconds,
        bool AutoscalePaused,
        IReadOnlyList<PolicyValue> Values) : ILubanWireMessage;

    /// <param name="SupervisorHost">The front-end host the supervisor (a cluster singleton) runs on.</param>
    /// <param name="FrontDoors">The front doors alive, and which holds the virtual address.</param>
    /// <param name="SupervisorSince">When this supervisor started (it moves with its front-end host).</param>
    public sealed record SupervisorStatus(
        IReadOnlyList<HostStatus> Hosts,
        PolicyStatus Policy,
        ScaleEvent? LastDecision,
        IReadOnlyList<ScaleEvent> Events,
        string? SupervisorHost = null,
        IReadOnlyList<FrontDoorStatus>? FrontDoors = null,
        DateTimeOffset? SupervisorSince = null) : ILubanWireMessage;
}
