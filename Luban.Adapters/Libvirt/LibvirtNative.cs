using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Luban.Adapters.Libvirt;

/// <summary>
/// The subset of libvirt's C API the binding uses. Names and signatures follow libvirt.h exactly; everything that
/// returns memory owned by libvirt is marshalled as <see cref="IntPtr"/> so the marshaller never frees it.
/// </summary>
internal static unsafe partial class LibvirtNative
{
    // The unversioned "libvirt" name only exists with the -dev package installed.
    private const string Lib = "libvirt.so.0";

    [LibraryImport(Lib)]
    internal static partial int virInitialize();

    [LibraryImport(Lib)]
    internal static partial void virSetErrorFunc(IntPtr userData, delegate* unmanaged[Cdecl]<IntPtr, IntPtr, void> handler);

    [LibraryImport(Lib)]
    internal static partial int virGetLastErrorCode();

    [LibraryImport(Lib)]
    internal static partial int virGetLastErrorDomain();

    /// <summary>Thread-local message owned by libvirt: never freed by the caller.</summary>
    [LibraryImport(Lib)]
    internal static partial IntPtr virGetLastErrorMessage();

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial ConnectHandle virConnectOpen(string? name);

    [LibraryImport(Lib)]
    internal static partial int virConnectClose(IntPtr conn);

    /// <summary>Fills <paramref name="domains"/> with a malloc'd array; each element needs virDomainFree, the array free().</summary>
    [LibraryImport(Lib)]
    internal static partial int virConnectListAllDomains(ConnectHandle conn, out IntPtr domains, uint flags);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial DomainHandle virDomainLookupByName(ConnectHandle conn, string name);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial DomainHandle virDomainDefineXML(ConnectHandle conn, string xml);

    [LibraryImport(Lib)]
    internal static partial int virDomainFree(IntPtr domain);

    [LibraryImport(Lib)]
    internal static partial int virDomainCreate(DomainHandle domain);

    [LibraryImport(Lib)]
    internal static partial int virDomainShutdown(DomainHandle domain);

    [LibraryImport(Lib)]
    internal static partial int virDomainShutdownFlags(DomainHandle domain, uint flags);

    [LibraryImport(Lib)]
    internal static partial int virDomainDestroy(DomainHandle domain);

    [LibraryImport(Lib)]
    internal static partial int virDomainUndefine(DomainHandle domain);

    [LibraryImport(Lib)]
    internal static partial int virDomainSuspend(DomainHandle domain);

    [LibraryImport(Lib)]
    internal static partial int virDomainResume(DomainHandle domain);

    [LibraryImport(Lib)]
    internal static partial int virDomainManagedSave(DomainHandle domain, uint flags);

    [LibraryImport(Lib)]
    internal static partial int virDomainHasManagedSaveImage(DomainHandle domain, uint flags);

    [LibraryImport(Lib)]
    internal static partial int virDomainManagedSaveRemove(DomainHandle domain, uint flags);

    [LibraryImport(Lib)]
    internal static partial int virDomainGetState(DomainHandle domain, out int state, out int reason, uint flags);

    [LibraryImport(Lib)]
    internal static partial int virDomainGetInfo(DomainHandle domain, out VirDomainInfo info);

    /// <summary>Returns memory owned by the domain object: marshal as a pointer, never as a string.</summary>
    [LibraryImport(Lib)]
    internal static partial IntPtr virDomainGetName(DomainHandle domain);

    /// <summary>Writes VIR_UUID_STRING_BUFLEN (37) bytes, NUL included.</summary>
    [LibraryImport(Lib)]
    internal static partial int virDomainGetUUIDString(DomainHandle domain, byte* buf);

    [LibraryImport(Lib)]
    internal static partial uint virDomainGetID(DomainHandle domain);

    [LibraryImport(Lib)]
    internal static partial int virDomainIsActive(DomainHandle domain);

    internal const int UuidStringBufferLength = 37;
    internal const uint ListDomainsAll = 0;
    internal const uint ShutdownAcpiPowerButton = 1;

    /// <summary>struct _virDomainInfo; C <c>unsigned long</c> is <see cref="CULong"/> (64-bit on Linux x64).</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct VirDomainInfo
    {
        public byte State;
        public CULong MaxMem;
        public CULong Memory;
        public ushort NrVirtCpu;
        public ulong CpuTime;
    }

    /// <summary>Installed with virSetErrorFunc so libvirt prints nothing to stderr; errors are read per call instead.</summary>
    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    internal static void IgnoreError(IntPtr userData, IntPtr error)
    {
    }

    internal static delegate* unmanaged[Cdecl]<IntPtr, IntPtr, void> IgnoreErrorPointer => &IgnoreError;
}
