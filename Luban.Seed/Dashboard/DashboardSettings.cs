using Akka.Configuration;
using Luban.Actors.Cluster;

namespace Luban.Seed.Dashboard;

/// <summary>The dashboard's settings, from <c>luban.dashboard</c>; a bad value stops start-up naming its key.</summary>
/// <param name="History">How far back each seed remembers the chart (<c>luban.dashboard.history</c>).</param>
public sealed record DashboardSettings(TimeSpan History)
{
    public const string HistoryKey = "luban.dashboard.history";

    public static readonly TimeSpan DefaultHistory = TimeSpan.FromMinutes(15);

    /// <summary>The shortest and longest history allowed: at one sample a second, two hours are 7,200 samples.</summary>
    public static readonly TimeSpan MinHistory = TimeSpan.FromMinutes(1);
    public static readonly TimeSpan MaxHistory = TimeSpan.FromHours(2);

    /// <summary>How often the supervisor's status is sampled: the status stream's own pace, so history and live
    /// points lie equally far apart.</summary>
    public TimeSpan SampleInterval => DashboardEndpoints.PushInterval;

    /// <summary>Room for the window's samples with a margin for timer jitter; the bound on the history's size.</summary>
    public int SampleCapacity => (int)Math.Ceiling(History / SampleInterval * 1.25) + 1;

    public static DashboardSettings Read(Config config)
    {
        TimeSpan history;
        try
        {
            history = config.GetTimeSpan(HistoryKey, DefaultHistory, allowInfinite: false);
        }
        catch (Exception error) when (error is not OutOfMemoryException)
        {
            throw new ConfigurationError(HistoryKey, $"{HistoryKey} = '{config.GetValue(HistoryKey)}': allowed: a duration from 1m to 2h");
        }

        return history >= MinHistory && history <= MaxHistory
            ? new DashboardSettings(history)
            : throw new ConfigurationError(HistoryKey, $"{HistoryKey} = {history}: allowed: a duration from 1m to 2h");
    }
}
