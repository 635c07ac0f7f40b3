using System.Net;
using Luban.Actors.Hypervisor;

namespace Luban.Adapters.Probes;

/// <summary><see cref="IHealthProbe"/> over HTTP: <c>GET {endpoint}/healthz</c>.</summary>
public sealed class HttpHealthProbe : IHealthProbe
{
    // No pooled keep-alive connection: it would count as an established connection in the guest's own probe.
    private readonly HttpClient _http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.Zero })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

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
