using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using Luban.Load.Figure15;

namespace Luban.Load.Running;

/// <summary>How often <c>/api/status</c> answered during the run.</summary>
public sealed record StatusAvailability(string Url, int Samples, int Answered, string? LastProblem);

/// <summary>Everything the end of a run reports, as text (<see cref="TextLines"/>) or JSON (<see cref="ToJson"/>).</summary>
/// <param name="FirstSeen">Per instance, seconds since the start of its first answer.</param>
/// <param name="Reactions">With --figure15: the reaction times; else null.</param>
/// <param name="Files">With --figure15: the files written.</param>
public sealed record RunReport(
    string Target,
    string Profile,
    double PlannedSeconds,
    double ElapsedSeconds,
    bool Interrupted,
    LoadResult Result,
    IReadOnlyDictionary<string, double> FirstSeen,
    StatusAvailability Status,
    ReactionTimes? Reactions,
    IReadOnlyList<string> Files)
{
    // Read by people as much as by scripts: arrows and ampersands stay as they are rather than \uXXXX escapes.
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public long Failed => Result.Failed;

    public string FailedLine => $"failed={Failed}";

    /// <summary>The summary for people, without the last <c>failed=</c> line (<see cref="FailedLine"/>).</summary>
    public IReadOnlyList<string> TextLines()
    {
        var r = Result;
        var lines = new List<string>
        {
            (Interrupted ? $"interrupted after {S(ElapsedSeconds)} of {S(PlannedSeconds)}" : $"done after {S(ElapsedSeconds)}") +
            $" (profile: {Profile})",
            $"target:        {Target}",
            $"requests:      {r.Requests} ({PerSecond(r.Requests, r.Elapsed.TotalSeconds):0} req/s)",
            $"ok:            {r.Succeeded}",
            $"non-2xx:       {r.Non2xx}{Kinds(r.Failures.Where(f => IsHttp(f.Key)))}",
            $"socket errors: {r.SocketErrors}{Kinds(r.Failures.Where(f => !IsHttp(f.Key)))}",
            $"latency:       p50 {r.P50Ms.ToString("0.0", CultureInfo.InvariantCulture)} ms, p99 {r.P99Ms.ToString("0.0", CultureInfo.InvariantCulture)} ms",
            $"answered by:   {(r.ByInstance.Count == 0 ? "(no X-Luban-Instance header seen)" : string.Join(", ", r.ByInstance.OrderBy(i => i.Key, StringComparer.Ordinal).Select(i => $"{i.Key} {i.Value}")))}",
            $"status:        {StatusLine()}",
        };
        if (r.ByStep.Count > 0)
        {
            // Journeys: requests per step, in the journey's order, each with its share of the rate.
            var seconds = r.Elapsed.TotalSeconds;
            lines.Insert(3, "steps:         " + string.Join(", ", Journeys.UserJourney.Steps.Concat(Journeys.VisitorJourney.Steps).Where(r.ByStep.ContainsKey)
                .Select(step => $"{step} {r.ByStep[step]} ({PerSecond(r.ByStep[step], seconds).ToString("0.0", CultureInfo.InvariantCulture)}/s, " +
                    $"p50 {r.StepP50Ms.GetValueOrDefault(step).ToString("0", CultureInfo.InvariantCulture)} ms)")));
        }
        if (Reactions is not null)
        {
            lines.Add("reaction times (seconds since the start):");
            lines.AddRange(Reactions.Describe().Select(line => "  " + line));
        }

        if (Files.Count > 0) lines.Add($"wrote:         {string.Join(", ", Files)}");
        return lines;
    }

    public string ToJson() => JsonSerializer.Serialize(new
    {
        target = Target,
        profile = Profile,
        plannedSeconds = PlannedSeconds,
        elapsedSeconds = Math.Round(ElapsedSeconds, 3),
        interrupted = Interrupted,
        requests = Result.Requests,
        succeeded = Result.Succeeded,
        non2xx = Result.Non2xx,
        socketErrors = Result.SocketErrors,
        failed = Failed,
        failures = Result.Failures,
        requestsPerSecond = Math.Round(PerSecond(Result.Requests, Result.Elapsed.TotalSeconds), 1),
        p50Ms = Result.P50Ms,
        p99Ms = Result.P99Ms,
        byInstance = Result.ByInstance,
        byStep = Result.ByStep,
        stepP50Ms = Result.StepP50Ms,
        firstSeenSeconds = FirstSeen,
        status = Status,
        figure15 = Reactions is null ? null : new { reactions = Reactions, summary = Reactions.Describe(), files = Files },
    }, Json);

    private string StatusLine()
    {
        var s = Status;
        var problem = s.LastProblem is null ? "" : $" (last problem: {s.LastProblem})";
        return s.Answered == 0
            ? $"unavailable: {s.Url} answered none of {s.Samples} samples{problem}"
            : s.Answered < s.Samples
                ? $"{s.Url} answered {s.Answered} of {s.Samples} samples{problem}"
                : $"{s.Url} answered all {s.Samples} samples";
    }

    private static bool IsHttp(string kind) => kind.StartsWith("HTTP ", StringComparison.Ordinal);

    private static string Kinds(IEnumerable<KeyValuePair<string, long>> kinds)
    {
        var listed = kinds.OrderByDescending(k => k.Value).Select(k => $"{k.Key} ×{k.Value}").ToList();
        return listed.Count == 0 ? "" : $" ({string.Join(", ", listed)})";
    }

    private static double PerSecond(long count, double seconds) => seconds <= 0 ? 0 : count / seconds;

    private static string S(double seconds) => seconds.ToString("0.0", CultureInfo.InvariantCulture) + " s";
}
