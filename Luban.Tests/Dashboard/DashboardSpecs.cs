using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Luban.Seed.Dashboard;
using Luban.Tests.Support;

namespace Luban.Tests.Dashboard;

/// <summary>The dashboard's page and its status stream, served by a real seed in this process.</summary>
public sealed class DashboardSpecs : IAsyncLifetime
{
    private TestCluster _cluster = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _cluster = await TestCluster.StartSeedAsync();
        // No client timeout: the stream is meant to stay open; each test bounds its own wait.
        _http = new HttpClient { BaseAddress = _cluster.AdminUrl, Timeout = Timeout.InfiniteTimeSpan };
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _cluster.DisposeAsync();
    }

    [Fact]
    public async Task Dashboard_should_serve_a_page_that_loads_the_vendored_chart_script()
    {
        using var page = await _http.GetAsync(DashboardEndpoints.PagePath);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("<script src=\"/dashboard/chart.umd.min.js\">", html);
        Assert.Contains("/dashboard/dashboard.js", html);
        Assert.Contains("魯班雲", html);

        var chartJs = await _http.GetStringAsync("/dashboard/chart.umd.min.js");
        Assert.Contains("Chart.js v4", chartJs);
        Assert.Contains("MIT", await _http.GetStringAsync("/dashboard/chart.js.LICENSE.txt"));
        Assert.Contains("EventSource(\"/api/status/stream\")", await _http.GetStringAsync("/dashboard/dashboard.js"));

        using var missing = await _http.GetAsync("/dashboard/not-there.js");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task Members_should_answer_from_the_seeds_own_view_with_the_same_fields_as_the_status()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        JsonElement members;
        do
        {
            members = JsonDocument.Parse(await _http.GetStringAsync("/api/members", timeout.Token)).RootElement;
            if (members.GetArrayLength() == 0) await Task.Delay(100, timeout.Token);
        } while (members.GetArrayLength() == 0);

        var self = Assert.Single(members.EnumerateArray());
        Assert.Equal(_cluster.SeedAddress.ToString(), self.GetProperty("address").GetString());
        Assert.Equal(["seed"], self.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
        Assert.True(self.GetProperty("reachable").GetBoolean());
        Assert.False(string.IsNullOrEmpty(self.GetProperty("status").GetString()));
    }

    [Fact]
    public async Task Status_stream_should_push_the_status_document_every_second()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var response = await _http.GetAsync(DashboardEndpoints.StreamPath, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(timeout.Token));

        var first = await NextDocumentAsync(reader, timeout.Token);
        var second = await NextDocumentAsync(reader, timeout.Token);

        using var status = JsonDocument.Parse(await _http.GetStringAsync("/api/status", timeout.Token));
        var expected = status.RootElement.EnumerateObject().Select(p => p.Name).ToList();
        Assert.Contains("hosts", expected);
        foreach (var document in new[] { first, second })
        {
            Assert.Equal(expected, document.EnumerateObject().Select(p => p.Name).ToList());
            Assert.Equal(_cluster.SeedAddress.ToString(), document.GetProperty("self").GetString());
            // Members may still be empty while the seed joins itself; the shape is what every push must keep.
            foreach (var list in new[] { "members", "hosts", "events", "problems" })
                Assert.Equal(JsonValueKind.Array, document.GetProperty(list).ValueKind);
        }

        var gap = second.GetProperty("generatedAt").GetDateTimeOffset() - first.GetProperty("generatedAt").GetDateTimeOffset();
        // A real server on its real timer (the cadence itself is tested on a fake clock in StatusStreamSpecs): about
        // one push interval; 0.9 allows for timer granularity, 10x for a loaded 2-core machine.
        Assert.InRange(gap, DashboardEndpoints.PushInterval * 0.9, DashboardEndpoints.PushInterval * 10);
    }

    [Fact]
    public async Task Status_stream_should_end_when_the_seed_stops_so_shutdown_does_not_wait_for_it()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var response = await _http.GetAsync(DashboardEndpoints.StreamPath, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(timeout.Token));
        await NextDocumentAsync(reader, timeout.Token);

        var stopping = Stopwatch.StartNew();
        await _cluster.Seed.StopAsync(timeout.Token);
        stopping.Stop();

        // Kestrel would otherwise hold shutdown for its whole timeout (30 s) waiting on the open response. A real
        // server stopping takes well under a second here; 10 s of margin still tells the two apart.
        Assert.True(stopping.Elapsed < TimeSpan.FromSeconds(10), $"the seed took {stopping.Elapsed} to stop with a dashboard open");
        string? line;
        while ((line = await reader.ReadLineAsync(timeout.Token)) is not null)
        {
            Assert.True(line.Length == 0 || line.StartsWith("data: ", StringComparison.Ordinal), $"unexpected line: {line}");
        }
    }

    /// <summary>Reads lines up to the next <c>data:</c> event and parses it as JSON.</summary>
    private static async Task<JsonElement> NextDocumentAsync(StreamReader reader, CancellationToken cancel)
    {
        while (await reader.ReadLineAsync(cancel) is { } line)
        {
            if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                using var document = JsonDocument.Parse(line["data: ".Length..]);
                return document.RootElement.Clone();
            }
        }

        throw new Xunit.Sdk.XunitException("the status stream ended before the next event");
    }
}
