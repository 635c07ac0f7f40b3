using System.Collections.Immutable;
using System.Globalization;
using System.Text.RegularExpressions;
using Akka.Configuration;
using Luban.Actors.Cluster;
using Luban.Protocol;
using Luban.Protocol.Scaling;

namespace Luban.Actors.Scaling;

/// <summary>The forms a <c>luban.scaling</c> value takes, each with its HOCON reader, its operator parser and its text.</summary>
public enum PolicyValueKind
{
    /// <summary>A whole number: 3.</summary>
    Count,

    /// <summary>A decimal number: 0.6.</summary>
    Fraction,

    /// <summary>A duration: 500ms, 5s, 5m.</summary>
    Duration,

    /// <summary>Host ids in order: [B, C] in HOCON, B,C on the command line.</summary>
    HostList,
}

/// <summary>One key of <c>luban.scaling</c>: how it is read, shown and set, and which field of the settings it is.</summary>
public sealed record PolicyEntry(
    string Name,
    PolicyValueKind Kind,
    bool OperatorMaySet,
    Func<SupervisorSettings, object> Get,
    Func<SupervisorSettings, object, SupervisorSettings> With)
{
    public const string Prefix = "luban.scaling.";

    public string Key => Prefix + Name;

    /// <summary>The value in force, in the form HOCON and <c>policy set</c> both take.</summary>
    public string Show(SupervisorSettings settings) => PolicyValues.Format(Kind, Get(settings));
}

/// <summary>
/// The one table of <c>luban.scaling</c> keys. Start-up reads HOCON through it, <c>policy set</c> parses and applies
/// through it, and <c>policy show</c>, <c>/api/status</c> and the dashboard list the values it shows.
/// </summary>
public static class PolicyTable
{
    public static IReadOnlyList<PolicyEntry> Entries { get; } =
    [
        Policy(ScalingSettings.SMaxKey, PolicyValueKind.Count, p => p.SMax, (p, v) => p with { SMax = (int)v }),
        Policy(ScalingSettings.TUpperKey, PolicyValueKind.Fraction, p => p.TUpper, (p, v) => p with { TUpper = (double)v }),
        Policy(ScalingSettings.TLowerKey, PolicyValueKind.Fraction, p => p.TLower, (p, v) => p with { TLower = (double)v }),
        Policy(ScalingSettings.MinTotalVmsKey, PolicyValueKind.Count, p => p.MinTotalVms, (p, v) => p with { MinTotalVms = (int)v }),
        Policy(ScalingSettings.MaxTotalVmsKey, PolicyValueKind.Count, p => p.MaxTotalVms, (p, v) => p with { MaxTotalVms = (int)v }),
        Policy(ScalingSettings.HostMinVmsKey, PolicyValueKind.Count, p => p.DefaultHostMinVms, (p, v) => p with { DefaultHostMinVms = (int)v }),
        Policy(ScalingSettings.HostMaxVmsKey, PolicyValueKind.Count, p => p.DefaultHostMaxVms, (p, v) => p with { DefaultHostMaxVms = (int)v }),
        Policy(ScalingSettings.PreferredHostsKey, PolicyValueKind.HostList, p => p.PreferredHostOrder,
            (p, v) => p with { PreferredHostOrder = (ImmutableArray<HostId>)v }),
        Policy(ScalingSettings.TickIntervalKey, PolicyValueKind.Duration, p => p.TickInterval, (p, v) => p with { TickInterval = (TimeSpan)v }),
        Policy(ScalingSettings.ScaleOutCooldownKey, PolicyValueKind.Duration, p => p.ScaleOutCooldown, (p, v) => p with { ScaleOutCooldown = (TimeSpan)v }),
        Policy(ScalingSettings.ScaleInCooldownKey, PolicyValueKind.Duration, p => p.ScaleInCooldown, (p, v) => p with { ScaleInCooldown = (TimeSpan)v }),
        Policy(ScalingSettings.ReportStaleAfterKey, PolicyValueKind.Duration, p => p.ReportStaleAfter, (p, v) => p with { ReportStaleAfter = (TimeSpan)v }),
        Policy(ScalingSettings.AgentRejoinGraceKey, PolicyValueKind.Duration, p => p.AgentRejoinGrace, (p, v) => p with { AgentRejoinGrace = (TimeSpan)v }),
        Supervisor(SupervisorSettings.DrainDeadlineKey, PolicyValueKind.Duration, true, s => s.DrainDeadline, (s, v) => s with { DrainDeadline = (TimeSpan)v }),
        Supervisor(SupervisorSettings.StartTimeoutKey, PolicyValueKind.Duration, false, s => s.StartTimeout, (s, v) => s with { StartTimeout = (TimeSpan)v }),
        Supervisor(SupervisorSettings.StopTimeoutKey, PolicyValueKind.Duration, false, s => s.StopTimeout, (s, v) => s with { StopTimeout = (TimeSpan)v }),
        Supervisor(SupervisorSettings.EventLogSizeKey, PolicyValueKind.Count, false, s => s.EventLogSize, (s, v) => s with { EventLogSize = (int)v }),
    ];

    /// <summary>The names an operator may give to <c>policy set</c> (without the prefix).</summary>
    public static IReadOnlyList<string> SettableNames { get; } = Entries.Where(e => e.OperatorMaySet).Select(e => e.Name).ToList();

    /// <summary>Reads every key from HOCON over the defaults; a bad value stops start-up naming its key.</summary>
    public static SupervisorSettings Read(Config config)
    {
        var settings = new SupervisorSettings();
        foreach (var entry in Entries)
        {
            if (!config.HasPath(entry.Key)) continue;
            var value = HoconValue.Read(config, entry.Key, (object?)null, (c, k) => PolicyValues.ReadHocon(entry.Kind, c, k),
                PolicyValues.Allowed(entry.Kind));
            settings = entry.With(settings, value!);
        }

        var problems = settings.Validate();
        if (problems.Count > 0)
        {
            var first = problems[0];
            throw new ConfigurationError(first.Split(' ', 2)[0], first);
        }

        return settings;
    }

    /// <summary>Applies one operator change, parsed by the key's own kind (never as HOCON: no substitutions), or says
    /// why it cannot.</summary>
    public static SupervisorSettings? Apply(SupervisorSettings settings, string key, string value, out string? problem)
    {
        var name = key.StartsWith(PolicyEntry.Prefix, StringComparison.Ordinal) ? key[PolicyEntry.Prefix.Length..] : key;
        var entry = Entries.FirstOrDefault(e => e.Name == name && e.OperatorMaySet);
        if (entry is null)
        {
            problem = $"Unknown policy key '{key}'; allowed: {string.Join(", ", SettableNames)}.";
            return null;
        }

        if (PolicyValues.Parse(entry.Kind, value) is not { } parsed)
        {
            problem = $"{entry.Key} = '{value}': not a valid value; {PolicyValues.Allowed(entry.Kind)}.";
            return null;
        }

        var updated = entry.With(settings, parsed);
        var problems = updated.Validate();
        problem = problems.Count == 0 ? null : string.Join(" ", problems);
        return problems.Count == 0 ? updated : null;
    }

    /// <summary>Every key and its value in force, for <c>policy show</c> and the status document.</summary>
    public static IReadOnlyList<ScalingProtocol.PolicyValue> Show(SupervisorSettings settings) =>
        Entries.Select(e => new ScalingProtocol.PolicyValue(e.Name, e.Show(settings), e.OperatorMaySet)).ToList();

    private static PolicyEntry Policy(string key, PolicyValueKind kind, Func<ScalingSettings, object> get,
        Func<ScalingSettings, object, ScalingSettings> with) =>
        new(NameOf(key), kind, true, s => get(s.Policy), (s, v) => s with { Policy = with(s.Policy, v) });

    private static PolicyEntry Supervisor(string key, PolicyValueKind kind, bool operatorMaySet,
        Func<SupervisorSettings, object> get, Func<SupervisorSettings, object, SupervisorSettings> with) =>
        new(NameOf(key), kind, operatorMaySet, get, with);

    private static string NameOf(string key) => key[PolicyEntry.Prefix.Length..];
}

/// <summary>Reading, parsing and showing one value of each <see cref="PolicyValueKind"/>.</summary>
public static partial class PolicyValues
{
    public static string Allowed(PolicyValueKind kind) => kind switch
    {
        PolicyValueKind.Count => "allowed: a whole number",
        PolicyValueKind.Fraction => "allowed: a decimal number",
        PolicyValueKind.Duration => "allowed: a duration such as 500ms, 5s or 5m",
        _ => "allowed: a list of host ids such as [B, C]",
    };

    public static object ReadHocon(PolicyValueKind kind, Config config, string key) => kind switch
    {
        PolicyValueKind.Count => config.GetInt(key),
        PolicyValueKind.Fraction => config.GetDouble(key),
        PolicyValueKind.Duration => config.GetTimeSpan(key, allowInfinite: false),
        _ => config.GetStringList(key).Select(h => new HostId(h)).ToImmutableArray(),
    };

    /// <summary>An operator's text as a value of <paramref name="kind"/>; null when it is not one. Host ids must be
    /// valid host ids (a capital letter, then capitals, digits or '-').</summary>
    public static object? Parse(PolicyValueKind kind, string text)
    {
        text = text.Trim();
        switch (kind)
        {
            case PolicyValueKind.Count:
                return int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var count) ? count : null;
            case PolicyValueKind.Fraction:
                return double.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture,
                    out var fraction) && double.IsFinite(fraction) ? fraction : null;
            case PolicyValueKind.Duration:
                return ParseDuration(text);
            default:
                var hosts = text.TrimStart('[').TrimEnd(']')
                    .Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
                return hosts.All(HostId.IsValid) ? hosts.Select(h => new HostId(h)).ToImmutableArray() : null;
        }
    }

    public static string Format(PolicyValueKind kind, object value) => kind switch
    {
        PolicyValueKind.Count => ((int)value).ToString(CultureInfo.InvariantCulture),
        PolicyValueKind.Fraction => ((double)value).ToString("0.###", CultureInfo.InvariantCulture),
        PolicyValueKind.Duration => FormatDuration((TimeSpan)value),
        _ => $"[{string.Join(", ", ((ImmutableArray<HostId>)value).Select(h => h.Value))}]",
    };

    /// <summary>A duration as HOCON writes it, so a shown value can be given back to <c>policy set</c>.</summary>
    public static string FormatDuration(TimeSpan span)
    {
        var ms = span.TotalMilliseconds;
        return ms >= 60_000 && ms % 60_000 == 0 ? $"{(ms / 60_000).ToString(CultureInfo.InvariantCulture)}m"
            : ms % 1000 == 0 ? $"{(ms / 1000).ToString(CultureInfo.InvariantCulture)}s"
            : $"{ms.ToString("0.###", CultureInfo.InvariantCulture)}ms";
    }

    private static TimeSpan? ParseDuration(string text)
    {
        var match = DurationPattern().Match(text);
        if (!match.Success
            || !double.TryParse(match.Groups["n"].Value, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint,
                CultureInfo.InvariantCulture, out var n))
            return null;
        var ms = match.Groups["u"].Value switch
        {
            "ms" => n,
            "s" or "" => n * 1000,
            "m" or "min" => n * 60_000,
            "h" => n * 3_600_000,
            _ => double.NaN,
        };
        return double.IsFinite(ms) && ms <= TimeSpan.FromDays(1).TotalMilliseconds ? TimeSpan.FromMilliseconds(ms) : null;
    }

    [GeneratedRegex(@"^(?<n>-?\d+(\.\d+)?)\s*(?<u>ms|s|min|m|h)?$")]
    private static partial Regex DurationPattern();
}
