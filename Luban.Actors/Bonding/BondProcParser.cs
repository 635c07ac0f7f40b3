using System.Globalization;
using Luban.Protocol.Bonding;

namespace Luban.Actors.Bonding;

/// <summary>
/// Parses <c>/proc/net/bonding/&lt;bond&gt;</c> as written by drivers/net/bonding/bond_procfs.c (kernels 2.6 to 6.x).
/// Unknown lines are ignored; a file that is not a bonding file, or lacks a field every kernel writes, is an error reading.
/// </summary>
public static class BondProcParser
{
    private const string Header = "Ethernet Channel Bonding Driver:";

    private enum Section
    {
        Master,
        Lacp,
        ActiveAggregator,
        Slave,
        ActorPdu,
        PartnerPdu,
    }

    public static BondReading Parse(string bond, string text)
    {
        try
        {
            return ParseOrThrow(bond, text);
        }
        catch (FormatException e)
        {
            return BondReading.Failed(bond, e.Message);
        }
    }

    private static BondReading ParseOrThrow(string bond, string text)
    {
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var first = Array.FindIndex(lines, l => l.Trim().Length > 0);
        if (first < 0)
        {
            return BondReading.Failed(bond, "empty bonding file");
        }

        if (!lines[first].StartsWith(Header, StringComparison.Ordinal))
        {
            return BondReading.Failed(bond, $"not a bonding status file (first line '{Printable(lines[first])}')");
        }

        var master = new Dictionary<string, string>(StringComparer.Ordinal);
        var lacp = new Dictionary<string, string>(StringComparer.Ordinal);
        var aggregator = new Dictionary<string, string>(StringComparer.Ordinal);
        var slaves = new List<SlaveBuilder>();
        var section = Section.Master;
        var has8023adSection = false;
        var noActiveAggregator = false;
        var hasAggregatorSection = false;

        foreach (var raw in lines.Skip(first + 1))
        {
            if (raw.Trim().Length == 0)
            {
                continue;
            }

            var indented = raw[0] is ' ' or '\t';
            var line = raw.Trim();
            if (!indented && section is Section.ActorPdu or Section.PartnerPdu)
            {
                section = Section.Slave;
            }

            if (!indented && section == Section.ActiveAggregator)
            {
                section = Section.Lacp;
            }

            if (line == "802.3ad info")
            {
                section = Section.Lacp;
                has8023adSection = true;
                continue;
            }

            if (section == Section.Lacp && line.StartsWith("bond ", StringComparison.Ordinal) && line.EndsWith("has no active aggregator", StringComparison.Ordinal))
            {
                noActiveAggregator = true;
                continue;
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0)
            {
                continue;
            }

            var key = line[..colon].Trim();
            var value = line[(colon + 1)..].Trim();
            switch (key)
            {
                case "Slave Interface":
                    slaves.Add(new SlaveBuilder(value));
                    section = Section.Slave;
                    continue;
                case "Active Aggregator Info" when section == Section.Lacp:
                    section = Section.ActiveAggregator;
                    hasAggregatorSection = true;
                    continue;
                case "details actor lacp pdu" when slaves.Count > 0:
                    section = Section.ActorPdu;
                    continue;
                case "details partner lacp pdu" when slaves.Count > 0:
                    section = Section.PartnerPdu;
                    continue;
            }

            var target = section switch
            {
                Section.Master => master,
                Section.Lacp => lacp,
                Section.ActiveAggregator => aggregator,
                Section.Slave => slaves[^1].Fields,
                Section.ActorPdu => slaves[^1].ActorPdu,
                _ => slaves[^1].PartnerPdu,
            };

            // First occurrence wins: a repeated key is not something the kernel writes.
            target.TryAdd(key, value);
        }

        var modeText = Required(master, "Bonding Mode");
        var mode = BondModeNames.FromKernelText(modeText);
        LacpInfo? lacpInfo = null;
        if (mode == BondMode.Ieee8023ad)
        {
            if (!has8023adSection)
            {
                throw new FormatException("802.3ad bond without its '802.3ad info' section (truncated?)");
            }

            lacpInfo = new LacpInfo(
                LacpActive: Optional(lacp, "LACP active") is { } active ? active == "on" : null,
                LacpRate: Optional(lacp, "LACP rate"),
                MinLinks: OptionalInt(lacp, "Min links"),
                AggregatorSelection: Optional(lacp, "Aggregator selection policy (ad_select)"),
                SystemMac: Optional(lacp, "System MAC address"),
                NoActiveAggregator: noActiveAggregator,
                ActiveAggregator: hasAggregatorSection
                    ? new AggregatorInfo(
                        Int(aggregator, "Aggregator ID"),
                        Int(aggregator, "Number of ports"),
                        Int(aggregator, "Actor Key"),
                        Int(aggregator, "Partner Key"),
                        Mac(aggregator, "Partner Mac Address"))
                    : null);
        }

        var status = new BondStatus(
            Name: bond,
            DriverVersion: lines[first][Header.Length..].Trim(),
            Mode: mode,
            ModeText: modeText,
            TransmitHashPolicy: Optional(master, "Transmit Hash Policy"),
            PrimarySlave: NoneIsNull(Optional(master, "Primary Slave")?.Split(' ')[0]),
            ActiveSlave: NoneIsNull(Optional(master, "Currently Active Slave")),
            Mii: Mii(master, "MII Status"),
            MiiPollingIntervalMs: Int(master, "MII Polling Interval (ms)"),
            UpDelayMs: Int(master, "Up Delay (ms)"),
            DownDelayMs: Int(master, "Down Delay (ms)"),
            Lacp: lacpInfo,
            Slaves: slaves.Select(s => s.Build(mode)).ToArray());
        return BondReading.Ok(status);
    }

    private sealed class SlaveBuilder(string name)
    {
        public Dictionary<string, string> Fields { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, string> ActorPdu { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, string> PartnerPdu { get; } = new(StringComparer.Ordinal);

        public SlaveStatus Build(BondMode mode)
        {
            var where = $"slave {name}";
            // Checked in the kernel's print order, so a truncated file names the first field it lost.
            var mii = Mii(Fields, "MII Status", where);
            var speed = Speed(Required(Fields, "Speed", where));
            var duplex = DuplexOf(Required(Fields, "Duplex", where));
            var failures = Long(Fields, "Link Failure Count", where);
            var hwAddr = Mac(Fields, "Permanent HW addr", where);
            var aggregatorText = mode == BondMode.Ieee8023ad ? Required(Fields, "Aggregator ID", where) : null;
            return new SlaveStatus(
                Name: name,
                Mii: mii,
                SpeedMbps: speed,
                Duplex: duplex,
                LinkFailureCount: failures,
                PermanentHwAddr: hwAddr,
                QueueId: OptionalInt(Fields, "Slave queue ID", where),
                AggregatorId: aggregatorText is null or "N/A" ? null : ParseInt(aggregatorText, "Aggregator ID", where),
                ActorChurnState: Optional(Fields, "Actor Churn State"),
                PartnerChurnState: Optional(Fields, "Partner Churn State"),
                ActorPdu: Pdu(ActorPdu, "port key", $"{where} actor lacp pdu"),
                PartnerPdu: Pdu(PartnerPdu, "oper key", $"{where} partner lacp pdu"));
        }

        private static LacpPduDetails? Pdu(Dictionary<string, string> fields, string keyName, string where) =>
            fields.Count == 0
                ? null
                : new LacpPduDetails(
                    Int(fields, "system priority", where),
                    Mac(fields, "system mac address", where),
                    Int(fields, keyName, where),
                    Int(fields, "port priority", where),
                    Int(fields, "port number", where),
                    Int(fields, "port state", where));
    }

    private static string Required(Dictionary<string, string> fields, string key, string where = "bond") =>
        fields.TryGetValue(key, out var value)
            ? value
            : throw new FormatException($"{where}: missing '{key}' (truncated file?)");

    private static string? Optional(Dictionary<string, string> fields, string key) =>
        fields.TryGetValue(key, out var value) ? value : null;

    private static int Int(Dictionary<string, string> fields, string key, string where = "bond") =>
        ParseInt(Required(fields, key, where), key, where);

    private static int? OptionalInt(Dictionary<string, string> fields, string key, string where = "bond") =>
        fields.TryGetValue(key, out var value) ? ParseInt(value, key, where) : null;

    private static int ParseInt(string value, string key, string where) =>
        int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n)
            ? n
            : throw new FormatException($"{where}: '{key}' is not a number: '{Printable(value)}'");

    private static long Long(Dictionary<string, string> fields, string key, string where)
    {
        var value = Required(fields, key, where);
        return long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            ? n
            : throw new FormatException($"{where}: '{key}' is not a number: '{Printable(value)}'");
    }

    private static string Mac(Dictionary<string, string> fields, string key, string where = "bond")
    {
        var value = Required(fields, key, where);
        // %pM is six colon-separated hex pairs; %*phC (newer kernels) may be longer for non-Ethernet slaves.
        var parts = value.Split(':');
        return parts.Length >= 6 && parts.All(p => p.Length == 2 && p.All(char.IsAsciiHexDigit))
            ? value.ToLowerInvariant()
            : throw new FormatException($"{where}: '{key}' is not a MAC address: '{Printable(value)}'");
    }

    private static MiiStatus Mii(Dictionary<string, string> fields, string key, string where = "bond") =>
        Required(fields, key, where) switch
        {
            "up" => MiiStatus.Up,
            "down" => MiiStatus.Down,
            "going down" => MiiStatus.GoingDown,
            "going back" => MiiStatus.GoingBack,
            "unknown" => MiiStatus.Unknown,
            var other => throw new FormatException($"{where}: unrecognised '{key}' '{Printable(other)}'"),
        };

    private static int? Speed(string value)
    {
        // "1000 Mbps", or "Unknown" for SPEED_UNKNOWN; very old kernels print "-1 Mbps" or "65535 Mbps".
        var number = value.EndsWith(" Mbps", StringComparison.Ordinal) ? value[..^5] : value;
        return int.TryParse(number, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var mbps) && mbps > 0 && mbps != 65535
            ? mbps
            : null;
    }

    private static Duplex DuplexOf(string value) => value switch
    {
        "full" => Duplex.Full,
        "half" => Duplex.Half,
        _ => Duplex.Unknown,
    };

    private static string? NoneIsNull(string? value) => value is null or "None" ? null : value;

    private static string Printable(string value)
    {
        var clean = new string(value.Select(c => char.IsControl(c) ? '?' : c).Take(40).ToArray());
        return value.Length > 40 ? clean + "…" : clean;
    }
}
