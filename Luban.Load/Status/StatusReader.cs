using System.Text.Json;

namespace Luban.Load.Status;

/// <summary>
/// Reads <c>/api/status</c> from the seed's admin endpoint with a short timeout. A failed read is an answer too
/// (null, with the reason in <see cref="LastProblem"/>): the load run goes on without it.
/// </summary>
public sealed class StatusReader : IDisposable
{
    private readonly HttpClient _client;
    private readonly Uri _statusUrl;

    public StatusReader(Uri adminUrl, TimeSpan timeout)
    {
        _statusUrl = new Uri(adminUrl, "/api/status");
        _client = new HttpClient(new SocketsHttpHandler { UseProxy = false, UseCookies = false }) { Timeout = timeout };
    }

    public Uri StatusUrl => _statusUrl;

    public string? LastProblem { get; private set; }

    public async Task<AdminStatus?> TryReadAsync(CancellationToken cancel)
    {
        try
        {
            using var response = await _client.GetAsync(_statusUrl, cancel);
            if (!response.IsSuccessStatusCode)
                return Problem($"HTTP {(int)response.StatusCode}");
            var status = AdminStatus.Parse(await response.Content.ReadAsStringAsync(cancel));
            // The seed answers without hosts and policy while the supervisor is away; that says nothing about VMs.
            return status.HasScaling
                ? status
                : Problem(status.Problems is { Count: > 0 } problems ? string.Join("; ", problems) : "no scaling status");
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            throw;
        }
        catch (TaskCanceledException)
        {
            return Problem($"no answer within {_client.Timeout.TotalMilliseconds:0} ms");
        }
        catch (HttpRequestException error)
        {
            return Problem(error.HttpRequestError == HttpRequestError.Unknown ? error.Message : error.HttpRequestError.ToString());
        }
        catch (JsonException error)
        {
            return Problem($"unreadable status document ({error.Message})");
        }
    }

    private AdminStatus? Problem(string problem)
    {
        LastProblem = problem;
        return null;
    }

    public void Dispose() => _client.Dispose();
}
