using System.Diagnostics;

namespace Luban.Tests.Support;

/// <summary>The real entry point, <c>./luban</c>, and other programs, run to completion from the repository.</summary>
public static class LubanScript
{
    /// <summary>Runs <c>./luban</c> with <paramref name="env"/> added to the environment; its stdout then stderr.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(IReadOnlyDictionary<string, string> env,
        params string[] args)
    {
        var start = new ProcessStartInfo(Path.Combine(Repo.Root, "luban"), args)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Repo.Root,
        };
        foreach (var (key, value) in env) start.Environment[key] = value;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout + await stderr);
    }

    /// <summary>Runs a program (e.g. <c>virsh</c>, <c>ip</c>) to completion and returns its standard output.</summary>
    public static string Output(string file, string arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return output;
    }
}
