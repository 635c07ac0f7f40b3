using System.Collections.Immutable;
using Luban.Protocol;

namespace Luban.Actors.Scaling;

/// <summary>
/// The scaling policy's knobs, read from <c>luban.scaling</c>. Defaults are the paper's numbers except the tick
/// interval (seconds, not the paper's 5 minutes) and the cooldowns and staleness limit, which the paper lacks.
/// </summary>
public sealed record ScalingSettings
{
    public const string SMaxKey = "luban.scaling.s-max";
    public const string TUpperKey = "luban.scaling.t-upper";
    public const string TLowerKey = "luban.scaling.t-lower";
    public const string MinTotalVmsKey = "luban.scaling.min-vms";
    public const string MaxTotalVmsKey = "luban.scaling.max-vms";
    public const string HostMinVmsKey = "luban.scaling.host-min-vms";
    public const string HostMaxVmsKey = "luban.scaling.host-max-vms";
    public const string PreferredHostsKey = "luban.scaling.preferred-hosts";
    public const string TickIntervalKey = "luban.scaling.tick-interval";
    public const string ScaleOutCooldownKey = "luban.scaling.scale-out-cooldown";
    public const string ScaleInCooldownKey = "luban.scaling.scale-in-cooldown";
    public const string ReportStaleAfterKey = "luban.scaling.report-stale-after";
    public const string AgentRejoinGraceKey = "luban.scaling.agent-rejoin-grace";

    public static ScalingSettings Default { get; } = new();

    /// <summary>The paper's setting: one poll every 5 minutes; everything else as <see cref="Default"/>.</summary>
    public static ScalingSettings PaperInterval { get; } = new()
    {
        TickInterval = TimeSpan.FromMinutes(5),
        ReportStaleAfter = TimeSpan.FromMinutes(15),
        AgentRejoinGrace = TimeSpan.FromMinutes(15),
    };

    /// <summary>Connections at which a VM counts as fully used (<c>u = connections / SMax</c>).</summary>
    public int SMax { get; init; } = 100;

    /// <summary>Scale out when every in-service VM's utilisation is strictly above this.</summary>
    public double TUpper { get; init; } = 0.60;

    /// <summary>A VM at or below this utilisation is idle and may be stopped.</summary>
    public double TLower { get; init; } = 0.10;

    public int MinTotalVms { get; init; } = 2;

    public int MaxTotalVms { get; init; } = 6;

    /// <summary>Per-host minimum given to hosts whose configuration does not name one.</summary>
    public int DefaultHostMinVms { get; init; } = 1;

    /// <summary>Per-host maximum given to hosts whose configuration does not name one.</summary>
    public int DefaultHostMaxVms { get; init; } = 3;

    /// <summary>Tie-break order for placing a new VM; hosts not listed come after, by name.</summary>
    public ImmutableArray<HostId> PreferredHostOrder { get; init; } = [new HostId("B"), new HostId("C")];

    /// <summary>How often the supervisor asks the policy; also how long a new VM warms up before its load counts.</summary>
    public TimeSpan TickInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Minimum time between two scale-outs.</summary>
    public TimeSpan ScaleOutCooldown { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Minimum time after any scaling action before a scale-in.</summary>
    public TimeSpan ScaleInCooldown { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>A host report older than this is stale and blocks every decision.</summary>
    public TimeSpan ReportStaleAfter { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// How long a just-started supervisor (a restarted seed) waits before it restores the <em>cluster</em> minimum
    /// from the hosts heard so far. The agents of the seed's previous life rejoin only after their failure detector
    /// and split-brain resolver have given it up (about 20 s here), and their VMs are running meanwhile.
    /// </summary>
    public TimeSpan AgentRejoinGrace { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// One message per problem, each starting "<c>key = value</c>" and saying what is allowed; empty when valid.
    /// </summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();

        if (SMax <= 0)
            problems.Add($"{SMaxKey} = {SMax}: must be a positive number of connections.");
        if (!(TUpper > 0 && TUpper <= 1))
            problems.Add($"{TUpperKey} = {TUpper}: must be in (0, 1].");
        if (!(TLower >= 0 && TLower < 1))
            problems.Add($"{TLowerKey} = {TLower}: must be in [0, 1).");
        if (TLower >= TUpper)
            problems.Add($"{TLowerKey} = {TLower} must be below {TUpperKey} = {TUpper} (T_lower >= T_upper would make the policy flap).");

        if (MinTotalVms < 0)
            problems.Add($"{MinTotalVmsKey} = {MinTotalVms}: must be 0 or more.");
        if (MaxTotalVms < 1)
            problems.Add($"{MaxTotalVmsKey} = {MaxTotalVms}: must be 1 or more.");
        if (MinTotalVms > MaxTotalVms)
            problems.Add($"{MinTotalVmsKey} = {MinTotalVms} must not exceed {MaxTotalVmsKey} = {MaxTotalVms}.");

        if (DefaultHostMinVms < 0)
            problems.Add($"{HostMinVmsKey} = {DefaultHostMinVms}: must be 0 or more.");
        if (DefaultHostMaxVms < 1)
            problems.Add($"{HostMaxVmsKey} = {DefaultHostMaxVms}: must be 1 or more.");
        if (DefaultHostMinVms > DefaultHostMaxVms)
            problems.Add($"{HostMinVmsKey} = {DefaultHostMinVms} must not exceed {HostMaxVmsKey} = {DefaultHostMaxVms}.");

        var preferred = PreferredHostOrder.IsDefault ? [] : PreferredHostOrder;
        if (preferred.Any(host => string.IsNullOrWhiteSpace(host.Value)))
            problems.Add($"{PreferredHostsKey} = {Listed(preferred)}: host names must not be empty.");
        var duplicates = preferred
            .Where(host => !string.IsNullOrWhiteSpace(host.Value))
            .GroupBy(host => host.Value, StringComparer.Ordinal)
            .Where(group => group.Count() > 1)
            .Select(group => group.Key)
            .ToList();
        if (duplicates.Count > 0)
            problems.Add($"{PreferredHostsKey} = {Listed(preferred)}: each host may appear once; repeated: {string.Join(", ", duplicates)}.");

        if (TickInterval <= TimeSpan.Zero)
            problems.Add($"{TickIntervalKey} = {TickInterval}: must be a positive duration.");
        if (ScaleOutCooldown < TimeSpan.Zero)
            problems.Add($"{ScaleOutCooldownKey} = {ScaleOutCooldown}: must be zero or a positive duration.");
        if (ScaleInCooldown < TimeSpan.Zero)
            problems.Add($"{ScaleInCooldownKey} = {ScaleInCooldown}: must be zero or a positive duration.");
        if (ReportStaleAfter <= TimeSpan.Zero)
            problems.Add($"{ReportStaleAfterKey} = {ReportStaleAfter}: must be a positive duration.");
        if (AgentRejoinGrace < TimeSpan.Zero)
            problems.Add($"{AgentRejoinGraceKey} = {AgentRejoinGrace}: must be zero or a positive duration.");

        return problems;
    }

    private static string Listed(ImmutableArray<HostId> hosts) => $"[{string.Join(", ", hosts.Select(host => $"\"{host.Value}\""))}]";
}
