namespace Luban.Protocol.Bonding;

public enum BondEventKind
{
    SlaveDown,
    SlaveUp,
    SlaveAdded,
    SlaveRemoved,
    BondDown,
    BondUp,
    ActiveSlaveChanged,
    AggregatorChanged,
    PartnerChanged,
    PartnerLost,
    PartnerFound,
    LinkFailureCountRising,
    InterfaceOperStateChanged,
    ReadFailed,
    ReadRecovered,
    WarningRaised,
    WarningCleared,
}

/// <summary>
/// A transition between two snapshots. <see cref="Subject"/> is the bond, or the plain interface for
/// InterfaceOperStateChanged; <see cref="Warning"/> is set for WarningRaised/WarningCleared.
/// </summary>
public sealed record BondEvent(
    DateTimeOffset At,
    BondEventKind Kind,
    string Subject,
    string? Slave,
    string? Before,
    string? After,
    string Message,
    ConfigurationWarningKind? Warning = null);
