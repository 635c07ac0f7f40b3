using Luban.Load.Running;

namespace Luban.Load.Figure15;

/// <summary>
/// Writes the Figure 15 files of a run into one directory (created if missing): <c>figure15.*</c> for the
/// time-compressed run, <c>figure15-paper.*</c> for the run at the paper's settings (<c>--paper</c>).
/// </summary>
public static class Figure15Files
{
    public const string Samples = "figure15.csv";
    public const string Events = "figure15-events.csv";
    public const string Chart = "figure15.svg";
    public const string Summary = "figure15-summary.txt";

    public static IReadOnlyList<string> Names { get; } = [Samples, Events, Chart, Summary];

    /// <summary>The file names of a run: the paper's run puts "-paper" after "figure15".</summary>
    public static IReadOnlyList<string> NamesFor(bool paper) =>
        paper ? Names.Select(name => name.Replace("figure15", "figure15-paper", StringComparison.Ordinal)).ToList() : Names;

    public static async Task WriteAsync(string directory, Timeline timeline, double plannedSeconds, RunReport report, bool paper = false)
    {
        Directory.CreateDirectory(directory);
        var names = NamesFor(paper);
        await File.WriteAllTextAsync(Path.Combine(directory, names[0]), Figure15Csv.Samples(timeline));
        await File.WriteAllTextAsync(Path.Combine(directory, names[1]), Figure15Csv.Events(timeline));
        await File.WriteAllTextAsync(Path.Combine(directory, names[2]), Figure15Svg.Build(timeline, plannedSeconds, paper));
        var kind = paper ? "at the paper's settings (5-minute tick, 20 minutes)" : "time-compressed";
        var summary = new List<string> { $"Luban Cloud — Figure 15, {kind}, run started {timeline.StartedAt:u}" };
        summary.AddRange(report.TextLines());
        summary.Add(report.FailedLine);
        await File.WriteAllLinesAsync(Path.Combine(directory, names[3]), summary);
    }
}
