using System.Globalization;

namespace Luban.Actors.Bonding;

/// <summary>RFC 2863 operational state as <c>/sys/class/net/&lt;if&gt;/operstate</c> prints it, plus Missing.</summary>
public enum OperState
{
    Unknown,
    NotPresent,
    Down,
    LowerLayerDown,
    Testing,
    Dormant,
    Up,
    /// <summary>No such interface under the root (not an operstate the kernel writes).</summary>
    Missing,
}

/// <summary>One plain interface from sysfs. Null means the kernel does not know (or refused to say, e.g. EINVAL on a down link).</summary>
public sealed record InterfaceState(string Name, OperState OperState, bool? Carrier, int? SpeedMbps, Duplex Duplex)
{
    /// <summary>Up when the kernel says so; "unknown" (drivers without operstate support) counts as up only with carrier.</summary>
    public bool IsUp => OperState == OperState.Up || (OperState == OperState.Unknown && Carrier == true);

    public static InterfaceState Missing(string name) => new(name, OperState.Missing, null, null, Duplex.Unknown);
}

/// <summary>Parses the contents of <c>/sys/class/net/&lt;if&gt;/{operstate,carrier,speed,duplex}</c>; null content = file missing or unreadable.</summary>
public static class SysfsLinkParser
{
    public static InterfaceState Parse(string name, string? operstate, string? carrier, string? speed, string? duplex) =>
        new(name, ParseOperState(operstate), ParseCarrier(carrier), ParseSpeed(speed), ParseDuplex(duplex));

    public static OperState ParseOperState(string? text) => text?.Trim() switch
    {
        "up" => OperState.Up,
        "down" => OperState.Down,
        "lowerlayerdown" => OperState.LowerLayerDown,
        "dormant" => OperState.Dormant,
        "testing" => OperState.Testing,
        "notpresent" => OperState.NotPresent,
        _ => OperState.Unknown,
    };

    public static bool? ParseCarrier(string? text) => text?.Trim() switch
    {
        "1" => true,
        "0" => false,
        _ => null,
    };

    public static int? ParseSpeed(string? text) =>
        // SPEED_UNKNOWN is -1; kernels before 4.x printed it unsigned as 4294967295; 0 is "no link" for some drivers.
        long.TryParse(text?.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var mbps) && mbps > 0 && mbps < int.MaxValue
            ? (int)mbps
            : null;

    public static Duplex ParseDuplex(string? text) => text?.Trim() switch
    {
        "full" => Duplex.Full,
        "half" => Duplex.Half,
        _ => Duplex.Unknown,
    };

    public static string Name(this OperState state) => state switch
    {
        OperState.LowerLayerDown => "lowerlayerdown",
        OperState.NotPresent => "notpresent",
        _ => state.ToString().ToLowerInvariant(),
    };
}
