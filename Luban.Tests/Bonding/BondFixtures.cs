using Luban.Actors.Bonding;
using Luban.Protocol.Bonding;

namespace Luban.Tests.Bonding;

/// <summary>Fixture trees copied next to the test assembly (Bonding/Fixtures/&lt;case&gt;/proc/net/bonding/bond0, sys/class/net/…).</summary>
internal static class BondFixtures
{
    public static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static string Root(string fixtureCase)
    {
        var root = Path.Combine(AppContext.BaseDirectory, "Bonding", "Fixtures", fixtureCase);
        return Directory.Exists(root) ? root : throw new DirectoryNotFoundException($"fixture tree {root} was not copied to the test output");
    }

    public static string BondText(string fixtureCase) => File.ReadAllText(Path.Combine(Root(fixtureCase), "proc", "net", "bonding", "bond0"));

    public static BondReading Parse(string fixtureCase) => BondProcParser.Parse("bond0", BondText(fixtureCase));

    public static BondSnapshot Read(string fixtureCase, DateTimeOffset at, params string[] interfaces) =>
        new BondStateReader(Root(fixtureCase), ["bond0"], interfaces).Read(at);

    public static string[] List(string commaSeparated) =>
        commaSeparated.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
