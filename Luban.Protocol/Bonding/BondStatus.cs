namespace Luban.Protocol.Bonding;

/// <summary>The seven Linux bonding modes, in the kernel's numbering (mode=0..6).</summary>
public enum BondMode
{
    BalanceRr = 0,
    ActiveBackup = 1,
    BalanceXor = 2,
    Broadcast = 3,
    Ieee8023ad = 4,
    BalanceTlb = 5,
    BalanceAlb = 6,
    Unknown = 99,
}

/// <summary>A link as the bonding driver's MII monitor sees it (bond_slave_link_status).</summary>
public enum MiiStatus
{
    Up,
    GoingDown,
    Down,
    GoingBack,
    Unknown,
}

public enum Duplex
{
    Unknown,
    Half,
    Full,
}

public static class BondModeNames
{
    // Kernel's bond_mode_name() texts as printed after "Bonding Mode: ", and the option names operators type.
    private static readonly (BondMode Mode, string KernelText, string OptionName)[] Table =
    [
        (BondMode.BalanceRr, "load balancing (round-robin)", "balance-rr"),
        (BondMode.ActiveBackup, "fault-tolerance (active-backup)", "active-backup"),
        (BondMode.BalanceXor, "load balancing (xor)", "balance-xor"),
        (BondMode.Broadcast, "fault-tolerance (broadcast)", "broadcast"),
        (BondMode.Ieee8023ad, "IEEE 802.3ad Dynamic link aggregation", "802.3ad"),
        (BondMode.BalanceTlb, "transmit load balancing", "balance-tlb"),
        (BondMode.BalanceAlb, "adaptive load balancing", "balance-alb"),
    ];

    /// <summary>Mode from the kernel text; a suffix such as " (fail_over_mac active)" is allowed.</summary>
    public static BondMode FromKernelText(string text)
    {
        foreach (var (mode, kernelText, _) in Table)
        {
            if (text.StartsWith(kernelText, StringComparison.Ordinal))
            {
                return mode;
            }
        }

        return BondMode.Unknown;
    }

    /// <summary>Mode from an option name ("802.3ad", "balance-rr", …) or its number ("4").</summary>
    public static BondMode? FromOptionName(string name)
    {
        foreach (var (mode, _, optionName) in Table)
        {
            if (string.Equals(name, optionName, StringComparison.OrdinalIgnoreCase) || name == ((int)mode).ToString(System.Globalization.CultureInfo.InvariantCulture))
            {
                return mode;
            }
        }

        return null;
    }

    public static string OptionName(this BondMode mode)
    {
        foreach (var (m, _, optionName) in Table)
        {
            if (m == mode)
            {
                return optionName;
            }
        }

        return "unknown";
    }
}

/// <summary>The all-zero MAC the kernel prints when LACP has no partner.</summary>
public static class MacAddresses
{
    public const string Zero = "00:00:00:00:00:00";

    public static bool IsZero(string? mac) => mac is not null && mac.All(c => c is '0' or ':');
}

/// <summary>"Active Aggregator Info" of an 802.3ad bond.</summary>
public sealed record AggregatorInfo(int AggregatorId, int NumberOfPorts, int ActorKey, int PartnerKey, string PartnerMac)
{
    public bool HasPartner => !MacAddresses.IsZero(PartnerMac);
}

/// <summary>One "details actor/partner lacp pdu" block of a slave.</summary>
public sealed record LacpPduDetails(int SystemPriority, string SystemMac, int Key, int PortPriority, int PortNumber, int PortState);

/// <summary>The "802.3ad info" section. Fields the kernel shows only with CAP_NET_ADMIN are null when hidden.</summary>
public sealed record LacpInfo(
    bool? LacpActive,
    string? LacpRate,
    int? MinLinks,
    string? AggregatorSelection,
    string? SystemMac,
    bool NoActiveAggregator,
    AggregatorInfo? ActiveAggregator);

/// <summary>One "Slave Interface:" block.</summary>
public sealed record SlaveStatus(
    string Name,
    MiiStatus Mii,
    int? SpeedMbps,
    Duplex Duplex,
    long LinkFailureCount,
    string PermanentHwAddr,
    int? QueueId,
    int? AggregatorId,
    string? ActorChurnState,
    string? PartnerChurnState,
    LacpPduDetails? ActorPdu,
    LacpPduDetails? PartnerPdu)
{
    public bool IsUp => Mii == MiiStatus.Up;
}

/// <summary>A parsed <c>/proc/net/bonding/&lt;bond&gt;</c>.</summary>
public sealed record BondStatus(
    string Name,
    string DriverVersion,
    BondMode Mode,
    string ModeText,
    string? TransmitHashPolicy,
    string? PrimarySlave,
    string? ActiveSlave,
    MiiStatus Mii,
    int MiiPollingIntervalMs,
    int UpDelayMs,
    int DownDelayMs,
    LacpInfo? Lacp,
    IReadOnlyList<SlaveStatus> Slaves)
{
    public bool IsUp => Mii == MiiStatus.Up;

    public SlaveStatus? Slave(string name) => Slaves.FirstOrDefault(s => s.Name == name);

    /// <summary>Partner system MAC of the active aggregator, or null when the kernel does not show it.</summary>
    public string? PartnerMac => Lacp switch
    {
        { ActiveAggregator: { } agg } => agg.PartnerMac,
        { NoActiveAggregator: true } => MacAddresses.Zero,
        _ => null,
    };
}

/// <summary>The outcome of reading one bond: its status, or why it could not be read. Never an exception.</summary>
public sealed record BondReading(string Bond, BondStatus? Status, string? Error)
{
    public static BondReading Ok(BondStatus status) => new(status.Name, status, null);

    public static BondReading Failed(string bond, string error) => new(bond, null, error);

    public bool IsOk => Status is not null;
}
