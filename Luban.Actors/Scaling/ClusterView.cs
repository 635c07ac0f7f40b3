using System.Collections.Immutable;
using Luban.Protocol;
using Luban.Protocol.Scaling;

namespace Luban.Actors.Scaling;

/// <summary>One VM as last reported by its host's agent.</summary>
/// <param name="Connections">Active web connections; <c>null</c> when the SSH probe failed (unknown, not zero).</param>
/// <param name="InServiceSince">When the VM entered service; <c>null</c> when not known (treated as long ago).</param>
/// <param name="Suspended">A Warm VM that is suspended and ready (false while it boots into the pool).</param>
public sealed record VmView(
    VmId Id,
    VmState State,
    int? Connections,
    DateTimeOffset? InServiceSince = null,
    bool Suspended = false);

/// <summary>One hypervisor host with its own VM limits and its last report.</summary>
/// <param name="NetworkDegraded">The host's bond is degraded, down or unreadable: it is placed after healthy hosts.</param>
public sealed record HostView(
    HostId Id,
    bool Reachable,
    DateTimeOffset? LastReportAt,
    ImmutableArray<VmView> Vms,
    int MinVms = 1,
    int MaxVms = 3,
    bool NetworkDegraded = false,
    int WarmPoolSize = 0)
{
    // A default(ImmutableArray) would throw on enumeration; an absent list means no VMs.
    public ImmutableArray<VmView> Vms { get; init; } = Vms.IsDefault ? [] : Vms;
}

/// <summary>What the ScaleSupervisor knows when it asks the policy: every host, and when it last scaled.</summary>
/// <param name="ObservingSince">When the supervisor started building this view; <c>null</c> for long ago. A new
/// supervisor (e.g. after a seed restart) knows only the hosts that have reported to it so far.</param>
public sealed record ClusterView(
    ImmutableArray<HostView> Hosts,
    DateTimeOffset? LastScaleOutAt = null,
    DateTimeOffset? LastScaleInAt = null,
    DateTimeOffset? ObservingSince = null)
{
    public ImmutableArray<HostView> Hosts { get; init; } = Hosts.IsDefault ? [] : Hosts;
}
