using System.Diagnostics;
using System.Text.Json;
using Luban.Tests.Support;
using Xunit.Abstractions;

namespace Luban.Tests.Cli;

/// <summary>The built CLI as a process: <c>dotnet Luban.Cli.dll …</c>, as <c>./luban</c> runs it.</summary>
public sealed class CliProcessSpecs(ITestOutputHelper output)
{
    /// <summary>Luban.Cli's own build output, of the configuration these tests were built in.</summary>
    private static string CliDll
    {
        get
        {
            var tests = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory));
            var configuration = tests.Parent!.Name;
            return Path.Combine(Repo.Root, "Luban.Cli", "bin", configuration, "net10.0", "Luban.Cli.dll");
        }
    }

    [Fact]
    public async Task Help_should_exit_0_with_the_usage_text()
    {
        var result = await RunAsync("--help");

        Assert.True(result.Exit == 0, result.ToString());
        Assert.StartsWith("usage: luban <verb> [options]", result.Stdout);
        foreach (var verb in new[] { "status", "events [--follow]", "vm start [--host H]", "vm stop <vm>", "policy show",
                     "policy set <key> <value>", "autoscale pause|resume", "bond status", "--seed", "--timeout", "--json" })
            Assert.Contains(verb, result.Stdout);
        Assert.Empty(result.Stderr);
    }

    [Fact]
    public async Task Usage_error_should_exit_2_with_one_line_on_stderr()
    {
        var result = await RunAsync("vm", "restart");

        Assert.Equal(2, result.Exit);
        Assert.Empty(result.Stdout);
        Assert.Single(result.StderrLines);
    }

    [Fact]
    public async Task Status_json_should_print_only_the_document_and_return_quickly()
    {
        await using var cluster = await TestCluster.StartSeedAsync();
        var clock = Stopwatch.StartNew();

        var result = await RunAsync("status", "--json", "--seed", cluster.SeedAddress.ToString());

        output.WriteLine($"took {clock.Elapsed.TotalSeconds:0.0} s");
        Assert.True(result.Exit == 0, result.ToString());
        Assert.True(JsonDocument.Parse(result.Stdout).RootElement.GetProperty("members").GetArrayLength() >= 1);
        Assert.Empty(result.Stderr);
        // A real process against a real seed: it takes 1-3 s here (start-up, association, one ask). 10 s is the
        // margin for a loaded 2-core machine; a CLI that waits on its own shutdown or on a retry loop takes longer.
        Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(10));
    }

    private async Task<CliResult> RunAsync(params string[] args)
    {
        Assert.True(File.Exists(CliDll), $"{CliDll} is missing: build Luban.Cli first");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(CliDll);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.Environment.Remove("LUBAN_SEEDS");
        start.Environment["LUBAN_CERT"] = CliRunner.OperatorCertificate;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        var result = new CliResult(process.ExitCode, await stdout, await stderr);
        output.WriteLine(result.ToString());
        return result;
    }
}
