using Luban.Protocol.Bonding;

namespace Luban.Actors.Bonding;

/// <summary>Everything read in one poll: each watched bond and each watched plain interface, at one instant.</summary>
public sealed record BondSnapshot(DateTimeOffset TakenAt, IReadOnlyList<BondReading> Bonds, IReadOnlyList<InterfaceState> Interfaces)
{
    /// <summary>Nothing known yet: comparing against it reports only the warnings that hold now.</summary>
    public static BondSnapshot Empty { get; } = new(DateTimeOffset.MinValue, [], []);

    public BondReading? Bond(string name) => Bonds.FirstOrDefault(b => b.Bond == name);

    public InterfaceState? Interface(string name) => Interfaces.FirstOrDefault(i => i.Name == name);
}
