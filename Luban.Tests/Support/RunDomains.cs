namespace Luban.Tests.Support;

/// <summary>
/// The libvirt domains of one run: those whose serial console log lives under the run's folder (agents and tests
/// write every guest's console there), as <c>./luban down</c> finds them. Never "every luban-* domain".
/// </summary>
public static class RunDomains
{
    public static IReadOnlyList<string> WithConsoleUnder(string directory, bool running = false)
    {
        if (!File.Exists("/usr/bin/virsh")) return [];
        var prefix = Path.GetFullPath(directory).TrimEnd('/') + "/";
        return Virsh($"list {(running ? "" : "--all ")}--name")
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(name => Virsh($"dumpxml {name}").Contains($"<source path='{prefix}", StringComparison.Ordinal))
            .ToList();
    }

    private static string Virsh(string arguments) => LubanScript.Output("virsh", $"-c qemu:///system {arguments}");
}
