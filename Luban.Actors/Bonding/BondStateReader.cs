using Luban.Protocol.Bonding;

namespace Luban.Actors.Bonding;

/// <summary>
/// Reads the watched bonds and interfaces from a root directory ("/" in production, a fixture tree in tests).
/// Blocking file IO; every IO failure becomes an error reading, never an exception.
/// </summary>
public sealed class BondStateReader
{
    private readonly string _root;

    public BondStateReader(string root, IReadOnlyList<string> bonds, IReadOnlyList<string> interfaces)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        foreach (var name in bonds.Concat(interfaces))
        {
            // Names come from the command line and end up in paths: refuse anything that could leave the tree.
            if (!IsInterfaceName(name))
            {
                throw new ArgumentException($"'{name}' is not a valid interface name (at most 15 characters, no '/').", nameof(bonds));
            }
        }

        _root = root;
        Bonds = bonds.ToArray();
        Interfaces = interfaces.ToArray();
    }

    public IReadOnlyList<string> Bonds { get; }

    public IReadOnlyList<string> Interfaces { get; }

    public string BondFile(string bond) => Path.Combine(_root, "proc", "net", "bonding", bond);

    public string InterfaceDirectory(string name) => Path.Combine(_root, "sys", "class", "net", name);

    public BondSnapshot Read(DateTimeOffset at)
    {
        var bonds = Bonds.Select(ReadBond).ToArray();
        return new(at, bonds, Interfaces.Select(ReadInterface).ToArray(), ReadCounters(bonds));
    }

    /// <summary>
    /// Counters of each bond and its slaves (as its /proc file names them), then of each plain interface not listed
    /// yet. An interface without a sysfs folder has none.
    /// </summary>
    public IReadOnlyList<InterfaceCounters> ReadCounters(IReadOnlyList<BondReading> bonds)
    {
        var counters = new List<InterfaceCounters>();
        void Add(string name, string? bond)
        {
            // Slave names come from a file under the root: the same rule as names from the command line.
            if (IsInterfaceName(name) && counters.All(c => c.Interface != name) && ReadCounters(name, bond) is { } read)
            {
                counters.Add(read);
            }
        }

        foreach (var reading in bonds)
        {
            Add(reading.Bond, reading.Bond);
            foreach (var slave in reading.Status?.Slaves ?? [])
            {
                Add(slave.Name, reading.Bond);
            }
        }

        foreach (var name in Interfaces)
        {
            Add(name, null);
        }

        return counters;
    }

    public InterfaceCounters? ReadCounters(string name, string? bond)
    {
        var directory = InterfaceDirectory(name);
        if (!Directory.Exists(directory))
        {
            return null;
        }

        var statistics = Path.Combine(directory, "statistics");
        return SysfsLinkParser.ParseCounters(name, bond,
            ReadOrNull(Path.Combine(statistics, "rx_bytes")),
            ReadOrNull(Path.Combine(statistics, "rx_packets")),
            ReadOrNull(Path.Combine(statistics, "tx_bytes")),
            ReadOrNull(Path.Combine(statistics, "tx_packets")));
    }

    public BondReading ReadBond(string bond)
    {
        try
        {
            return BondProcParser.Parse(bond, File.ReadAllText(BondFile(bond)));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            var reason = e is FileNotFoundException or DirectoryNotFoundException
                ? $"{BondFile(bond)} does not exist (bonding module not loaded, or no such bond)"
                : $"cannot read {BondFile(bond)}: {e.Message}";
            return BondReading.Failed(bond, reason);
        }
    }

    public InterfaceState ReadInterface(string name)
    {
        var directory = InterfaceDirectory(name);
        if (!Directory.Exists(directory))
        {
            return InterfaceState.Missing(name);
        }

        return SysfsLinkParser.Parse(
            name,
            ReadOrNull(Path.Combine(directory, "operstate")),
            ReadOrNull(Path.Combine(directory, "carrier")),
            ReadOrNull(Path.Combine(directory, "speed")),
            ReadOrNull(Path.Combine(directory, "duplex")));
    }

    private static bool IsInterfaceName(string name) =>
        !string.IsNullOrWhiteSpace(name) && !name.Contains('/') && name is not ("." or "..") && name.Length <= 15;

    private static string? ReadOrNull(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // carrier/speed/duplex fail with EINVAL while a link is administratively down: that means "unknown".
            return null;
        }
    }
}
