using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Luban.Tests.FengShui;
using Luban.Web.Api;

namespace Luban.Tests.Web;

/// <summary>
/// Runs when LUBAN_AOT_BINARY names a published Luban.Web binary, or when LUBAN_TEST_AOT=1 (the test then publishes
/// one itself, which takes minutes of CPU).
/// </summary>
public sealed class AotFactAttribute : FactAttribute
{
    public AotFactAttribute()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("LUBAN_AOT_BINARY")) && Environment.GetEnvironmentVariable("LUBAN_TEST_AOT") != "1")
        {
            Skip = "SKIPPED: set LUBAN_TEST_AOT=1 (publish here) or LUBAN_AOT_BINARY=<path> to test the NativeAOT binary";
        }
    }
}

public class NativeAotSpecs
{
    [AotFact]
    public async Task Published_binary_should_start_and_answer_the_api()
    {
        var binary = Environment.GetEnvironmentVariable("LUBAN_AOT_BINARY") ?? await PublishAsync();
        var port = FreePort();
        var db = Path.Combine(Path.GetTempPath(), $"luban-aot-{Guid.NewGuid():N}.db");
        using var process = Process.Start(new ProcessStartInfo(binary)
        {
            ArgumentList = { "--urls", $"http://127.0.0.1:{port}", "--connection-string", $"Data Source={db}", "--instance", "aot-test" },
            // Only stderr is captured (to explain an early exit); stdout is left alone so a full pipe can never block the binary.
            RedirectStandardError = true,
        })!;
        try
        {
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            await WaitUntilHealthyAsync(client, process);

            var body = JsonSerializer.Serialize(SampleHouses.HouseA(), AppJsonContext.Default.EvaluationRequest);
            var created = await client.PostAsync("/api/evaluations", new StringContent(body, Encoding.UTF8, "application/json"));
            var malformed = await client.PostAsync("/api/evaluations", new StringContent("{\"houseType\":5}", Encoding.UTF8, "application/json"));

            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            using var json = JsonDocument.Parse(await created.Content.ReadAsStringAsync());
            Assert.Equal(88.2m, json.RootElement.GetProperty("total").GetDecimal());
            Assert.Equal("aot-test", Assert.Single(created.Headers.GetValues("X-Luban-Instance")));
            Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        }
        finally
        {
            process.Kill();
            await process.WaitForExitAsync();
            foreach (var path in new[] { db, db + "-wal", db + "-shm" })
            {
                File.Delete(path);
            }
        }
    }

    [AotFact]
    public async Task Published_binary_should_refuse_bad_configuration_in_one_line()
    {
        var binary = Environment.GetEnvironmentVariable("LUBAN_AOT_BINARY") ?? await PublishAsync();
        using var process = Process.Start(new ProcessStartInfo(binary)
        {
            ArgumentList = { "--instance", "no spaces allowed" },
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        })!;

        var stderr = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();

        Assert.NotEqual(0, process.ExitCode);
        Assert.StartsWith("invalid configuration: instance:", Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
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
