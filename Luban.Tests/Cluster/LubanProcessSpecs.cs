using System.Net.Http.Json;
using System.Text.Json;
using Luban.Tests.Support;
using Xunit.Abstractions;

namespace Luban.Tests.Cluster;

/// <summary>The real entry point: <c>./luban up --detach</c> and <c>./luban down</c> with real processes.</summary>
public sealed class LubanProcessSpecs(ITestOutputHelper output)
{
    [Fact]
    public async Task Up_detach_should_bring_three_members_up_and_down_should_leave_no_process()
    {
        var runDir = Directory.CreateTempSubdirectory("luban-up-").FullName;
        // The run's own PostgreSQL lives below it and runs as the postgres user.
        if (OperatingSystem.IsLinux()) File.SetUnixFileMode(runDir, (UnixFileMode)0b111_101_101);
        // Ports of their own so a cluster a developer runs on the defaults is not disturbed.
        var env = new Dictionary<string, string>
        {
            ["LUBAN_RUN_DIR"] = runDir,
            ["LUBAN_SEED_PORT"] = "14053",
            ["LUBAN_ADMIN_URL"] = "http://127.0.0.1:18090",
            ["LUBAN_PUBLIC_URL"] = "http://127.0.0.1:18080",
            ["LUBAN_PG_PORT"] = "55434",
            ["LUBAN_PG_DIR"] = Path.Combine(runDir, "pg"),
        };
        try
        {
            var up = await RunLubanAsync(env, "up", "--detach");
            Assert.True(up.ExitCode == 0, up.Output);
            Assert.Contains("http://127.0.0.1:18090", up.Output);

            using var http = new HttpClient { BaseAddress = new Uri("http://127.0.0.1:18090") };
            var doc = await http.GetFromJsonAsync<JsonElement>("/api/status");
            var members = doc.GetProperty("members").EnumerateArray().ToList();
            Assert.Equal(3, members.Count(m => m.GetProperty("status").GetString() == "Up"));
            Assert.Equal(["agent", "agent", "seed"],
                members.SelectMany(m => m.GetProperty("roles").EnumerateArray().Select(r => r.GetString()!)).Order());
            // The seed and the two agents (the run's PostgreSQL carries the marker too, but is not a Luban process).
            Assert.Equal(3, ProcessesStartedFrom(runDir).Count(IsLubanProcess));

            // The front door answers from a VM: the instance header names the guest that served.
            using var front = new HttpClient { BaseAddress = new Uri("http://127.0.0.1:18080") };
            using var health = await front.GetAsync("/healthz");
            Assert.True(health.IsSuccessStatusCode);
            Assert.StartsWith("luban-", health.Headers.GetValues("X-Luban-Instance").Single());
            var vms = doc.GetProperty("hosts").EnumerateArray()
                .SelectMany(h => h.GetProperty("vms").EnumerateArray()).ToList();
            Assert.True(vms.Count(v => v.GetProperty("state").GetString() == "InService") >= 2, doc.ToString());
        }
        finally
        {
            var down = await RunLubanAsync(env, "down");
            output.WriteLine(down.Output);
            Assert.Equal(0, down.ExitCode);
        }

        Assert.Empty(ProcessesStartedFrom(runDir));
        Assert.Empty(Directory.GetFiles(runDir, "*.pid"));
        // No domain of this run is left (its console log lives under the run's folder); others' are not ours to judge.
        Assert.Empty(RunDomains.WithConsoleUnder(Path.Combine(runDir, "vm")));
    }

    private async Task<(int ExitCode, string Output)> RunLubanAsync(IReadOnlyDictionary<string, string> env,
        params string[] args)
    {
        var (code, text) = await LubanScript.RunAsync(env, args);
        output.WriteLine($"./luban {string.Join(' ', args)} -> {code}\n{text}");
        return (code, text);
    }

    private static bool IsLubanProcess(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Contains("Luban.", StringComparison.Ordinal);
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>Processes whose environment carries this run's folder: exactly the ones that run started.</summary>
    private static List<int> ProcessesStartedFrom(string runDir)
    {
        var marker = $"LUBAN_RUN_DIR={runDir}\0";
        var found = new List<int>();
        foreach (var dir in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            try
            {
                if (File.ReadAllText(Path.Combine(dir, "environ")).Contains(marker, StringComparison.Ordinal))
                    found.Add(pid);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The process ended while we looked, or is not ours to read.
            }
        }

        return found;
    }
}
