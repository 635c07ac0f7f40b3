namespace Luban.Actors.Common;

/// <summary>A physical host of the cluster, as the operator names it: "A" (front end), "B", "C", …</summary>
public readonly record struct HostId(string Value)
{
    public override string ToString() => Value;
}

/// <summary>A virtual machine, named <c>luban-&lt;host&gt;-&lt;n&gt;</c> in libvirt.</summary>
public readonly record struct VmId(string Value)
{
    public override string ToString() => Value;

    public static VmId For(HostId host, int index) => new($"luban-{host.Value.ToLowerInvariant()}-{index}");
}
