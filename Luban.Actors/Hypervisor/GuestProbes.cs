using Luban.Protocol;

namespace Luban.Actors.Hypervisor;

/// <summary>Where a guest's service and SSH server are reachable from the host (its forwarded ports).</summary>
public sealed record GuestAddress(VmId Vm, string Host, int ServiceHostPort, int SshHostPort, int GuestServicePort)
{
    public string Endpoint => $"http://{Host}:{ServiceHostPort}";
}

/// <summary>A connection count, or why there is none. A failed probe is "unknown" (null), never 0.</summary>
public sealed record ProbeResult(int? Connections, string? Error, bool HostKeyRejected = false)
{
    public static ProbeResult Counted(int connections) => new(connections, null);

    public static ProbeResult Unknown(string error) => new(null, error);

    public static ProbeResult Refused(string error) => new(null, error, HostKeyRejected: true);
}

/// <summary>Counts the established connections on a guest's service port (the paper's A_i).</summary>
public interface IConnectionProbe : IDisposable
{
    /// <summary>Never throws: any failure is <see cref="ProbeResult.Unknown"/>; a guest with the wrong host key is
    /// <see cref="ProbeResult.Refused"/>.</summary>
    Task<ProbeResult> CountAsync(GuestAddress guest, CancellationToken cancellationToken);

    /// <summary>Drops what is kept for the VM (its SSH session), e.g. after it stopped.</summary>
    void Forget(VmId vm);
}

/// <summary>How a guest's web service answered its health check.</summary>
public enum HealthAnswer
{
    /// <summary>200 within the timeout.</summary>
    Healthy,

    /// <summary>No answer within the timeout: a saturated guest answers late, behind its queue of requests.</summary>
    Late,

    /// <summary>Refused, reset or not 200.</summary>
    Down,
}

/// <summary>Asks whether a guest's web service is healthy.</summary>
public interface IHealthProbe : IDisposable
{
    /// <summary>How <c>GET /healthz</c> answered within the timeout: healthy, late or down; never throws.</summary>
    Task<HealthAnswer> CheckAsync(GuestAddress guest, TimeSpan timeout);
}

/// <summary>How long an SSH connection count may take, shared by the probe and the agent that waits for it.</summary>
public static class ProbeBudget
{
    /// <summary>
    /// A new session gets this many probe timeouts: the key exchange is the costly part, and on a guest saturated by
    /// requests (emulated, here) it can take several seconds. With the command's budget only, a session lost at the
    /// peak of load could not be re-opened until the load fell, leaving the count unknown exactly when it matters.
    /// </summary>
    public const int ConnectBudget = 5;

    /// <summary>The longest one count may take with probe timeout <paramref name="timeout"/>: a new session's key
    /// exchange (<see cref="ConnectBudget"/> timeouts) and then the command (one).</summary>
    public static TimeSpan WorstCase(TimeSpan timeout) => timeout * (ConnectBudget + 1);
}
