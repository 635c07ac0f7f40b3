using System.Diagnostics;
using System.Text.Json;
using Luban.Tests.FengShui;
using Luban.Web.Api;

namespace Luban.Tests.Web;

/// <summary>
/// A browser spec: Debian's chromium driven by the npm playwright-core of browser/. When either is missing the spec
/// fails saying what to install (./luban test installs both); it never skips.
/// </summary>
public sealed class BrowserFactAttribute : FactAttribute;

public class BrowserSpecs
{
    public static string Chromium => Environment.GetEnvironmentVariable("CHROMIUM_PATH") ?? "/usr/bin/chromium";

    public static string ScriptDir => Path.Combine(RepoRoot(), "Luban.Tests", "Web", "browser");

    /// <summary>Fails (never skips) with what to install when the browser or its driver is missing.</summary>
    public static void RequireBrowser()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} missing: apt-get install chromium (./luban test installs it)");
        Assert.True(Directory.Exists(Path.Combine(ScriptDir, "node_modules", "playwright-core")),
            $"playwright-core missing: npm ci --prefix {ScriptDir} (./luban test installs it)");
    }

    [BrowserFact]
    public async Task A_home_buyer_should_register_save_find_compare_share_print_and_sign_out()
    {
        RequireBrowser();
        await using var server = await LubanServer.StartAsync(LubanServer.TempSqlite(), "browser-test");
        var shots = Path.Combine(RepoRoot(), "artifacts", "screenshots");
        Directory.CreateDirectory(shots);
        foreach (var name in new[] { "form.png", "records.png", "compare.png", "print.png" })
        {
            File.Delete(Path.Combine(shots, name));
        }

        var output = await RunNodeAsync("journey.mjs", server, shots,
            ("HOUSE_C_JSON", JsonSerializer.Serialize(SampleHouses.HouseC(), AppJsonContext.Default.EvaluationRequest)));

        foreach (var expected in new[]
        {
            "OK example B evaluated anonymously 72.8, not saved", "OK the form sent an Idempotency-Key", "OK house A saved: total=88.2 grade=B",
            "OK zh-TW report has no English words or codes", "OK search found", "OK comparison chart drawn with 2 series",
            "OK different rulers: recompute offered", "OK recomputed on one basis", "OK share link opened read-only in a fresh context",
            "OK print view without navigation", "OK English remedies", "OK ruler tool", "OK signed out", "OK no page or console errors",
        })
        {
            Assert.True(output.Contains(expected, StringComparison.Ordinal), $"missing '{expected}' in:\n{output}");
        }
        foreach (var name in new[] { "form.png", "records.png", "compare.png", "print.png" })
        {
            Assert.True(new FileInfo(Path.Combine(shots, name)).Length > 10_000, $"screenshot {name} was not written");
        }
    }

    [BrowserFact]
    public async Task Records_should_rename_delete_unshare_and_account_pages_should_speak_chinese()
    {
        RequireBrowser();
        await using var server = await LubanServer.StartAsync(LubanServer.TempSqlite(), "browser-records", "--lockout-attempts", "3");

        var output = await RunNodeAsync("records-flow.mjs", server, Path.GetTempPath(),
            ("HOUSE_A_JSON", JsonSerializer.Serialize(SampleHouses.HouseA(), AppJsonContext.Default.EvaluationRequest)),
            ("HOUSE_C_JSON", JsonSerializer.Serialize(SampleHouses.HouseC(), AppJsonContext.Default.EvaluationRequest)));

        foreach (var expected in new[]
        {
            "OK filter by house type", "OK renamed from the list", "OK deleted after confirmation", "OK revoked link says",
            "OK password changed", "OK wrong password:", "OK locked:", "OK no page or console errors",
        })
        {
            Assert.True(output.Contains(expected, StringComparison.Ordinal), $"missing '{expected}' in:\n{output}");
        }
    }

    private static async Task<string> RunNodeAsync(string script, LubanServer server, string shots, params (string Name, string Value)[] environment)
    {
        var start = new ProcessStartInfo("node")
        {
            ArgumentList = { Path.Combine(ScriptDir, script), server.Address.ToString().TrimEnd('/'), shots },
            WorkingDirectory = ScriptDir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["CHROMIUM_PATH"] = Chromium;
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }
        using var node = Process.Start(start)!;
        var stdout = node.StandardOutput.ReadToEndAsync();
        var stderr = node.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        await node.WaitForExitAsync(timeout.Token);
        var output = await stdout + await stderr;
        Assert.True(node.ExitCode == 0, output);
        return output;
    }

    public static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Directory.Packages.props")))
        {
            dir = dir.Parent;
        }
        return dir?.FullName ?? throw new InvalidOperationException("repository root not found above " + AppContext.BaseDirectory);
    }
}
