namespace Luban.Actors.Scaling;

/// <summary>Settings of the supervisor around the pure policy: drain and command deadlines, the event log.</summary>
public sealed record SupervisorSettings
{
    public const string DrainDeadlineKey = "luban.scaling.drain-deadline";
    public const string StartTimeoutKey = "luban.scaling.start-timeout";
    public const string StopTimeoutKey = "luban.scaling.stop-timeout";
    public const string EventLogSizeKey = "luban.scaling.event-log-size";

    public ScalingSettings Policy { get; init; } = ScalingSettings.Default;
    public TimeSpan DrainDeadline { get; init; } = TimeSpan.FromSeconds(30);
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(120);
    public TimeSpan StopTimeout { get; init; } = TimeSpan.FromSeconds(60);
    public int EventLogSize { get; init; } = 200;

    public IReadOnlyList<string> Validate()
    {
        var problems = Policy.Validate().ToList();
        if (DrainDeadline <= TimeSpan.Zero) problems.Add($"{DrainDeadlineKey} = {DrainDeadline}: must be a positive duration.");
        if (StartTimeout <= TimeSpan.Zero) problems.Add($"{StartTimeoutKey} = {StartTimeout}: must be a positive duration.");
        if (StopTimeout <= TimeSpan.Zero) problems.Add($"{StopTimeoutKey} = {StopTimeout}: must be a positive duration.");
        if (EventLogSize is < 1 or > 100_000) problems.Add($"{EventLogSizeKey} = {EventLogSize}: must be 1..100000.");
        return problems;
    }
}
