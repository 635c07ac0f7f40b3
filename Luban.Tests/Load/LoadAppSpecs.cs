using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Xml.Linq;
using Luban.Load.Running;
using Luban.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Luban.Tests.Load;

/// <summary>
/// The program's entry run in-process against real Kestrel backends on loopback ports, with an admin endpoint that
/// does not answer. Short profiles; nothing here depends on how fast the machine is.
/// </summary>
public sealed class LoadAppSpecs : IDisposable
{
    private const string ShortProfile = "ramp 0-4 1s, hold 1s, fall 4-0 1s";
    private readonly string _out = Path.Combine(Path.GetTempPath(), $"luban-load-{Guid.NewGuid():N}");
    private readonly StringWriter _stdout = new(), _stderr = new();

    [Fact]
    public async Task Figure15_run_should_load_a_real_backend_and_write_its_files_when_the_status_is_unavailable()
    {
        await using var backend = await TestBackend.StartAsync("luban-b-1");

        var exit = await RunAsync("--figure15", "--url", backend.Url.ToString(), "--admin-url", DeadUrl(),
            "--profile", ShortProfile, "--out", _out);

        var output = Output();
        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Equal("failed=0", output[^1]);
        Assert.True(Count(output, "requests:") > 0, string.Join('\n', output));
        Assert.Contains(output, line => line.StartsWith("answered by:   luban-b-1 ", StringComparison.Ordinal));
        Assert.Contains(output, line => line.StartsWith("status:        unavailable: ", StringComparison.Ordinal));
        Assert.Contains(output, line => line.Contains("scale-out: no scale-out happened (the status endpoint never answered)"));
        Assert.Contains("luban-b-1", File.ReadAllText(Path.Combine(_out, "figure15-summary.txt")));
        Assert.StartsWith("t_s,clients,req_per_s,failed,vms_in_service", File.ReadAllText(Path.Combine(_out, "figure15.csv")));
        Assert.Equal("t_s,kind,vm,host,rule,reason", File.ReadAllText(Path.Combine(_out, "figure15-events.csv")).Trim());
        XDocument.Parse(File.ReadAllText(Path.Combine(_out, "figure15.svg")));
    }

    [Fact]
    public async Task Run_should_exit_4_and_count_failures_when_the_backend_answers_500()
    {
        await using var failing = await FailingBackend.StartAsync();

        var exit = await RunAsync("--url", failing.Url.ToString(), "--admin-url", DeadUrl(),
            "--clients", "2", "--ramp", "0s", "--hold", "1s", "--fall", "0s", "--json");

        Assert.Equal(ExitCodes.SomeFailed, exit);
        using var summary = JsonDocument.Parse(_stdout.ToString());
        var failed = summary.RootElement.GetProperty("failed").GetInt64();
        Assert.True(failed > 0);
        Assert.Equal(failed, summary.RootElement.GetProperty("non2xx").GetInt64());
        Assert.Equal(failed, summary.RootElement.GetProperty("failures").GetProperty("HTTP 500").GetInt64());
        Assert.Contains($"failed={failed}", _stderr.ToString());
    }

    [Fact]
    public async Task Run_should_stop_when_cancelled_and_still_report()
    {
        await using var backend = await TestBackend.StartAsync("luban-b-1");
        using var stop = new CancellationTokenSource();

        var run = RunAsync(stop.Token, "--url", backend.Url.ToString(), "--admin-url", DeadUrl(), "--profile", "hold 2 10m");
        await WaitUntilAsync(() => backend.Served > 0);
        await stop.CancelAsync();
        var exit = await run;

        var output = Output();
        Assert.Equal(ExitCodes.Ok, exit);
        Assert.StartsWith("interrupted after ", output[0]);
        Assert.Equal("failed=0", output[^1]);
    }

    [Fact]
    public async Task Run_should_write_plain_progress_lines_when_stderr_is_not_a_terminal()
    {
        await using var backend = await TestBackend.StartAsync("luban-b-1");

        await RunAsync("--url", backend.Url.ToString(), "--admin-url", DeadUrl(), "--profile", "hold 1 1500ms");

        var progress = _stderr.ToString().Split('\n').Where(line => line.Contains(" clients ")).ToList();
        Assert.NotEmpty(progress);
        Assert.DoesNotContain('\r', _stderr.ToString());
        Assert.All(progress, line => Assert.Contains("/2 s  ", line));
        Assert.Contains(progress, line => line.Contains("hold 1 "));
    }

    [Fact]
    public async Task Run_should_exit_1_without_load_when_the_front_door_cannot_be_reached()
    {
        var exit = await RunAsync("--url", DeadUrl(), "--clients", "2", "--ramp", "1s");

        Assert.Equal(ExitCodes.Unreachable, exit);
        Assert.Contains("cannot be reached", _stderr.ToString());
        Assert.Contains("no load was started", _stderr.ToString());
        Assert.Equal("", _stdout.ToString());
    }

    [Fact]
    public async Task Run_should_exit_2_with_one_line_naming_the_option()
    {
        var exit = await RunAsync("--clients", "many");

        Assert.Equal(ExitCodes.Usage, exit);
        var line = Assert.Single(_stderr.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("luban load: --clients ", line);
    }

    [Fact]
    public async Task Figure15_run_should_refuse_an_out_directory_it_cannot_write_before_any_load()
    {
        await using var backend = await TestBackend.StartAsync("luban-b-1");
        Directory.CreateDirectory(_out);
        var file = Path.Combine(_out, "a-file");
        await File.WriteAllTextAsync(file, "");

        var exit = await RunAsync("--figure15", "--url", backend.Url.ToString(), "--out", Path.Combine(file, "docs"));

        Assert.Equal(ExitCodes.Usage, exit);
        Assert.StartsWith("luban load: --out ", _stderr.ToString());
        Assert.Equal(0, backend.Served);
    }

    public void Dispose()
    {
        if (Directory.Exists(_out)) Directory.Delete(_out, recursive: true);
    }

    private Task<int> RunAsync(params string[] args) => RunAsync(CancellationToken.None, args);

    private Task<int> RunAsync(CancellationToken stop, params string[] args) =>
        LoadApp.RunAsync(args, new RunContext(_stdout, _stderr, false, _ => null, TimeProvider.System), stop);

    private string[] Output() => _stdout.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);

    private static long Count(string[] output, string label) =>
        long.Parse(output.Single(line => line.StartsWith(label, StringComparison.Ordinal))[label.Length..].Trim().Split(' ')[0]);

    /// <summary>A loopback URL nothing listens on: the port was free a moment ago.</summary>
    private static string DeadUrl()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return $"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}";
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new Xunit.Sdk.XunitException("timed out waiting for the load");
            await Task.Delay(20);
        }
    }

    /// <summary>A real Kestrel backend whose every answer is HTTP 500.</summary>
    private sealed class FailingBackend : IAsyncDisposable
    {
        private readonly WebApplication _app;

        private FailingBackend(WebApplication app, Uri url)
        {
            _app = app;
            Url = url;
        }

        public Uri Url { get; }

        public static async Task<FailingBackend> StartAsync()
        {
            var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            var app = builder.Build();
            app.MapFallback((HttpContext context) =>
            {
                context.Response.Headers["X-Luban-Instance"] = "luban-b-9";
                return Results.StatusCode(StatusCodes.Status500InternalServerError);
            });
            await app.StartAsync();
            var url = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
            return new FailingBackend(app, new Uri(url));
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync(new CancellationToken(canceled: true));
            await _app.DisposeAsync();
        }
    }
}
