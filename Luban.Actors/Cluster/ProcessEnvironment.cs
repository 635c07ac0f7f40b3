using System.Collections;

namespace Luban.Actors.Cluster;

public static class ProcessEnvironment
{
    /// <summary>The process environment as a dictionary, the form <see cref="CommandLine.Parse"/> takes.</summary>
    public static IReadOnlyDictionary<string, string?> Current() =>
        Environment.GetEnvironmentVariables().Cast<DictionaryEntry>()
            .ToDictionary(e => (string)e.Key, e => (string?)e.Value, StringComparer.Ordinal);

    /// <summary>Parses a process's options or prints why not; returns null when the process should exit with <paramref name="exitCode"/>.</summary>
    public static ClusterNodeOptions? ParseOrExplain(string program, string role, string[] args, out int exitCode)
    {
        exitCode = 0;
        try
        {
            var line = CommandLine.Parse(args, ClusterNodeOptions.SpecsFor(role), Current());
            if (line.HelpRequested)
            {
                Console.WriteLine(line.HelpText($"usage: {program} [options]"));
                return null;
            }

            return ClusterNodeOptions.From(line, role);
        }
        catch (ConfigurationError error)
        {
            Console.Error.WriteLine($"{program}: invalid configuration: {error.Message}");
            exitCode = 2;
            return null;
        }
    }
}
