namespace Luban.Protocol.Bonding;

/// <summary>
/// Traffic of one interface as <c>/sys/class/net/&lt;if&gt;/statistics/{rx,tx}_{bytes,packets}</c> count it since
/// the interface was created. <see cref="Bond"/> is the bond the interface is (the bond itself) or belongs to (a
/// slave), null for a plain watched interface. A null count: the file is missing or does not hold a number. A bond's
/// counts are the sum of its slaves' (the kernel adds them up), LACPDUs included.
/// </summary>
public sealed record InterfaceCounters(string Interface, string? Bond, long? RxBytes, long? RxPackets, long? TxBytes, long? TxPackets)
{
    public bool IsBond => Bond is not null && Bond == Interface;
}
