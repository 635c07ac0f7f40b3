using Luban.Load.Running;

namespace Luban.Load.Figure15;

/// <summary>Writes the Figure 15 files of a run into one directory (created if missing).</summary>
public static class Figure15Files
{
    public const string Samples = "figure15.csv";
    public const string Events = "figure15-events.csv";
    public const string Chart = "figure15.svg";
    public const string Summary = "figure15-summary.txt";

    public static IReadOnlyList<string> Names { get; } = [Samples, Events, Chart, Summary];

    public static async Task WriteAsync(string directory, Timeline timeline, double plannedSeconds, RunReport report)
    {
        Directory.CreateDirectory(directory);
        await File.WriteAllTextAsync(Path.Combine(directory, Samples), Figure15Csv.Samples(timeline));
        await File.WriteAllTextAsync(Path.Combine(directory, Events), Figure15Csv.Events(timeline));
        await File.WriteAllTextAsync(Path.Combine(directory, Chart), Figure15Svg.Build(timeline, plannedSeconds));
        var summary = new List<string> { $"Luban Cloud — Figure 15, time-compressed, run started {timeline.StartedAt:u}" };
        summary.AddRange(report.TextLines());
        summary.Add(report.FailedLine);
        await File.WriteAllLinesAsync(Path.Combine(directory, Summary), summary);
    }
}
