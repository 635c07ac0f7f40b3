using Luban.Protocol;
using Luban.Protocol.Scaling;
using Prometheus;
using static Luban.Protocol.Scaling.ScalingProtocol;

namespace Luban.Seed.Metrics;

/// <summary>
/// Metrics from the supervisor's event stream and the rotations it publishes: every event by kind and rule; a drain's
/// duration, from its drain decision to the stop it ended in (both stamped by the supervisor's clock); and a VM's
/// start-to-rotation time, from the event that its host is booting it to the first rotation that holds it (both as
/// this seed received them). Not thread-safe: one actor feeds it (<see cref="MetricsRecorder"/>).
/// </summary>
public sealed class ScaleEventMetrics
{
    private readonly Counter _events;
    private readonly Histogram _drains;
    private readonly Histogram _startToRotation;
    private readonly Dictionary<VmId, DateTimeOffset> _draining = new();
    private readonly Dictionary<VmId, DateTimeOffset> _booting = new();

    public ScaleEventMetrics(IMetricFactory factory)
    {
        _events = factory.CreateCounter("luban_scaling_events_total",
            "Decisions and events of the scale supervisor, by kind (start, drain, stop, hold, …) and rule.", ["kind", "rule"]);
        _drains = factory.CreateHistogram("luban_drain_duration_seconds",
            "From a VM's drain decision to its stop (every front door at 0 in flight, or the drain deadline).",
            new HistogramConfiguration { Buckets = [0.5, 1, 2, 5, 10, 20, 30, 45, 60, 120] });
        _startToRotation = factory.CreateHistogram("luban_vm_start_to_rotation_seconds",
            "From the event that a host is booting a VM to the first rotation that holds it (boot and health check).",
            new HistogramConfiguration { Buckets = [1, 2, 5, 10, 15, 20, 30, 45, 60, 90, 120, 180] });
    }

    /// <summary>Drains and boots being timed now.</summary>
    public int Pending => _draining.Count + _booting.Count;

    public void OnEvent(ScaleEvent scaleEvent, DateTimeOffset receivedAt)
    {
        _events.WithLabels(scaleEvent.Kind, scaleEvent.Rule).Inc();
        if (scaleEvent.Vm is not { } vm) return;
        switch (scaleEvent.Kind)
        {
            case ScaleEventKinds.Drain:
                _draining[vm] = scaleEvent.At;
                break;
            case ScaleEventKinds.Undrain:
                _draining.Remove(vm);
                break;
            case ScaleEventKinds.Stop:
                if (_draining.Remove(vm, out var drainedFrom))
                    _drains.Observe(Math.Max(0, (scaleEvent.At - drainedFrom).TotalSeconds));
                break;
            case ScaleEventKinds.Started:
                _booting[vm] = receivedAt;
                break;
            case ScaleEventKinds.Stopped or ScaleEventKinds.CommandFailed:
                _booting.Remove(vm);
                break;
        }
    }

    public void OnRotation(BackendsChanged rotation, DateTimeOffset receivedAt)
    {
        foreach (var backend in rotation.Backends)
        {
            if (_booting.Remove(backend.Vm, out var bootingFrom))
                _startToRotation.Observe(Math.Max(0, (receivedAt - bootingFrom).TotalSeconds));
        }
    }
}
