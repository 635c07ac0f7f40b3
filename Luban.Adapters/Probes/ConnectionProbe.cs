using System.Collections.Concurrent;
using System.Globalization;
using Luban.Actors.Hypervisor;
using Luban.Protocol;
using Renci.SshNet;
using Renci.SshNet.Common;

namespace Luban.Adapters.Probes;

/// <summary>
/// <see cref="IConnectionProbe"/> over SSH (SSH.NET): one persistent session per VM, reconnected after any failure,
/// key authentication with the image's agent key, and the guest's host key pinned to the fingerprint recorded at
/// image build time. Runs <c>luban-conns &lt;service port&gt;</c> in the guest.
/// </summary>
public sealed class ConnectionProbe : IConnectionProbe
{
    public const string User = "root";
    public const string CountCommand = "luban-conns";

    private readonly ConcurrentDictionary<VmId, Session> _sessions = new();
    private readonly IPrivateKeySource? _key;
    private readonly string? _keyProblem;
    private readonly string _pinnedFingerprint;
    private readonly TimeSpan _timeout;
    private volatile bool _disposed;

    /// <param name="privateKeyPath">The agent's private key (OpenSSH format).</param>
    /// <param name="pinnedFingerprint">The guest host key's SHA-256 fingerprint as <c>ssh-keygen -l</c> prints it: <c>SHA256:…</c>.</param>
    public ConnectionProbe(string privateKeyPath, string pinnedFingerprint, TimeSpan timeout)
    {
        _pinnedFingerprint = pinnedFingerprint.Trim();
        _timeout = timeout;
        try
        {
            _key = new PrivateKeyFile(privateKeyPath);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException or SshException
                                          or ArgumentException or InvalidOperationException)
        {
            // No key means every probe is "unknown" with this reason; the agent itself keeps running.
            _keyProblem = $"cannot load the agent key {privateKeyPath}: {error.Message}";
        }
    }

    /// <summary>The probe for guests of the image in the settings' image directory (scripts/vm/build-image.sh).</summary>
    public static ConnectionProbe ForImage(HypervisorSettings settings)
    {
        string fingerprint;
        try
        {
            fingerprint = File.ReadAllText(settings.HostKeyFingerprintPath).Trim();
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            // An unreadable pin pins nothing: every host key is refused.
            fingerprint = $"(no pinned key: {error.Message})";
        }

        return new ConnectionProbe(settings.AgentKeyPath, fingerprint, settings.ProbeTimeout);
    }

    public async Task<ProbeResult> CountAsync(GuestAddress guest, CancellationToken cancellationToken)
    {
        if (_key is null) return ProbeResult.Unknown(_keyProblem!);
        if (_disposed) return ProbeResult.Unknown("the probe is closed");
        var session = _sessions.GetOrAdd(guest.Vm, _ => new Session());
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(ProbeBudget.WorstCase(_timeout));
        try
        {
            await session.Gate.WaitAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return ProbeResult.Unknown("a previous probe of this VM is still running");
        }

        try
        {
            return await CountLockedAsync(session, guest, deadline.Token).ConfigureAwait(false);
        }
        finally
        {
            session.Gate.Release();
        }
    }

    private async Task<ProbeResult> CountLockedAsync(Session session, GuestAddress guest, CancellationToken token)
    {
        try
        {
            if (session.Client is not { IsConnected: true } || session.Port != guest.SshHostPort)
            {
                session.Reset();
                session.Client = Connect(guest, session);
                session.Port = guest.SshHostPort;
                await session.Client.ConnectAsync(token).ConfigureAwait(false);
            }

            using var command = session.Client.CreateCommand(
                string.Create(CultureInfo.InvariantCulture, $"{CountCommand} {guest.GuestServicePort}"));
            command.CommandTimeout = _timeout;
            using var commandDeadline = CancellationTokenSource.CreateLinkedTokenSource(token);
            commandDeadline.CancelAfter(_timeout);
            await command.ExecuteAsync(commandDeadline.Token).ConfigureAwait(false);
            var output = command.Result.Trim();
            if (command.ExitStatus != 0 || !int.TryParse(output, NumberStyles.None, CultureInfo.InvariantCulture, out var count))
                return ProbeResult.Unknown($"'{CountCommand}' exited {command.ExitStatus?.ToString(CultureInfo.InvariantCulture) ?? "by a signal"} printing '{Shorten(output)}' {Shorten(command.Error)}".TrimEnd());
            return ProbeResult.Counted(count);
        }
        catch (Exception error) when (error is SshException or System.Net.Sockets.SocketException or IOException
                                          or OperationCanceledException or TimeoutException or InvalidOperationException
                                          or ObjectDisposedException)
        {
            var rejected = session.RejectedFingerprint;
            // Any failure ends the session: one whose command was cancelled can stay wedged (every later command timing
            // out, counts unknown for good), and a new one has ProbeBudget.ConnectBudget timeouts to get through.
            session.Reset();
            if (rejected is not null)
                return ProbeResult.Refused(
                    $"{guest.Vm} at {guest.Host}:{guest.SshHostPort} presented host key SHA256:{rejected}, not the pinned {_pinnedFingerprint}");
            return ProbeResult.Unknown($"{guest.Vm} over SSH {guest.Host}:{guest.SshHostPort}: {error.GetType().Name}: {error.Message}");
        }
    }

    private SshClient Connect(GuestAddress guest, Session session)
    {
        var info = new PrivateKeyConnectionInfo(guest.Host, guest.SshHostPort, User, _key!) { Timeout = _timeout * ProbeBudget.ConnectBudget };
        var client = new SshClient(info);
        client.HostKeyReceived += (_, e) =>
        {
            // Pinned: only the key recorded when the image was built is trusted; anything else is refused.
            e.CanTrust = string.Equals($"SHA256:{e.FingerPrintSHA256}", _pinnedFingerprint, StringComparison.Ordinal);
            session.RejectedFingerprint = e.CanTrust ? null : e.FingerPrintSHA256;
        };
        return client;
    }

    public void Forget(VmId vm)
    {
        if (_sessions.TryRemove(vm, out var session)) session.DisposeWhenIdle();
    }

    public void Dispose()
    {
        _disposed = true;
        foreach (var vm in _sessions.Keys) Forget(vm);
    }

    private static string Shorten(string text) => text.Length > 80 ? text[..80] + "…" : text.Trim();

    private sealed class Session
    {
        public SemaphoreSlim Gate { get; } = new(1, 1);
        public SshClient? Client { get; set; }
        public int Port { get; set; }
        public volatile string? RejectedFingerprint;

        public void Reset()
        {
            var client = Client;
            Client = null;
            RejectedFingerprint = null;
            if (client is null) return;
            try
            {
                client.Dispose();
            }
            catch (Exception error) when (error is SshException or IOException or ObjectDisposedException)
            {
                // Tearing down a broken session may fail; it is gone either way.
            }
        }

        /// <summary>Waits for a running probe to finish (it has its own deadline), then closes the session.</summary>
        public void DisposeWhenIdle() => _ = Task.Run(async () =>
        {
            await Gate.WaitAsync().ConfigureAwait(false);
            Reset();
        });
    }
}
