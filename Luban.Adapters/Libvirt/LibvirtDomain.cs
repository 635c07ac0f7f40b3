using System.Runtime.InteropServices;
using Luban.Actors.Hypervisor;

namespace Luban.Adapters.Libvirt;

/// <summary>
/// A handle on one libvirt domain. Dispose it (or let the finalizer do it) to release libvirt's reference; every
/// operation returns a <see cref="LibvirtResult{T}"/> carrying libvirt's error on failure.
/// </summary>
public sealed class LibvirtDomain : IDisposable
{
    private readonly DomainHandle _handle;

    internal LibvirtDomain(DomainHandle handle)
    {
        _handle = handle;
        Name = ReadName(handle);
        Uuid = ReadUuid(handle);
    }

    public string Name { get; }

    public Guid Uuid { get; }

    /// <summary>Boots a defined domain (virDomainCreate).</summary>
    public LibvirtResult<Done> Start() =>
        Check(LibvirtNative.virDomainCreate(Live()), "start");

    /// <summary>Asks the guest to shut down and returns at once; poll <see cref="GetState"/> for ShutOff.</summary>
    public LibvirtResult<Done> Shutdown(ShutdownMode mode = ShutdownMode.Default) => mode switch
    {
        ShutdownMode.Default => Check(LibvirtNative.virDomainShutdown(Live()), "shutdown"),
        ShutdownMode.AcpiPowerButton => Check(
            LibvirtNative.virDomainShutdownFlags(Live(), LibvirtNative.ShutdownAcpiPowerButton), "shutdown (ACPI)"),
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, null),
    };

    /// <summary>Stops the guest at once (virDomainDestroy: power cut, not a deletion).</summary>
    public LibvirtResult<Done> Destroy() =>
        Check(LibvirtNative.virDomainDestroy(Live()), "destroy");

    /// <summary>Stops the guest's vCPUs; its memory stays in the QEMU process (virDomainSuspend).</summary>
    public LibvirtResult<Done> Suspend() =>
        Check(LibvirtNative.virDomainSuspend(Live()), "suspend");

    /// <summary>Lets a suspended guest run again (virDomainResume).</summary>
    public LibvirtResult<Done> Resume() =>
        Check(LibvirtNative.virDomainResume(Live()), "resume");

    /// <summary>Writes the guest's memory to libvirt's managed save file and stops it (virDomainManagedSave); the
    /// next <see cref="Start"/> restores it from there.</summary>
    public LibvirtResult<Done> ManagedSave() =>
        Check(LibvirtNative.virDomainManagedSave(Live(), 0), "managed save");

    /// <summary>Whether a managed save image waits for the next start.</summary>
    public LibvirtResult<bool> HasManagedSaveImage()
    {
        var rc = LibvirtNative.virDomainHasManagedSaveImage(Live(), 0);
        return rc < 0 ? LibvirtError.Capture($"managed save image of {Name}") : new LibvirtResult<bool>.Ok(rc == 1);
    }

    /// <summary>Deletes the managed save image (the next start boots afresh).</summary>
    public LibvirtResult<Done> RemoveManagedSave() =>
        Check(LibvirtNative.virDomainManagedSaveRemove(Live(), 0), "remove managed save");

    /// <summary>Removes the persistent definition; a running domain keeps running as a transient one.</summary>
    public LibvirtResult<Done> Undefine() =>
        Check(LibvirtNative.virDomainUndefine(Live()), "undefine");

    public LibvirtResult<DomainStateInfo> GetState()
    {
        if (LibvirtNative.virDomainGetState(Live(), out var state, out var reason, 0) < 0)
        {
            return LibvirtError.Capture($"state of {Name}");
        }

        return new LibvirtResult<DomainStateInfo>.Ok(new DomainStateInfo((DomainState)state, reason));
    }

    public LibvirtResult<DomainInfo> GetInfo()
    {
        if (LibvirtNative.virDomainGetInfo(Live(), out var info) < 0)
        {
            return LibvirtError.Capture($"info of {Name}");
        }

        return new LibvirtResult<DomainInfo>.Ok(new DomainInfo(
            (DomainState)info.State, info.MaxMem.Value, info.Memory.Value, info.NrVirtCpu, info.CpuTime));
    }

    /// <summary>The hypervisor's id while the domain runs, otherwise null.</summary>
    public int? Id
    {
        get
        {
            var id = LibvirtNative.virDomainGetID(Live());
            return id == uint.MaxValue ? null : (int)id;
        }
    }

    public void Dispose() => _handle.Dispose();

    private DomainHandle Live()
    {
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        return _handle;
    }

    private LibvirtResult<Done> Check(int rc, string operation) =>
        rc < 0 ? LibvirtError.Capture($"{operation} {Name}") : new LibvirtResult<Done>.Ok(Done.Value);

    private static string ReadName(DomainHandle handle) =>
        Marshal.PtrToStringUTF8(LibvirtNative.virDomainGetName(handle)) ?? "";

    private static unsafe Guid ReadUuid(DomainHandle handle)
    {
        var buffer = stackalloc byte[LibvirtNative.UuidStringBufferLength];
        if (LibvirtNative.virDomainGetUUIDString(handle, buffer) < 0)
        {
            return Guid.Empty;
        }

        return Guid.TryParse(Marshal.PtrToStringUTF8((IntPtr)buffer), out var uuid) ? uuid : Guid.Empty;
    }
}
