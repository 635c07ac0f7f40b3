namespace Luban.Protocol.Bonding;

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

public static class OperStateNames
{
    public static string Name(this OperState state) => state switch
    {
        OperState.LowerLayerDown => "lowerlayerdown",
        OperState.NotPresent => "notpresent",
        _ => state.ToString().ToLowerInvariant(),
    };
}
