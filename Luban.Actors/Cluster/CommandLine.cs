namespace Luban.Actors.Cluster;

/// <summary>One option a process accepts: its flag, its environment variable and its default.</summary>
public sealed record OptionSpec(string Flag, string EnvVar, string? Default, string Help, bool Repeatable = false);

/// <summary>A configuration value that stops start-up; the message names the key and what is allowed.</summary>
public sealed class ConfigurationError(string key, string message) : Exception(message)
{
    public string Key { get; } = key;
}

/// <summary>
/// Reads <c>--flag value</c> / <c>--flag=value</c> from the command line, then the environment, then the default.
/// Pure: the environment is passed in so tests can supply their own.
/// </summary>
public sealed class CommandLine
{
    private readonly Dictionary<string, List<string>> _given = new(StringComparer.Ordinal);
    private readonly IReadOnlyDictionary<string, string?> _env;
    private readonly IReadOnlyList<OptionSpec> _specs;

    private CommandLine(IReadOnlyList<OptionSpec> specs, IReadOnlyDictionary<string, string?> env)
    {
        _specs = specs;
        _env = env;
    }

    public bool HelpRequested { get; private set; }

    public static CommandLine Parse(IReadOnlyList<string> args, IReadOnlyList<OptionSpec> specs,
        IReadOnlyDictionary<string, string?> env)
    {
        var line = new CommandLine(specs, env);
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg is "--help" or "-h")
            {
                line.HelpRequested = true;
                continue;
            }

            var eq = arg.IndexOf('=');
            var flag = eq > 0 ? arg[..eq] : arg;
            var spec = specs.FirstOrDefault(s => s.Flag == flag)
                       ?? throw new ConfigurationError(flag, $"{flag}: unknown option; allowed: the options --help lists");
            string value;
            if (eq > 0) value = arg[(eq + 1)..];
            else if (i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal)) value = args[++i];
            else throw new ConfigurationError(flag, $"{flag}: a value is required; allowed: {flag} <value>");

            if (!line._given.TryGetValue(flag, out var values)) line._given[flag] = values = [];
            if (values.Count > 0 && !spec.Repeatable)
                throw new ConfigurationError(flag, $"{flag}: given more than once; allowed: one value");
            values.Add(value);
        }

        return line;
    }

    /// <summary>The value in force and the name it was given under (flag or environment variable), for messages.</summary>
    public (string? Value, string Key) Get(string flag)
    {
        var spec = SpecOf(flag);
        if (_given.TryGetValue(flag, out var values)) return (values[^1], flag);
        if (_env.TryGetValue(spec.EnvVar, out var fromEnv) && fromEnv is not null) return (fromEnv, spec.EnvVar);
        return (spec.Default, flag);
    }

    /// <summary>All values of a repeatable option; the environment variable holds them comma-separated.</summary>
    public (IReadOnlyList<string> Values, string Key) GetAll(string flag)
    {
        var spec = SpecOf(flag);
        if (_given.TryGetValue(flag, out var values))
            return (values.SelectMany(SplitList).ToList(), flag);
        if (_env.TryGetValue(spec.EnvVar, out var fromEnv) && fromEnv is not null)
            return (SplitList(fromEnv).ToList(), spec.EnvVar);
        return (spec.Default is null ? [] : SplitList(spec.Default).ToList(), flag);
    }

    public string HelpText(string usage)
    {
        var lines = new List<string> { usage, "", "Options (flag, environment variable, default):" };
        foreach (var s in _specs)
            lines.Add($"  {s.Flag,-18} {s.EnvVar,-20} {(s.Default ?? "(none)"),-28} {s.Help}");
        lines.Add($"  {"--help",-18} {"",-20} {"",-28} this text");
        return string.Join(Environment.NewLine, lines);
    }

    private OptionSpec SpecOf(string flag) =>
        _specs.FirstOrDefault(s => s.Flag == flag) ?? throw new ArgumentException($"no option {flag}", nameof(flag));

    private static IEnumerable<string> SplitList(string raw) =>
        raw.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
