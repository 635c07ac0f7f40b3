namespace Luban.Protocol.Bonding;

public enum ConfigurationWarningKind
{
    UnexpectedMode,
    UnexpectedMiiPolling,
    NoLacpPartner,
    SplitAggregators,
    SpeedMismatch,
    DuplexMismatch,
}

public enum BondHealth
{
    Healthy,
    Degraded,
    Down,
    Error,
}

/// <summary>One bond's health and the reasons for it, for the status document and the ScaleSupervisor's placement.</summary>
public sealed record BondHealthSummary(string Bond, BondHealth Health, IReadOnlyList<string> Reasons);
