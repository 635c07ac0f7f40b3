using System.Globalization;
using System.Text.RegularExpressions;

namespace Luban.Cli.Arguments;

/// <summary>
/// Reads <c>luban &lt;verb&gt; [operands] [options]</c>; options may stand anywhere, as <c>--flag value</c> or
/// <c>--flag=value</c>. Pure: the environment is passed in so tests can supply their own.
/// </summary>
public static partial class CliArguments
{
    public const string SeedsVariable = "LUBAN_SEEDS";
    public const string CertificateVariable = "LUBAN_CERT";
    public const string AuthorityVariable = "LUBAN_CA";
    public const string DefaultSeed = "akka.ssl.tcp://luban@127.0.0.1:4053";
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(5);

    private static readonly HashSet<string> ValueOptions = ["--seed", "--timeout", "--host", "--cert", "--ca"];
    private static readonly HashSet<string> FlagOptions = ["--json", "--follow", "--help", "-h"];

    public static ParsedCommandLine Parse(IReadOnlyList<string> args, Func<string, string?> environment)
    {
        var positionals = new List<string>();
        var seeds = new List<string>();
        string? timeoutText = null, host = null, certificate = null, authority = null;
        bool json = false, follow = false, help = false, optionsEnded = false;

        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (optionsEnded || !arg.StartsWith('-') || arg == "-")
            {
                positionals.Add(arg);
                continue;
            }

            if (arg == "--")
            {
                optionsEnded = true;
                continue;
            }

            var eq = arg.IndexOf('=');
            var flag = eq > 0 ? arg[..eq] : arg;
            if (FlagOptions.Contains(flag))
            {
                if (eq > 0) return Error($"{flag} takes no value");
                switch (flag)
                {
                    case "--json": json = true; break;
                    case "--follow": follow = true; break;
                    default: help = true; break;
                }

                continue;
            }

            if (!ValueOptions.Contains(flag)) return Error($"unknown option '{flag}'");
            string value;
            if (eq > 0) value = arg[(eq + 1)..];
            else if (i + 1 < args.Count) value = args[++i];
            else return Error($"{flag} needs a value");

            switch (flag)
            {
                case "--seed": seeds.AddRange(SplitList(value)); break;
                case "--timeout": timeoutText = value; break;
                case "--cert": certificate = value; break;
                case "--ca": authority = value; break;
                default: host = value; break;
            }
        }

        if (positionals.Count > 0 && positionals[0] == "help")
        {
            positionals.RemoveAt(0);
            help = true;
        }

        if (positionals.Count == 0)
            return help ? new ParsedCommandLine.Help(Usage.Top) : Error("a verb is required");

        var group = positionals[0];
        if (!Usage.ByGroup.TryGetValue(group, out var groupHelp)) return Error($"unknown verb '{group}'");
        if (help) return new ParsedCommandLine.Help(groupHelp);

        var operands = positionals.Skip(1).ToList();
        var verbResult = ResolveVerb(group, operands);
        if (verbResult.Error is { } verbError) return Error(verbError, group);
        var verb = verbResult.Verb;

        if (follow && verb != Verb.Events) return Error("--follow applies only to 'events'", group);
        if (host is not null && verb != Verb.VmStart) return Error("--host applies only to 'vm start'", group);
        if (host is not null && !HostIdPattern().IsMatch(host))
            return Error($"--host '{host}' is not a host id; allowed: a capital letter then up to 15 capitals, digits or '-'", group);

        var seedKey = "--seed";
        if (seeds.Count == 0 && environment(SeedsVariable) is { } fromEnvironment && fromEnvironment.Trim().Length > 0)
        {
            seeds.AddRange(SplitList(fromEnvironment));
            seedKey = SeedsVariable;
        }

        if (seeds.Count == 0) seeds.Add(DefaultSeed);
        foreach (var seed in seeds)
        {
            if (!SeedPattern().IsMatch(seed))
                return Error($"{seedKey} '{seed}' is not a seed address; allowed: akka.ssl.tcp://luban@<host>:<port>", group);
        }

        var timeout = DefaultTimeout;
        if (timeoutText is not null && !TryParseTimeout(timeoutText, out timeout))
            return Error($"--timeout '{timeoutText}' is not a duration; allowed: seconds (5) or 500ms, 5s, 1m, up to 1h", group);

        certificate ??= environment(CertificateVariable) is { Length: > 0 } certificateFromEnvironment ? certificateFromEnvironment : null;
        authority ??= environment(AuthorityVariable) is { Length: > 0 } authorityFromEnvironment ? authorityFromEnvironment : null;
        var options = new CliOptions(seeds, timeout, json, certificate, authority);
        return verb switch
        {
            Verb.VmStart => new ParsedCommandLine.Run(verb, options, Host: host),
            Verb.VmStop => new ParsedCommandLine.Run(verb, options, Target: operands[1]),
            Verb.PolicySet => new ParsedCommandLine.Run(verb, options, Target: operands[1], Value: operands[2]),
            _ => new ParsedCommandLine.Run(verb, options, Follow: follow),
        };
    }

    /// <summary>Seconds as a plain number, or a number with ms, s or m; positive and at most an hour.</summary>
    public static bool TryParseTimeout(string text, out TimeSpan timeout)
    {
        timeout = default;
        var match = DurationPattern().Match(text.Trim());
        if (!match.Success) return false;
        var number = double.Parse(match.Groups["n"].Value, CultureInfo.InvariantCulture);
        timeout = match.Groups["unit"].Value switch
        {
            "ms" => TimeSpan.FromMilliseconds(number),
            "m" => TimeSpan.FromMinutes(number),
            _ => TimeSpan.FromSeconds(number),
        };
        return timeout > TimeSpan.Zero && timeout <= TimeSpan.FromHours(1);
    }

    private static (Verb Verb, string? Error) ResolveVerb(string group, IReadOnlyList<string> operands)
    {
        var sub = operands.Count > 0 ? operands[0] : null;
        return (group, sub) switch
        {
            ("status", null) => (Verb.Status, null),
            ("events", null) => (Verb.Events, null),
            ("status" or "events", _) => (default, $"'{group}' takes no operands, got '{sub}'"),
            ("vm", "start") when operands.Count == 1 => (Verb.VmStart, null),
            ("vm", "stop") when operands.Count == 2 => (Verb.VmStop, null),
            ("vm", "stop") => (default, "usage: luban vm stop <vm>"),
            ("vm", _) => (default, "usage: luban vm start [--host H] | luban vm stop <vm>"),
            ("policy", "show") when operands.Count == 1 => (Verb.PolicyShow, null),
            ("policy", "set") when operands.Count == 3 => (Verb.PolicySet, null),
            ("policy", "set") => (default, "usage: luban policy set <key> <value>"),
            ("policy", _) => (default, "usage: luban policy show | luban policy set <key> <value>"),
            ("autoscale", "pause") when operands.Count == 1 => (Verb.AutoscalePause, null),
            ("autoscale", "resume") when operands.Count == 1 => (Verb.AutoscaleResume, null),
            ("autoscale", _) => (default, "usage: luban autoscale pause|resume"),
            ("bond", "status") when operands.Count == 1 => (Verb.BondStatus, null),
            _ => (default, "usage: luban bond status"),
        };
    }

    private static ParsedCommandLine.UsageError Error(string message, string? group = null) =>
        new($"{message} (see luban {(group is null ? "" : group + " ")}--help)");

    private static IEnumerable<string> SplitList(string raw) =>
        raw.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    [GeneratedRegex(@"^akka\.ssl\.tcp://luban@[A-Za-z0-9.\-]+:\d{1,5}$")]
    private static partial Regex SeedPattern();

    [GeneratedRegex("^[A-Z][A-Z0-9-]{0,15}$")]
    private static partial Regex HostIdPattern();

    [GeneratedRegex(@"^(?<n>\d+(\.\d+)?)(?<unit>ms|s|m)?$")]
    private static partial Regex DurationPattern();
}
