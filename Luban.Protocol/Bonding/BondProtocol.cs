namespace Luban.Protocol.Bonding;

/// <summary>Messages of the BondWatcher (Luban.Actors).</summary>
public static class BondProtocol
{
    /// <summary>Ask for the current status; answered with <see cref="BondStatusReport"/>.</summary>
    public sealed record GetBondStatus : ILubanWireMessage
    {
        public static GetBondStatus Instance { get; } = new();
    }

    /// <summary>
    /// The watcher's latest reading. <see cref="TakenAt"/> is MinValue before the first poll. <see cref="Counters"/>:
    /// every bond, its slaves and every plain watched interface, in that order (empty from a sender that predates them).
    /// </summary>
    public sealed record BondStatusReport(
        DateTimeOffset TakenAt,
        IReadOnlyList<BondHealthSummary> Health,
        IReadOnlyList<BondReading> Bonds,
        IReadOnlyList<InterfaceState> Interfaces,
        IReadOnlyList<InterfaceCounters>? Counters = null) : ILubanWireMessage
    {
        public IReadOnlyList<InterfaceCounters> Counters { get; init; } = Counters ?? [];
    }

    /// <summary>Ask for the Prometheus text of the current status; answered with <see cref="BondMetricsText"/>.</summary>
    public sealed record GetBondMetrics : ILubanWireMessage
    {
        public static GetBondMetrics Instance { get; } = new();
    }

    public sealed record BondMetricsText(string Text) : ILubanWireMessage;

    /// <summary>Published once per poll that changed something: the events, and every bond's health after them.</summary>
    public sealed record BondStatusChanged(IReadOnlyList<BondEvent> Events, IReadOnlyList<BondHealthSummary> Health) : ILubanWireMessage;

    /// <summary>A host's bond news for the ScaleSupervisor: its event log and its placement rule.</summary>
    public sealed record HostBondReport(HostId Host, BondStatusChanged Changed) : ILubanWireMessage;
}
