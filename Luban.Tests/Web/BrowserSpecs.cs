using System.Diagnostics;
using System.Text.Json;
using Luban.Tests.FengShui;
using Luban.Web.Api;

namespace Luban.Tests.Web;

/// <summary>Runs when Debian's chromium and the npm playwright-core of browser/ are installed.</summary>
public sealed class BrowserFactAttribute : FactAttribute
{
    public BrowserFactAttribute()
    {
        if (!File.Exists(BrowserSpecs.Chromium))
        {
            Skip = $"SKIPPED: {BrowserSpecs.Chromium} missing (apt-get install chromium); the headless browser flow did not run";
        }
        else if (!Directory.Exists(Path.Combine(BrowserSpecs.ScriptDir, "node_modules", "playwright-core")))
        {
            Skip = $"SKIPPED: playwright-core missing (npm ci --prefix {BrowserSpecs.ScriptDir}); the headless browser flow did not run";
        }
    }
}

public class BrowserSpecs
{
    public static string Chromium => Environment.GetEnvironmentVariable("CHROMIUM_PATH") ?? "/usr/bin/chromium";

    public static string ScriptDir => Path.Combine(RepoRoot(), "Luban.Tests", "Web", "browser");

    [BrowserFact]
    public async Task House_A_should_score_88_2_B_in_the_browser_and_compare_with_B()
    {
        await using var server = await LubanServer.StartAsync(LubanServer.TempSqlite(), "browser-test");
        var screenshot = Path.Combine(RepoRoot(), "artifacts", "screenshots", "house-a-result.png");
        Directory.CreateDirectory(Path.GetDirectoryName(screenshot)!);
        File.Delete(screenshot);

        var start = new ProcessStartInfo("node")
        {
            ArgumentList = { Path.Combine(ScriptDir, "house-a-flow.mjs"), server.Client.BaseAddress!.ToString().TrimEnd('/'), screenshot },
            WorkingDirectory = ScriptDir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["HOUSE_B_JSON"] = JsonSerializer.Serialize(SampleHouses.HouseB(), AppJsonContext.Default.EvaluationRequest);
        start.Environment["CHROMIUM_PATH"] = Chromium;
        using var node = Process.Start(start)!;
        var stdout = node.StandardOutput.ReadToEndAsync();
        var stderr = node.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await node.WaitForExitAsync(timeout.Token);

        var output = await stdout + await stderr;
        Assert.True(node.ExitCode == 0, output);
        Assert.Contains("OK total=88.2 grade=B", output);
        Assert.Contains("OK english", output);
        Assert.Contains("OK compare delta=-15.4", output);
        Assert.True(new FileInfo(screenshot).Length > 10_000, "screenshot of the result page was not written");
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
}
