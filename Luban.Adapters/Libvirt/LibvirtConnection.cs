using System.Runtime.InteropServices;
using Luban.Actors.Hypervisor;

namespace Luban.Adapters.Libvirt;

/// <summary>
/// A connection to one libvirt driver by URI (<c>qemu:///system</c>, <c>test:///default</c>, …). Safe to share between
/// threads; each call reads libvirt's per-thread error right after it fails. All calls block: run them off an
/// actor's thread.
/// </summary>
public sealed class LibvirtConnection : IDisposable
{
    private static readonly Lazy<LibvirtError?> Initialization = new(Initialize, LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly ConnectHandle _handle;

    private LibvirtConnection(ConnectHandle handle, string uri)
    {
        _handle = handle;
        Uri = uri;
    }

    public string Uri { get; }

    /// <summary>Opens a read-write connection. Fails (never throws) when libvirt is missing or refuses.</summary>
    public static LibvirtResult<LibvirtConnection> Open(string uri)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(uri);
        if (Initialization.Value is { } initError)
        {
            return initError with { Operation = $"open {uri}" };
        }

        var handle = LibvirtNative.virConnectOpen(uri);
        if (handle.IsInvalid)
        {
            var error = LibvirtError.Capture($"open {uri}");
            handle.Dispose();
            return error;
        }

        return new LibvirtResult<LibvirtConnection>.Ok(new LibvirtConnection(handle, uri));
    }

    /// <summary>Every domain, active or not, as plain data. A domain undefined while listing is left out.</summary>
    public LibvirtResult<IReadOnlyList<DomainSummary>> ListAllDomains()
    {
        var count = LibvirtNative.virConnectListAllDomains(Live(), out var array, LibvirtNative.ListDomainsAll);
        if (count < 0)
        {
            return LibvirtError.Capture("list domains");
        }

        // Take ownership of every element before doing anything that could fail, then free the array itself.
        var handles = new DomainHandle[count];
        try
        {
            for (var i = 0; i < count; i++)
            {
                handles[i] = new DomainHandle(Marshal.ReadIntPtr(array, i * IntPtr.Size));
            }
        }
        finally
        {
            FreeArray(array);
        }

        var summaries = new List<DomainSummary>(count);
        LibvirtError? failure = null;
        foreach (var handle in handles)
        {
            using var domain = new LibvirtDomain(handle);
            if (failure is not null)
            {
                continue;
            }

            switch (domain.GetState())
            {
                case LibvirtResult<DomainStateInfo>.Ok state:
                    summaries.Add(new DomainSummary(domain.Name, domain.Uuid, domain.Id, state.Value));
                    break;
                case LibvirtResult<DomainStateInfo>.Failed { Error.Code: LibvirtErrorCode.NoDomain }:
                    break;
                case LibvirtResult<DomainStateInfo>.Failed failed:
                    failure = failed.Error;
                    break;
            }
        }

        return failure is not null
            ? failure
            : new LibvirtResult<IReadOnlyList<DomainSummary>>.Ok(summaries.AsReadOnly());
    }

    /// <summary>Looks a domain up by name; the caller disposes the returned domain.</summary>
    public LibvirtResult<LibvirtDomain> LookupByName(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return Wrap(LibvirtNative.virDomainLookupByName(Live(), name), $"lookup {name}");
    }

    /// <summary>Defines (or redefines) a persistent domain from XML; the caller disposes the returned domain.</summary>
    public LibvirtResult<LibvirtDomain> Define(string xml)
    {
        ArgumentException.ThrowIfNullOrEmpty(xml);
        return Wrap(LibvirtNative.virDomainDefineXML(Live(), xml), "define");
    }

    public LibvirtResult<Done> Start(string name) => WithDomain(name, d => d.Start());

    public LibvirtResult<Done> Shutdown(string name, ShutdownMode mode = ShutdownMode.Default) =>
        WithDomain(name, d => d.Shutdown(mode));

    public LibvirtResult<Done> Destroy(string name) => WithDomain(name, d => d.Destroy());

    public LibvirtResult<Done> Undefine(string name) => WithDomain(name, d => d.Undefine());

    public LibvirtResult<Done> Suspend(string name) => WithDomain(name, d => d.Suspend());

    public LibvirtResult<Done> Resume(string name) => WithDomain(name, d => d.Resume());

    public LibvirtResult<Done> ManagedSave(string name) => WithDomain(name, d => d.ManagedSave());

    public LibvirtResult<bool> HasManagedSaveImage(string name) => WithDomain(name, d => d.HasManagedSaveImage());

    public LibvirtResult<Done> RemoveManagedSave(string name) => WithDomain(name, d => d.RemoveManagedSave());

    public LibvirtResult<DomainStateInfo> GetState(string name) => WithDomain(name, d => d.GetState());

    public LibvirtResult<DomainInfo> GetInfo(string name) => WithDomain(name, d => d.GetInfo());

    public void Dispose() => _handle.Dispose();

    private LibvirtResult<T> WithDomain<T>(string name, Func<LibvirtDomain, LibvirtResult<T>> operation)
    {
        switch (LookupByName(name))
        {
            case LibvirtResult<LibvirtDomain>.Ok found:
                using (var domain = found.Value)
                {
                    return operation(domain);
                }
            case LibvirtResult<LibvirtDomain>.Failed failed:
                return failed.Error;
            default:
                throw new InvalidOperationException("unreachable");
        }
    }

    private static LibvirtResult<LibvirtDomain> Wrap(DomainHandle handle, string operation)
    {
        if (handle.IsInvalid)
        {
            var error = LibvirtError.Capture(operation);
            handle.Dispose();
            return error;
        }

        return new LibvirtResult<LibvirtDomain>.Ok(new LibvirtDomain(handle));
    }

    private ConnectHandle Live()
    {
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        return _handle;
    }

    private static unsafe void FreeArray(IntPtr array)
    {
        // libvirt allocated the array with malloc; NativeMemory.Free is C free() on Unix.
        if (array != IntPtr.Zero)
        {
            NativeMemory.Free((void*)array);
        }
    }

    private static unsafe LibvirtError? Initialize()
    {
        try
        {
            // Install the no-op handler first so even a failing virInitialize prints nothing.
            LibvirtNative.virSetErrorFunc(IntPtr.Zero, LibvirtNative.IgnoreErrorPointer);
            return LibvirtNative.virInitialize() < 0 ? LibvirtError.Capture("initialize libvirt") : null;
        }
        catch (DllNotFoundException e)
        {
            return new LibvirtError(LibvirtErrorCode.LibraryNotLoaded, 0, e.Message, "load libvirt.so.0");
        }
    }
}
