using System.Net;
using Luban.Actors.Common;

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
    /// <summary>True when <c>GET /healthz</c> answers 200 within the timeout; never throws.</summary>
    Task<bool> IsHealthyAsync(GuestAddress guest, TimeSpan timeout);

    /// <summary>As <see cref="IsHealthyAsync"/>, telling a late answer from a refusal; never throws.</summary>
    async Task<HealthAnswer> CheckAsync(GuestAddress guest, TimeSpan timeout) =>
        await IsHealthyAsync(guest, timeout).ConfigureAwait(false) ? HealthAnswer.Healthy : HealthAnswer.Down;
}

/// <summary><see cref="IHealthProbe"/> over HTTP: <c>GET {endpoint}/healthz</c>.</summary>
public sealed class HttpHealthProbe : IHealthProbe
{
    // No pooled keep-alive connection: it would count as an established connection in the guest's own probe.
    private readonly HttpClient _http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.Zero })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    public async Task<bool> IsHealthyAsync(GuestAddress guest, TimeSpan timeout) =>
        await CheckAsync(guest, timeout).ConfigureAwait(false) == HealthAnswer.Healthy;

    public async Task<HealthAnswer> CheckAsync(GuestAddress guest, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{guest.Endpoint}/healthz");
        request.Headers.ConnectionClose = true;
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token)
                .ConfigureAwait(false);
            return response.StatusCode == HttpStatusCode.OK ? HealthAnswer.Healthy : HealthAnswer.Down;
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            return HealthAnswer.Late;
        }
        catch (Exception error) when (error is HttpRequestException or OperationCanceledException or IOException)
        {
            return HealthAnswer.Down;
        }
    }

    public void Dispose() => _http.Dispose();
}
