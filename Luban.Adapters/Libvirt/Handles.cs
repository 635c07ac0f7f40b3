using Microsoft.Win32.SafeHandles;

namespace Luban.Adapters.Libvirt;

/// <summary>Owns one reference to a virConnectPtr; released with virConnectClose.</summary>
internal sealed class ConnectHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    public ConnectHandle() : base(ownsHandle: true)
    {
    }

    // virConnectClose returns the remaining reference count (>= 0), or -1 on error.
    protected override bool ReleaseHandle() => LibvirtNative.virConnectClose(handle) >= 0;
}

/// <summary>Owns one reference to a virDomainPtr; released with virDomainFree (the domain keeps its connection alive).</summary>
internal sealed class DomainHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    public DomainHandle() : base(ownsHandle: true)
    {
    }

    internal DomainHandle(IntPtr existing) : base(ownsHandle: true) => SetHandle(existing);

    protected override bool ReleaseHandle() => LibvirtNative.virDomainFree(handle) == 0;
}
