using System.Collections.Concurrent;
using Luban.Actors.Hypervisor;

namespace Luban.Adapters.Libvirt;

/// <summary>
/// <see cref="IHypervisor"/> over the libvirt binding. Every native call runs on one dedicated thread, in order:
/// the actor never blocks, libvirt's per-thread errors stay with their call, and a slow daemon delays only this queue.
/// The connection is opened on first use and reopened after a connection-level failure (e.g. libvirtd restarted).
/// </summary>
public sealed class LibvirtHypervisor : IHypervisor
{
    private static readonly HashSet<LibvirtErrorCode> ConnectionLost =
    [
        LibvirtErrorCode.NoConnect, LibvirtErrorCode.InvalidConnection, LibvirtErrorCode.Rpc,
        LibvirtErrorCode.LibraryNotLoaded,
    ];

    private readonly BlockingCollection<Action> _work = new();
    private readonly Thread _thread;
    private readonly ShutdownMode _shutdownMode;
    private LibvirtConnection? _connection;

    public LibvirtHypervisor(string uri)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(uri);
        Uri = uri;
        // libvirt's test driver accepts only the default shutdown mode; real guests get the ACPI power button.
        _shutdownMode = uri.StartsWith("test:", StringComparison.Ordinal) ? ShutdownMode.Default : ShutdownMode.AcpiPowerButton;
        _thread = new Thread(RunQueue) { IsBackground = true, Name = $"libvirt {uri}" };
        _thread.Start();
    }

    public string Uri { get; }

    public Task<HypervisorResult<IReadOnlyList<GuestDomain>>> ListDomainsAsync(string namePrefix) =>
        Run("list domains", c => c.ListAllDomains().Map<IReadOnlyList<GuestDomain>>(all => all
            .Where(d => d.Name.StartsWith(namePrefix, StringComparison.Ordinal))
            .Select(d => new GuestDomain(d.Name, d.State))
            .OrderBy(d => d.Name, StringComparer.Ordinal)
            .ToList()));

    public Task<HypervisorResult<Done>> DefineAndStartAsync(DomainSpec spec) =>
        Run<Done>($"start {spec.Name}", connection =>
        {
            foreach (var (what, path) in new[] { ("kernel", spec.KernelPath), ("initrd", spec.InitrdPath) })
            {
                if (!File.Exists(path))
                    return new LibvirtError(LibvirtErrorCode.InvalidArgument, 0,
                        $"the {what} {path} does not exist (build the image: ./luban image)", $"start {spec.Name}");
            }

            if (spec.SerialLogPath is { } log && Path.GetDirectoryName(log) is { Length: > 0 } logDir)
                Directory.CreateDirectory(logDir);

            var xml = DomainXml.Build(spec);
            // The template carries no UUID, and libvirt refuses a redefinition under a new one: replace an old definition.
            if (connection.GetState(spec.Name) is LibvirtResult<DomainStateInfo>.Ok existing)
            {
                if (existing.Value.State != DomainState.ShutOff)
                    return new LibvirtError(LibvirtErrorCode.OperationInvalid, 0,
                        $"domain {spec.Name} is already {existing.Value}", $"start {spec.Name}");
                if (connection.Undefine(spec.Name) is LibvirtResult<Done>.Failed undefineFailed)
                    return undefineFailed.Error;
            }

            switch (connection.Define(xml))
            {
                case LibvirtResult<LibvirtDomain>.Ok defined:
                    using (var domain = defined.Value)
                        return domain.Start();
                case LibvirtResult<LibvirtDomain>.Failed failed:
                    return failed.Error;
                default:
                    throw new InvalidOperationException("unreachable");
            }
        });

    public Task<HypervisorResult<Done>> ShutdownAsync(string name) =>
        Run($"shutdown {name}", c => c.Shutdown(name, _shutdownMode));

    public Task<HypervisorResult<Done>> DestroyAsync(string name) =>
        Run($"destroy {name}", c => c.Destroy(name));

    public Task<HypervisorResult<Done>> SuspendAsync(string name) =>
        Run($"suspend {name}", c => c.Suspend(name));

    public Task<HypervisorResult<Done>> ResumeAsync(string name) =>
        Run($"resume {name}", c => c.Resume(name));

    /// <summary>Writes the guest's memory to disk and stops it (for the warm-pool benchmark's comparison).</summary>
    public Task<HypervisorResult<Done>> ManagedSaveAsync(string name) =>
        Run($"managed save {name}", c => c.ManagedSave(name));

    /// <summary>Starts a defined domain as it is (from its managed save image when it has one).</summary>
    public Task<HypervisorResult<Done>> StartDefinedAsync(string name) =>
        Run($"start {name}", c => c.Start(name));

    public void Dispose()
    {
        _work.CompleteAdding();
        // The queue drains and the thread closes the connection; a call stuck in libvirt is not waited for forever.
        _thread.Join(TimeSpan.FromSeconds(5));
    }

    private Task<HypervisorResult<T>> Run<T>(string operation, Func<LibvirtConnection, LibvirtResult<T>> call)
    {
        var completion = new TaskCompletionSource<HypervisorResult<T>>(TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            _work.Add(() => completion.SetResult(Invoke(operation, call)));
        }
        catch (InvalidOperationException)
        {
            completion.SetResult(new HypervisorError(operation, "the hypervisor connection is closed"));
        }

        return completion.Task;
    }

    /// <summary>Runs on the libvirt thread only.</summary>
    private HypervisorResult<T> Invoke<T>(string operation, Func<LibvirtConnection, LibvirtResult<T>> call)
    {
        try
        {
            if (_connection is null)
            {
                switch (LibvirtConnection.Open(Uri))
                {
                    case LibvirtResult<LibvirtConnection>.Ok opened:
                        _connection = opened.Value;
                        break;
                    case LibvirtResult<LibvirtConnection>.Failed failed:
                        return ToError(operation, failed.Error);
                }
            }

            switch (call(_connection!))
            {
                case LibvirtResult<T>.Ok ok:
                    return new HypervisorResult<T>.Ok(ok.Value);
                case LibvirtResult<T>.Failed failed:
                    if (ConnectionLost.Contains(failed.Error.Code))
                    {
                        _connection?.Dispose();
                        _connection = null;
                    }

                    return ToError(operation, failed.Error);
                default:
                    throw new InvalidOperationException("unreachable");
            }
        }
        catch (Exception error) when (error is ArgumentException or IOException or UnauthorizedAccessException
                                          or ObjectDisposedException)
        {
            // A spec the XML builder rejects, or a console-log folder we may not create: a failed call, not a crash.
            return new HypervisorError(operation, error.Message);
        }
    }

    private static HypervisorError ToError(string operation, LibvirtError error) =>
        new(operation, $"{error.Message} (libvirt error {(int)error.Code} {error.Code})",
            NotFound: error.Code == LibvirtErrorCode.NoDomain);

    private void RunQueue()
    {
        foreach (var work in _work.GetConsumingEnumerable())
            work();
        _connection?.Dispose();
        _connection = null;
    }
}
