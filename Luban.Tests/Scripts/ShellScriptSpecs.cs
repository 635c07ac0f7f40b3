using System.Diagnostics;
using Luban.Tests.Support;

namespace Luban.Tests.Scripts;

/// <summary>
/// Every shell script of the repository passes shellcheck (Debian package <c>shellcheck</c>, which <c>./luban test</c>
/// installs): <c>luban</c>, <c>.ci/run</c>, <c>scripts/**/*.sh</c> and the guest's files in <c>scripts/vm/guest/</c>.
/// Findings are listed; a missing shellcheck fails the spec, it never skips it.
/// </summary>
public sealed class ShellScriptSpecs
{
    private static readonly string[] MustInclude =
        ["luban", ".ci/run", "scripts/vm/build-image.sh", "scripts/vm/guest/init", "scripts/vm/guest/luban-conns",
         "scripts/vm/guest/acpi-power-button", "scripts/lib/process.sh", "scripts/cmd/test.sh"];

    [Fact]
    public void The_script_list_should_hold_every_kind_of_script()
    {
        var scripts = ShellScripts();

        Assert.All(MustInclude, script => Assert.Contains(script, scripts));
        Assert.DoesNotContain(scripts, s => s.EndsWith(".md", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Every_shell_script_should_pass_shellcheck()
    {
        var shellcheck = new[] { "/usr/bin/shellcheck", "/usr/local/bin/shellcheck" }.FirstOrDefault(File.Exists);
        Assert.True(shellcheck is not null,
            "shellcheck is not installed: apt-get install shellcheck (./luban test installs it)");
        var scripts = ShellScripts();

        // From the repository root, so .shellcheckrc applies and findings name repository paths.
        var start = new ProcessStartInfo(shellcheck, ["--format=gcc", .. scripts])
        {
            WorkingDirectory = Repo.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var findings = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();

        var report = (await findings + await errors).Trim();
        Assert.True(process.ExitCode == 0 && report.Length == 0,
            $"shellcheck found problems in {scripts.Count} scripts (exit {process.ExitCode}):\n{report}");
    }

    /// <summary>Repository-relative paths: the entry point, CI, every *.sh and every file with a sh/bash shebang
    /// under scripts/.</summary>
    private static List<string> ShellScripts()
    {
        var scripts = new List<string> { "luban", ".ci/run" };
        var under = Path.Combine(Repo.Root, "scripts");
        foreach (var file in Directory.EnumerateFiles(under, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            if (file.EndsWith(".sh", StringComparison.Ordinal) || HasShellShebang(file))
                scripts.Add(Path.GetRelativePath(Repo.Root, file).Replace('\\', '/'));
        }

        return scripts;
    }

    private static bool HasShellShebang(string file)
    {
        using var reader = new StreamReader(file);
        var first = reader.ReadLine() ?? "";
        return first.StartsWith("#!", StringComparison.Ordinal)
               && (first.EndsWith("/sh", StringComparison.Ordinal) || first.EndsWith("bash", StringComparison.Ordinal));
    }
}
