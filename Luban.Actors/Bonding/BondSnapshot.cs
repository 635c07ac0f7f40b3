using Luban.Protocol.Bonding;

namespace Luban.Actors.Bonding;

/// <summary>
/// Everything read in one poll: each watched bond and each watched plain interface, at one instant, and the traffic
/// counters of the bonds, their slaves and the plain interfaces.
/// </summary>
public sealed record BondSnapshot(
    DateTimeOffset TakenAt,
    IReadOnlyList<BondReading> Bonds,
    IReadOnlyList<InterfaceState> Interfaces,
    IReadOnlyList<InterfaceCounters>? Counters = null)
{
    public IReadOnlyList<InterfaceCounters> Counters { get; init; } = Counters ?? [];

    public InterfaceCounters? CountersOf(string name) => Counters.FirstOrDefault(c => c.Interface == name);

    /// <summary>Nothing known yet: comparing against it reports only the warnings that hold now.</summary>
    public static BondSnapshot Empty { get; } = new(DateTimeOffset.MinValue, [], []);

    public BondReading? Bond(string name) => Bonds.FirstOrDefault(b => b.Bond == name);

    public InterfaceState? Interface(string name) => Interfaces.FirstOrDefault(i => i.Name == name);
}
