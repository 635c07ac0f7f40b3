using static Luban.Protocol.Scaling.ScalingProtocol;

namespace Luban.Seed.Dashboard;

/// <summary>One VM's line of the chart: its connections at each of <see cref="HistoryDocument.Times"/>.</summary>
public sealed record VmSeries(string Host, string Vm, IReadOnlyList<int?> Connections);

/// <summary>
/// <c>GET /api/history</c>: the chart's recent past, column by column (one entry per sample in every list) so that a
/// quarter of an hour of samples stays a few tens of kilobytes.
/// </summary>
/// <param name="Times">Sample times in Unix milliseconds, oldest first (the chart's x axis).</param>
/// <param name="Vms">Only the VMs with a known connection count in the window, in order of first appearance.</param>
/// <param name="Events">The scale events of the window, oldest first, as the status document shows them.</param>
public sealed record HistoryDocument(
    DateTimeOffset GeneratedAt,
    double WindowSeconds,
    double SampleIntervalSeconds,
    IReadOnlyList<long> Times,
    IReadOnlyList<int?> InService,
    IReadOnlyList<int?> Running,
    IReadOnlyList<VmSeries> Vms,
    IReadOnlyList<ScaleEvent> Events);

/// <summary>
/// What a seed remembers for its dashboard: the samples and the scale events of the last <see cref="DashboardSettings.History"/>,
/// each in a <see cref="HistoryRing{T}"/>. Pure and single-threaded: its actor owns it.
/// </summary>
public sealed class DashboardHistory
{
    /// <summary>Room for this many events in the window, whatever the window (holds and membership changes are few).</summary>
    public const int EventCapacity = 1000;

    private readonly DashboardSettings _settings;
    private readonly HistoryRing<HistorySample> _samples;
    private readonly HistoryRing<ScaleEvent> _events;

    public DashboardHistory(DashboardSettings settings)
    {
        _settings = settings;
        _samples = new HistoryRing<HistorySample>(settings.SampleCapacity, settings.History);
        _events = new HistoryRing<ScaleEvent>(EventCapacity, settings.History);
    }

    public int SampleCount => _samples.Count;

    public void Record(DateTimeOffset at, HistorySample sample) => _samples.Add(at, sample);

    public void Record(ScaleEvent scaleEvent) => _events.Add(scaleEvent.At, scaleEvent);

    /// <summary>The window before <paramref name="now"/> as the dashboard reads it.</summary>
    public HistoryDocument Document(DateTimeOffset now)
    {
        var samples = _samples.Read(now);
        var times = new long[samples.Count];
        var inService = new int?[samples.Count];
        var running = new int?[samples.Count];
        var series = new Dictionary<(string Host, string Vm), int?[]>();
        var order = new List<(string Host, string Vm)>();
        for (var i = 0; i < samples.Count; i++)
        {
            var (at, sample) = samples[i];
            times[i] = at.ToUnixTimeMilliseconds();
            inService[i] = sample.InService;
            running[i] = sample.Running;
            foreach (var vm in sample.Vms)
            {
                // A VM joins the chart with its first connection count: a start in flight adds no empty line.
                if (vm.Connections is null) continue;
                var key = (vm.Host, vm.Vm);
                if (!series.TryGetValue(key, out var column))
                {
                    series[key] = column = new int?[samples.Count];
                    order.Add(key);
                }

                column[i] = vm.Connections;
            }
        }

        return new HistoryDocument(now, _settings.History.TotalSeconds, _settings.SampleInterval.TotalSeconds, times,
            inService, running, order.Select(key => new VmSeries(key.Host, key.Vm, series[key])).ToList(),
            _events.Read(now).Select(e => e.Item).ToList());
    }
}
