using System.Globalization;

namespace Luban.Load.Profiles;

/// <summary>The outcome of reading a profile: its phases, or what is wrong and where.</summary>
public abstract record ProfileParse
{
    private ProfileParse()
    {
    }

    public sealed record Parsed(LoadProfile Profile) : ProfileParse;

    public sealed record Invalid(string Error) : ProfileParse;
}

/// <summary>
/// Reads a load profile: comma-separated phases, each <c>ramp A-B T</c>, <c>fall A-B T</c> or <c>hold [N] T</c>,
/// e.g. <c>ramp 0-150 20s, hold 60s, fall 150-0 5s, hold 40s</c>. A hold without N keeps the count where the
/// previous phase ended (0 at the start). Pure: the same text always gives the same answer.
/// </summary>
public static class ProfileParser
{
    /// <summary>More clients than this is a typo rather than a plan: each client is one socket.</summary>
    public const int MaxClients = 10_000;

    public const string Grammar = "ramp A-B T | fall A-B T | hold [N] T, separated by commas";

    public static ProfileParse Parse(string text)
    {
        if (string.IsNullOrWhiteSpace(text)) return new ProfileParse.Invalid($"the profile is empty (expected {Grammar})");

        var phases = new List<Phase>();
        var parts = text.Split(',');
        for (var index = 0; index < parts.Length; index++)
        {
            var part = parts[index].Trim();
            var previousEnd = phases.Count == 0 ? 0 : phases[^1].To;
            var (phase, error) = ParsePhase(part, previousEnd);
            if (phase is null)
                return new ProfileParse.Invalid(part.Length == 0
                    ? $"phase {index + 1} is empty (expected {Grammar})"
                    : $"phase {index + 1} '{part}': {error}");
            phases.Add(phase);
        }

        var profile = new LoadProfile(phases);
        return profile.Duration <= TimeSpan.Zero
            ? new ProfileParse.Invalid("the profile lasts 0 s: give at least one phase a duration")
            : new ProfileParse.Parsed(profile);
    }

    private static (Phase? Phase, string Error) ParsePhase(string part, int previousEnd)
    {
        var words = part.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (words.Length == 0) return (null, "empty");

        var verb = words[0].ToLowerInvariant();
        switch (verb)
        {
            case "ramp" or "fall" when words.Length != 3:
                return (null, $"expected '{verb} A-B T', e.g. '{verb} {(verb == "fall" ? "150-0" : "0-150")} 20s'");
            case "ramp" or "fall":
                {
                    var kind = verb == "fall" ? PhaseKind.Fall : PhaseKind.Ramp;
                    var range = words[1].Split('-');
                    if (range.Length != 2 || !TryClients(range[0], out var from) || !TryClients(range[1], out var to))
                        return (null, $"'{words[1]}' is not a client range A-B (whole numbers 0 to {MaxClients})");
                    if (!Durations.TryParse(words[2], out var duration))
                        return (null, NotADuration(words[2]));
                    if (kind == PhaseKind.Ramp && to < from)
                        return (null, $"a ramp goes up; to go from {from} down to {to}, write 'fall {from}-{to} {words[2]}'");
                    if (kind == PhaseKind.Fall && to > from)
                        return (null, $"a fall goes down; to go from {from} up to {to}, write 'ramp {from}-{to} {words[2]}'");
                    return (new Phase(kind, from, to, duration), "");
                }
            case "hold" when words.Length is 2 or 3:
                {
                    var clients = previousEnd;
                    if (words.Length == 3 && !TryClients(words[1], out clients))
                        return (null, $"'{words[1]}' is not a client count (a whole number 0 to {MaxClients})");
                    if (!Durations.TryParse(words[^1], out var duration))
                        return (null, NotADuration(words[^1]));
                    return (new Phase(PhaseKind.Hold, clients, clients, duration), "");
                }
            case "hold":
                return (null, "expected 'hold T' or 'hold N T', e.g. 'hold 60s' or 'hold 150 60s'");
            default:
                return (null, $"unknown phase '{words[0]}' (expected ramp, hold or fall)");
        }
    }

    private static bool TryClients(string text, out int clients) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out clients) && clients <= MaxClients;

    private static string NotADuration(string text) => $"'{text}' is not a duration (use e.g. {Durations.Examples})";
}
