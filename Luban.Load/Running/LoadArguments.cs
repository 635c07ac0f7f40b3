using System.Globalization;
using Luban.Load.Figure15;
using Luban.Load.Profiles;

namespace Luban.Load.Running;

/// <summary>What each client does: repeat one request (<c>--path</c>), follow a user's journey, or be one of the
/// people on the service (<see cref="People"/>: one client in <see cref="LoadArguments.BuyerEvery"/> a signed-in
/// buyer's journey, the others visitors reading pages, the ruler and the examples and evaluating without saving).</summary>
public enum LoadMix { Path, Journey, People }

/// <summary>What <c>luban load</c> was asked to do.</summary>
/// <param name="OutDirectory">Where <c>--figure15</c> writes its files.</param>
/// <param name="Paper"><c>--figure15 --paper</c>: the paper's 20-minute timeline with people using the service.</param>
public sealed record LoadOptions(
    Uri Url,
    string Path,
    Uri AdminUrl,
    LoadProfile Profile,
    bool Figure15,
    string OutDirectory,
    bool Json,
    LoadMix Mix = LoadMix.Path,
    int SignInEvery = Journeys.UserJourney.DefaultSignInEvery,
    bool Paper = false)
{
    /// <summary>The repeated request, or the base URL the journeys' requests are relative to.</summary>
    public Uri Target => Mix == LoadMix.Path ? new(Url, Path) : new Uri(Url, "/");
}

/// <summary>The outcome of reading the command line: a run, help to print, or a usage error naming the option.</summary>
public abstract record LoadCommandLine
{
    private LoadCommandLine()
    {
    }

    public sealed record Run(LoadOptions Options) : LoadCommandLine;

    public sealed record Help(string Text) : LoadCommandLine;

    public sealed record UsageError(string Message) : LoadCommandLine;
}

/// <summary>
/// Reads <c>luban load [options]</c>: <c>--flag value</c> or <c>--flag=value</c>. Pure: the environment is passed in.
/// </summary>
public static class LoadArguments
{
    public const string PublicUrlVariable = "LUBAN_PUBLIC_URL";
    public const string AdminUrlVariable = "LUBAN_ADMIN_URL";
    public const string DefaultUrl = "http://127.0.0.1:8080";
    public const string DefaultAdminUrl = "http://127.0.0.1:8090";
    public const string DefaultPath = "/api/ruler?cm=100&profile=LUBAN_42_9";
    public const string DefaultOut = "docs";

    /// <summary>With <c>--mix people</c>: every this many clients, one is a buyer with an account (the rest visit).</summary>
    public const int BuyerEvery = 10;

    /// <summary>The plain run's shape: 0 → 50 clients in 30 s, 60 s at 50, back to 0 in 30 s.</summary>
    public const int DefaultClients = 50;
    public static readonly TimeSpan DefaultRamp = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan DefaultHold = TimeSpan.FromSeconds(60);
    public static readonly TimeSpan DefaultFall = TimeSpan.FromSeconds(30);

    private static readonly HashSet<string> ValueOptions =
        ["--url", "--path", "--admin-url", "--clients", "--ramp", "--hold", "--fall", "--profile", "--out", "--mix", "--sign-in-every"];

    private static readonly HashSet<string> FlagOptions = ["--figure15", "--paper", "--json", "--help", "-h"];

    private static readonly string[] ShapeOptions = ["--clients", "--ramp", "--hold", "--fall"];

    public static LoadCommandLine Parse(IReadOnlyList<string> args, Func<string, string?> environment)
    {
        var values = new Dictionary<string, string>();
        bool figure15 = false, json = false, paper = false;
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith('-')) return Error($"unexpected argument '{arg}' (luban load takes only options)");
            var eq = arg.IndexOf('=');
            var flag = eq > 0 ? arg[..eq] : arg;
            if (FlagOptions.Contains(flag))
            {
                if (eq > 0) return Error($"{flag} takes no value");
                switch (flag)
                {
                    case "--figure15": figure15 = true; break;
                    case "--paper": paper = true; break;
                    case "--json": json = true; break;
                    default: return new LoadCommandLine.Help(LoadUsage.Text);
                }

                continue;
            }

            if (!ValueOptions.Contains(flag)) return Error($"unknown option '{flag}'");
            if (values.ContainsKey(flag)) return Error($"{flag} is given twice");
            if (eq > 0) values[flag] = arg[(eq + 1)..];
            else if (i + 1 < args.Count) values[flag] = args[++i];
            else return Error($"{flag} needs a value");
        }

        if (!TryUrl(values.GetValueOrDefault("--url") ?? environment(PublicUrlVariable) ?? DefaultUrl, "--url", out var url, out var error) ||
            !TryUrl(values.GetValueOrDefault("--admin-url") ?? environment(AdminUrlVariable) ?? DefaultAdminUrl, "--admin-url", out var adminUrl, out error))
            return Error(error);

        if (paper && !figure15) return Error("--paper goes with --figure15 (luban load --figure15 --paper)");
        var mix = values.GetValueOrDefault("--mix") switch
        {
            null => paper ? LoadMix.People : LoadMix.Path,
            "path" => LoadMix.Path,
            "journey" => (LoadMix?)LoadMix.Journey,
            "people" => LoadMix.People,
            _ => null,
        };
        if (mix is null) return Error($"--mix must be path, journey or people: '{values["--mix"]}'");
        if (mix != LoadMix.Path && values.ContainsKey("--path")) return Error($"--path cannot be combined with --mix {mix.Value.ToString().ToLowerInvariant()} (the journey makes its own requests)");

        var signInEvery = Journeys.UserJourney.DefaultSignInEvery;
        if (values.TryGetValue("--sign-in-every", out var everyText))
        {
            if (mix == LoadMix.Path) return Error("--sign-in-every needs --mix journey or people");
            if (!int.TryParse(everyText, NumberStyles.None, CultureInfo.InvariantCulture, out signInEvery) || signInEvery > 10_000)
                return Error($"--sign-in-every must be a whole number from 0 to 10000: '{everyText}'");
        }

        var path = values.GetValueOrDefault("--path") ?? DefaultPath;
        if (!path.StartsWith('/')) return Error($"--path must start with '/': '{path}'");

        var outDirectory = values.GetValueOrDefault("--out") ?? DefaultOut;
        if (string.IsNullOrWhiteSpace(outDirectory)) return Error("--out needs a directory");

        LoadProfile profile;
        if (values.TryGetValue("--profile", out var profileText))
        {
            var clash = ShapeOptions.FirstOrDefault(values.ContainsKey);
            if (clash is not null) return Error($"--profile cannot be combined with {clash}: put the phases in the profile");
            switch (ProfileParser.Parse(profileText))
            {
                case ProfileParse.Invalid invalid: return Error($"--profile: {invalid.Error}");
                case ProfileParse.Parsed parsed: profile = parsed.Profile; break;
                default: throw new InvalidOperationException("unreachable");
            }
        }
        else
        {
            var clients = paper ? PaperFigure15.Clients : figure15 ? Figure15Defaults.Clients : DefaultClients;
            if (values.TryGetValue("--clients", out var clientsText) &&
                (!int.TryParse(clientsText, NumberStyles.None, CultureInfo.InvariantCulture, out clients) ||
                 clients < 1 || clients > ProfileParser.MaxClients))
                return Error($"--clients must be a whole number from 1 to {ProfileParser.MaxClients}: '{clientsText}'");
            var (rampDefault, holdDefault, fallDefault, tail) = paper
                ? (PaperFigure15.Ramp, PaperFigure15.Hold, PaperFigure15.Fall, PaperFigure15.IdleTail)
                : figure15
                    ? (Figure15Defaults.Ramp, Figure15Defaults.Hold, Figure15Defaults.Fall, Figure15Defaults.IdleTail)
                    : (DefaultRamp, DefaultHold, DefaultFall, TimeSpan.Zero);
            if (!TryDuration(values, "--ramp", rampDefault, out var ramp, out error) ||
                !TryDuration(values, "--hold", holdDefault, out var hold, out error) ||
                !TryDuration(values, "--fall", fallDefault, out var fall, out error))
                return Error(error);
            profile = LoadProfile.RampHoldFall(clients, ramp, hold, fall, tail);
            if (profile.Duration <= TimeSpan.Zero) return Error("--ramp, --hold and --fall are all 0s: the run would last 0 s");
        }

        return new LoadCommandLine.Run(new LoadOptions(url, path, adminUrl, profile, figure15, outDirectory, json, mix.Value, signInEvery, paper));
    }

    private static bool TryUrl(string text, string option, out Uri url, out string error)
    {
        error = "";
        if (Uri.TryCreate(text, UriKind.Absolute, out url!) && url.Scheme is "http" or "https") return true;
        error = $"{option} must be an http:// or https:// URL: '{text}'";
        return false;
    }

    private static bool TryDuration(Dictionary<string, string> values, string option, TimeSpan fallback,
        out TimeSpan duration, out string error)
    {
        error = "";
        duration = fallback;
        if (!values.TryGetValue(option, out var text) || Durations.TryParse(text, out duration)) return true;
        error = $"{option} must be a duration such as {Durations.Examples}: '{text}'";
        return false;
    }

    private static LoadCommandLine.UsageError Error(string message) => new(message);
}
