using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Luban.Tests.FengShui;
using Luban.Web.Api;

namespace Luban.Tests.Web;

/// <summary>
/// A spec of the published NativeAOT binary: LUBAN_AOT_BINARY names it (./luban test publishes it first); without it
/// the spec publishes one itself, which takes minutes of CPU. It never skips.
/// </summary>
public sealed class AotFactAttribute : FactAttribute;

public class NativeAotSpecs
{
    [AotFact]
    public async Task Published_binary_should_start_and_answer_the_api()
    {
        var db = Path.Combine(Path.GetTempPath(), $"luban-aot-{Guid.NewGuid():N}.db");
        try
        {
            await ExerciseAsync($"Data Source={db}");
        }
        finally
        {
            foreach (var path in new[] { db, db + "-wal", db + "-shm" })
            {
                File.Delete(path);
            }
        }
    }

    /// <summary>Cluster mode on PostgreSQL, the connection string read from a file (as in a guest).</summary>
    [AotFact]
    public async Task Published_binary_should_run_in_cluster_mode_on_postgres()
    {
        var file = Path.GetTempFileName();
        await File.WriteAllTextAsync(file, LubanServer.Postgres() + "\n");
        try
        {
            await ExerciseAsync(null, "--mode", "cluster", "--connection-string-file", file);
        }
        finally
        {
            File.Delete(file);
        }
    }

    // Accounts, a session cookie, a saved record with an Idempotency-Key, its replay, the list, a share link, lockout:
    // what needs Data Protection, the password hasher and the data layer to work under NativeAOT.
    private static async Task ExerciseAsync(string? connection, params string[] more)
    {
        var binary = Environment.GetEnvironmentVariable("LUBAN_AOT_BINARY") ?? await PublishAsync();
        var port = FreePort();
        var start = new ProcessStartInfo(binary)
        {
            ArgumentList = { "--urls", $"http://127.0.0.1:{port}", "--instance", "aot-test", "--lockout-attempts", "2" },
            // Only stderr is captured (to explain an early exit); stdout is left alone so a full pipe can never block the binary.
            RedirectStandardError = true,
        };
        if (connection is not null)
        {
            start.ArgumentList.Add("--connection-string");
            start.ArgumentList.Add(connection);
        }
        foreach (var arg in more)
        {
            start.ArgumentList.Add(arg);
        }
        using var process = Process.Start(start)!;
        try
        {
            using var client = new HttpClient(new SocketsHttpHandler { CookieContainer = new CookieContainer() }) { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            await WaitUntilHealthyAsync(client, process);
            var email = $"aot-{Guid.NewGuid():N}@example.org";
            StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

            var registered = await client.PostAsync("/api/account/register", Json($$"""{"email":"{{email}}","password":"correct horse"}"""));
            var body = JsonSerializer.Serialize(SampleHouses.HouseA(), AppJsonContext.Default.EvaluationRequest);
            var save = new HttpRequestMessage(HttpMethod.Post, "/api/evaluations") { Content = Json(body) };
            save.Headers.Add("Idempotency-Key", "aot-key-1");
            var created = await client.SendAsync(save);
            var replay = new HttpRequestMessage(HttpMethod.Post, "/api/evaluations") { Content = Json(body) };
            replay.Headers.Add("Idempotency-Key", "aot-key-1");
            var replayed = await client.SendAsync(replay);
            var malformed = await client.PostAsync("/api/evaluations", Json("{\"houseType\":5}"));
            using var list = JsonDocument.Parse(await client.GetStringAsync("/api/evaluations"));
            using var json = JsonDocument.Parse(await created.Content.ReadAsStringAsync());
            var id = json.RootElement.GetProperty("id").GetString();
            var share = await client.PostAsync($"/api/evaluations/{id}/share", null);
            var stranger = new HttpClient { BaseAddress = client.BaseAddress };
            using var shareJson = JsonDocument.Parse(await share.Content.ReadAsStringAsync());
            var shared = await stranger.GetAsync($"/api/shared/{shareJson.RootElement.GetProperty("token").GetString()}");
            var wrong1 = await stranger.PostAsync("/api/account/login", Json($$"""{"email":"{{email}}","password":"wrong one"}"""));
            var wrong2 = await stranger.PostAsync("/api/account/login", Json($$"""{"email":"{{email}}","password":"wrong two"}"""));

            Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            Assert.Equal(88.2m, json.RootElement.GetProperty("total").GetDecimal());
            Assert.Equal("aot-test", Assert.Single(created.Headers.GetValues("X-Luban-Instance")));
            Assert.Equal("true", Assert.Single(replayed.Headers.GetValues("Idempotent-Replayed")));
            Assert.Equal(1, list.RootElement.GetProperty("total").GetInt64());
            Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
            Assert.Equal(HttpStatusCode.OK, shared.StatusCode);
            Assert.Equal((HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests), (wrong1.StatusCode, wrong2.StatusCode));
            Assert.Contains("Content-Security-Policy", (await stranger.GetAsync("/")).Headers.Select(h => h.Key));
        }
        finally
        {
            process.Kill();
            await process.WaitForExitAsync();
        }
    }

    [AotFact]
    public async Task Published_binary_should_refuse_bad_configuration_in_one_line()
    {
        var (exit, stderr) = await RunToExitAsync("--instance", "no spaces allowed");

        Assert.NotEqual(0, exit);
        Assert.StartsWith("invalid configuration: instance:", Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
    }

    [AotFact]
    public async Task Published_binary_should_refuse_cluster_mode_without_postgres_in_one_line()
    {
        var (exit, stderr) = await RunToExitAsync("--mode", "cluster");

        Assert.Equal(2, exit);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("invalid configuration: connection-string: cluster mode keeps records only in the shared PostgreSQL database", line);
    }

    private static async Task<(int Exit, string Stderr)> RunToExitAsync(params string[] args)
    {
        var binary = Environment.GetEnvironmentVariable("LUBAN_AOT_BINARY") ?? await PublishAsync();
        var start = new ProcessStartInfo(binary) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        await stdout;
        return (process.ExitCode, stderr);
    }

    private static async Task WaitUntilHealthyAsync(HttpClient client, Process process)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                Assert.Fail($"binary exited with {process.ExitCode}: {await process.StandardError.ReadToEndAsync()}");
            }
            try
            {
                if ((await client.GetAsync("/healthz")).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            await Task.Delay(100);
        }
        Assert.Fail("binary did not answer /healthz within 30 s");
    }

    private static readonly SemaphoreSlim PublishOnce = new(1, 1);
    private static string? _published;

    private static async Task<string> PublishAsync()
    {
        await PublishOnce.WaitAsync();
        try
        {
            if (_published is not null)
            {
                return _published;
            }
            var project = Path.GetFullPath(Path.Combine(RepoRoot(), "Luban.Web", "Luban.Web.csproj"));
            // artifacts/ is git-ignored; publishing there again overwrites instead of piling up 70 MB per run.
            var output = Path.Combine(RepoRoot(), "artifacts", "aot");
            // clang-14 is what Debian 12 ships; the linker name is a property so other hosts can keep plain clang.
            var linker = Environment.GetEnvironmentVariable("LUBAN_AOT_LINKER") ?? "clang-14";
            using var publish = Process.Start(new ProcessStartInfo("dotnet")
            {
                ArgumentList = { "publish", project, "-c", "Release", "-r", "linux-x64", $"-p:CppCompilerAndLinker={linker}", "-o", output },
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            })!;
            var log = await publish.StandardOutput.ReadToEndAsync();
            await publish.WaitForExitAsync();
            Assert.True(publish.ExitCode == 0, log);
            return _published = Path.Combine(output, "Luban.Web");
        }
        finally
        {
            PublishOnce.Release();
        }
    }

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Directory.Packages.props")))
        {
            dir = dir.Parent;
        }
        return dir?.FullName ?? throw new InvalidOperationException("repository root not found above " + AppContext.BaseDirectory);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
