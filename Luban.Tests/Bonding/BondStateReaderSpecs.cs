using Luban.Actors.Bonding;
using Luban.Protocol.Bonding;

namespace Luban.Tests.Bonding;

public sealed class BondStateReaderSpecs
{
    [Theory]
    [InlineData("up", "1", "1000", "full", OperState.Up, true, 1000, Duplex.Full, true)]
    [InlineData("down", "0", "-1", "unknown", OperState.Down, false, null, Duplex.Unknown, false)]
    [InlineData("down", null, null, null, OperState.Down, null, null, Duplex.Unknown, false)]
    [InlineData("lowerlayerdown", "0", "4294967295", "half", OperState.LowerLayerDown, false, null, Duplex.Half, false)]
    [InlineData("unknown", "1", "0", "full", OperState.Unknown, true, null, Duplex.Full, true)]
    [InlineData("unknown", "0", "10000", "full", OperState.Unknown, false, 10000, Duplex.Full, false)]
    [InlineData("dormant\n", "1\n", "100\n", "half\n", OperState.Dormant, true, 100, Duplex.Half, false)]
    [InlineData(null, null, null, null, OperState.Unknown, null, null, Duplex.Unknown, false)]
    [InlineData("\u0001gibberish", "yes", "fast", "both", OperState.Unknown, null, null, Duplex.Unknown, false)]
    public void Sysfs_parser_should_map_kernel_values_and_read_errors(
        string? operstate, string? carrier, string? speed, string? duplex,
        OperState expectedState, bool? expectedCarrier, int? expectedSpeed, Duplex expectedDuplex, bool isUp)
    {
        var state = SysfsLinkParser.Parse("veth0", operstate, carrier, speed, duplex);

        Assert.Equal(new InterfaceState("veth0", expectedState, expectedCarrier, expectedSpeed, expectedDuplex), state);
        Assert.Equal(isUp, state.IsUp);
    }

    [Fact]
    public void Reader_should_read_bond_and_interfaces_under_the_root()
    {
        var snapshot = BondFixtures.Read("8023ad-one-slave-down", BondFixtures.T0, "enp1s0f0", "enp1s0f1", "bond0");

        Assert.Equal(BondFixtures.T0, snapshot.TakenAt);
        Assert.True(snapshot.Bond("bond0")!.IsOk);
        Assert.Equal(new InterfaceState("enp1s0f0", OperState.Up, true, 1000, Duplex.Full), snapshot.Interface("enp1s0f0"));
        Assert.Equal(new InterfaceState("enp1s0f1", OperState.Down, false, null, Duplex.Unknown), snapshot.Interface("enp1s0f1"));
        Assert.Equal(new InterfaceState("bond0", OperState.Up, true, 1000, Duplex.Full), snapshot.Interface("bond0"));
    }

    [Fact]
    public void Reader_should_report_a_missing_bond_file_as_an_error_and_a_missing_interface_as_missing()
    {
        var reader = new BondStateReader(BondFixtures.Root("balance-rr"), ["bond0", "bond1"], ["eth9"]);

        var snapshot = reader.Read(BondFixtures.T0);

        Assert.True(snapshot.Bond("bond0")!.IsOk);
        Assert.Contains("does not exist", snapshot.Bond("bond1")!.Error, StringComparison.Ordinal);
        Assert.Equal(InterfaceState.Missing("eth9"), snapshot.Interface("eth9"));
    }

    [Fact]
    public void Reader_should_turn_an_unreadable_bond_file_into_an_error()
    {
        // A directory where the file should be makes File.ReadAllText fail the way an unreadable file does.
        var root = Directory.CreateTempSubdirectory("luban-bond-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(root, "proc", "net", "bonding", "bond0"));

            var reading = new BondStateReader(root, ["bond0"], []).ReadBond("bond0");

            Assert.False(reading.IsOk);
            Assert.StartsWith("cannot read ", reading.Error, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Theory]
    [InlineData("../etc")]
    [InlineData("a/b")]
    [InlineData("..")]
    [InlineData("")]
    [InlineData("averyveryverylongname")]
    public void Reader_should_refuse_names_that_leave_the_tree(string name)
    {
        Assert.Throws<ArgumentException>(() => new BondStateReader("/", [name], []));
    }
}
