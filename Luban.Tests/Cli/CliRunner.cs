using Luban.Cli;

namespace Luban.Tests.Cli;

/// <summary>What one run of the CLI printed and returned.</summary>
public sealed record CliResult(int Exit, string Stdout, string Stderr)
{
    public IReadOnlyList<string> StderrLines => Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    public override string ToString() => $"exit {Exit}\nstdout:\n{Stdout}\nstderr:\n{Stderr}";
}

/// <summary>Runs the CLI in this process, through the same entry point as the executable, with no environment.</summary>
public static class CliRunner
{
    public static async Task<CliResult> RunAsync(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var exit = await CliApp.RunAsync(args, stdout, stderr, _ => null);
        return new CliResult(exit, stdout.ToString(), stderr.ToString());
    }
}
