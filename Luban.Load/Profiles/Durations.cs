using System.Globalization;
using System.Text.RegularExpressions;

namespace Luban.Load.Profiles;

/// <summary>Durations as the command line writes them: <c>500ms</c>, <c>20s</c>, <c>1.5m</c>.</summary>
public static partial class Durations
{
    public const string Examples = "500ms, 20s, 1.5m";

    public static bool TryParse(string text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        var match = DurationPattern().Match(text.Trim());
        if (!match.Success) return false;
        var number = double.Parse(match.Groups["number"].Value, CultureInfo.InvariantCulture);
        duration = match.Groups["unit"].Value switch
        {
            "ms" => TimeSpan.FromMilliseconds(number),
            "s" => TimeSpan.FromSeconds(number),
            _ => TimeSpan.FromMinutes(number),
        };
        return true;
    }

    /// <summary>Seconds, as short as exact: <c>20s</c>, <c>0.25s</c>; <see cref="TryParse"/> reads it back.</summary>
    public static string Format(TimeSpan duration) =>
        duration.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + "s";

    [GeneratedRegex(@"^(?<number>\d+(\.\d+)?)(?<unit>ms|s|m)$")]
    private static partial Regex DurationPattern();
}
