using System.Globalization;
using Luban.Protocol.Bonding;

namespace Luban.Actors.Bonding;

/// <summary>
/// Parses the contents of <c>/sys/class/net/&lt;if&gt;/{operstate,carrier,speed,duplex}</c> and
/// <c>statistics/{rx,tx}_{bytes,packets}</c>; null content = file missing or unreadable.
/// </summary>
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

    /// <summary>A <c>statistics/*</c> counter: a decimal u64; null when missing, not a number or beyond long.</summary>
    public static long? ParseCounter(string? text) =>
        long.TryParse(text?.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var count) ? count : null;

    public static InterfaceCounters ParseCounters(string name, string? bond, string? rxBytes, string? rxPackets, string? txBytes, string? txPackets) =>
        new(name, bond, ParseCounter(rxBytes), ParseCounter(rxPackets), ParseCounter(txBytes), ParseCounter(txPackets));

    public static Duplex ParseDuplex(string? text) => text?.Trim() switch
    {
        "full" => Duplex.Full,
        "half" => Duplex.Half,
        _ => Duplex.Unknown,
    };
}
