using Luban.Load.Status;

namespace Luban.Load.Figure15;

/// <summary>A VM as one status sample saw it.</summary>
public sealed record VmSample(string Id, string Host, string State, int? Connections)
{
    public bool InService => State == "InService";

    /// <summary>Defined but not running: nothing to plot.</summary>
    /// <summary>Up and counted: a warm (suspended) VM is not running capacity.</summary>
    public bool Running => State is not ("ShutOff" or "Failed" or "Warm");
}

/// <summary>
/// One second of a load run: the load side (always known) and the VMs (null when <c>/api/status</c> did not answer).
/// </summary>
/// <param name="T">Seconds since the run started.</param>
/// <param name="RequestsPerSecond">Answers received in the second before this sample, per second.</param>
/// <param name="Failed">Failed requests since the start.</param>
public sealed record LoadSample(double T, int Clients, double RequestsPerSecond, long Failed, IReadOnlyList<VmSample>? Vms)
{
    public bool StatusMissing => Vms is null;

    public int? VmsInService => Vms?.Count(vm => vm.InService);

    /// <summary>The VM's connections when it is listed and running, else null.</summary>
    public int? ConnectionsOf(string vm) =>
        Vms?.FirstOrDefault(v => v.Id == vm) is { Running: true, Connections: var connections } ? connections : null;
}

/// <summary>A scaling event placed on the run's clock.</summary>
/// <param name="T">Seconds since the run started (the server's At against the same wall clock).</param>
public sealed record TimedEvent(double T, string Kind, string? Vm, string? Host, string Rule, string Reason);

/// <summary>The policy's thresholds in connections: T_upper × S_max and T_lower × S_max.</summary>
public sealed record Thresholds(int SMax, double TUpper, double TLower, int MinVms)
{
    /// <summary>The paper's numbers, which are also the supervisor's defaults.</summary>
    public static Thresholds PaperDefaults { get; } = new(100, 0.60, 0.10, 2);

    public double ScaleOutAbove => TUpper * SMax;

    public double ScaleInAtOrBelow => TLower * SMax;

    public static Thresholds Of(AdminPolicy policy) => new(policy.SMax, policy.TUpper, policy.TLower, policy.MinVms);
}

/// <summary>Everything a run recorded, on one clock: what the figure, the CSV files and the reaction times read.</summary>
/// <param name="FirstSeen">Per instance, seconds since the start at which its first answer arrived.</param>
/// <param name="PolicyKnown">False when no sample carried the policy, so <paramref name="Thresholds"/> are the defaults.</param>
public sealed record Timeline(
    DateTimeOffset StartedAt,
    string Profile,
    IReadOnlyList<LoadSample> Samples,
    IReadOnlyList<TimedEvent> Events,
    IReadOnlyDictionary<string, double> FirstSeen,
    Thresholds Thresholds,
    bool PolicyKnown,
    long Failed)
{
    /// <summary>The VMs that ran during the run, in the order they were first seen running. The supervisor lists a
    /// start whose VM has no name yet as <c>pending-&lt;command&gt;</c>: not a VM, so not a column.</summary>
    public IReadOnlyList<string> VmsInOrderOfAppearance() =>
        Samples.Where(sample => sample.Vms is not null)
            .SelectMany(sample => sample.Vms!.Where(vm => vm.Running && !vm.Id.StartsWith("pending-", StringComparison.Ordinal))
                .Select(vm => vm.Id))
            .Distinct()
            .ToList();
}

/// <summary>
/// Collects samples and the scaling events they carry. Events are kept once each (by At, Kind and Vm: the status
/// document repeats its recent events in every answer) and only from the run's start on.
/// </summary>
public sealed class TimelineRecorder(DateTimeOffset startedAt)
{
    private readonly List<LoadSample> _samples = [];
    private readonly List<TimedEvent> _events = [];
    private readonly HashSet<(DateTimeOffset, string, string?)> _seen = [];

    public DateTimeOffset StartedAt => startedAt;

    public AdminPolicy? LatestPolicy { get; private set; }

    public int SampleCount => _samples.Count;

    public int AnsweredCount => _samples.Count(sample => !sample.StatusMissing);

    public IReadOnlyList<LoadSample> Samples => _samples;

    public IReadOnlyList<TimedEvent> Events => _events;

    public LoadSample Add(double t, int clients, double requestsPerSecond, long failed, AdminStatus? status)
    {
        IReadOnlyList<VmSample>? vms = null;
        if (status is not null)
        {
            vms = status.Vms.Select(vm => new VmSample(vm.Id, vm.Host ?? "", vm.State, vm.Connections)).ToList();
            LatestPolicy = status.Policy ?? LatestPolicy;
            foreach (var scaleEvent in (status.Events ?? []).OrderBy(e => e.At))
            {
                if (scaleEvent.At < startedAt || !_seen.Add((scaleEvent.At, scaleEvent.Kind, scaleEvent.Vm))) continue;
                _events.Add(new TimedEvent(Math.Round((scaleEvent.At - startedAt).TotalSeconds, 3), scaleEvent.Kind, scaleEvent.Vm,
                    scaleEvent.Host, scaleEvent.Rule, scaleEvent.Reason));
            }
        }

        var sample = new LoadSample(t, clients, requestsPerSecond, failed, vms);
        _samples.Add(sample);
        return sample;
    }

    public Timeline ToTimeline(string profile, IReadOnlyDictionary<string, double> firstSeen, long failed) =>
        new(startedAt, profile, _samples.ToList(), _events.OrderBy(e => e.T).ToList(), firstSeen,
            LatestPolicy is null ? Thresholds.PaperDefaults : Thresholds.Of(LatestPolicy), LatestPolicy is not null, failed);
}
