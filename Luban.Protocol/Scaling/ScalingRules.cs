namespace Luban.Protocol.Scaling;

/// <summary>The machine-readable rule names a <see cref="DecisionReason"/> carries. Stable: events and dashboards key on them.</summary>
public static class ScalingRules
{
    // Holds that block every decision because the view cannot be trusted.
    public const string NoReachableHost = "hold/no-reachable-host";
    public const string MissingReport = "hold/missing-report";
    public const string StaleReport = "hold/stale-report";
    public const string UnknownConnections = "hold/unknown-connections";

    // Floors: a host or the cluster has fewer VMs than its minimum (a crash, a lost host); not elastic scaling.
    public const string RestoreHostMinimum = "restore/host-below-minimum";
    public const string RestoreClusterMinimum = "restore/cluster-below-minimum";
    public const string AwaitingAgents = "hold/awaiting-agents";

    public const string NoInServiceVm = "hold/no-in-service-vm";

    // The paper's scale-out clause and what we add to it.
    public const string ScaleOutAllAboveUpper = "scale-out/all-above-upper";
    public const string ScaleOutUndrain = "scale-out/undrain";
    public const string BootInFlight = "hold/boot-in-flight";
    public const string AtCapacity = "warn/at-capacity";
    public const string Cooldown = "hold/cooldown";
    public const string WarmingUp = "hold/warming-up";

    // The paper's scale-in clause, its two tie rules, and our guards.
    public const string ScaleInIdleVmEqualHosts = "scale-in/idle-vm/equal-hosts";
    public const string ScaleInIdleVmFullestHost = "scale-in/idle-vm/fullest-host";
    public const string WithinBand = "hold/within-band";
    public const string AtMinimum = "hold/at-minimum";
    public const string ScaleInWouldOverload = "hold/scale-in-would-overload";

    /// <summary>The <see cref="ScalingDecision.Warn.Code"/> raised when no VM can be added.</summary>
    public const string AtCapacityWarning = "at-capacity";
}
