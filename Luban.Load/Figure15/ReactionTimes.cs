using System.Globalization;

namespace Luban.Load.Figure15;

/// <summary>How the cluster answered the rising load. Times in seconds since the run started; null = not seen.</summary>
/// <param name="OverloadSeen">First sample in which every in-service VM was above T_upper × S_max.</param>
/// <param name="StartDecided">The first <c>start</c> event answering that overload (its At).</param>
/// <param name="StartedVm">The VM that start booted (from the <c>started</c> event, else the first new VM).</param>
/// <param name="InRotation">The first answer the load generator received from <paramref name="StartedVm"/>.</param>
/// <param name="Note">Why a part is missing, in words; null when the story is complete.</param>
/// <param name="Resumed">The start resumed a warm VM (true) or booted one (false); null when not seen.</param>
public sealed record ScaleOutReaction(
    double? OverloadSeen, double? StartDecided, string? StartedVm, double? InRotation, string? Note, bool? Resumed = null)
{
    public bool Happened => StartDecided is not null;

    /// <summary>Decision → serving: from the start decision to the new VM's first answer through the front door.</summary>
    public double? DecisionToServing => InRotation is { } served && StartDecided is { } decided ? served - decided : null;
}

/// <summary>How the cluster answered the falling load.</summary>
/// <param name="IdleSeen">First sample after the peak with a VM at or below T_lower × S_max and more than the
/// minimum number of VMs in service.</param>
/// <param name="StopDecided">The first <c>drain</c> (or <c>stop</c>) event answering it (its At).</param>
/// <param name="Gone">First sample in which that VM was no longer listed or was shut off.</param>
/// <param name="NewestStarted">The VM most recently started before the decision, if the run saw one start.</param>
public sealed record ScaleInReaction(
    double? IdleSeen, double? StopDecided, string? StoppedVm, double? Gone, string? NewestStarted, string? Note)
{
    public bool Happened => StopDecided is not null;

    public bool? StoppedTheNewest => StoppedVm is null || NewestStarted is null ? null : StoppedVm == NewestStarted;
}

public sealed record ReactionTimes(ScaleOutReaction ScaleOut, ScaleInReaction ScaleIn, long Failed)
{
    /// <summary>The reaction times in a few lines of words, the same on the terminal and in figure15-summary.txt.</summary>
    public IReadOnlyList<string> Describe()
    {
        var lines = new List<string>();
        var o = ScaleOut;
        if (!o.Happened && o.OverloadSeen is null)
            lines.Add($"scale-out: no scale-out happened{Because(o.Note)}");
        else
        {
            lines.Add($"scale-out: overload seen {At(o.OverloadSeen)} → start decided {At(o.StartDecided)}{Since(o.StartDecided, o.OverloadSeen)}" +
                      $" → {o.StartedVm ?? "the new VM"} in rotation {At(o.InRotation)}{Since(o.InRotation, o.StartDecided)}");
            if (o.DecisionToServing is { } serving)
                lines.Add($"           decision → serving: {Seconds(serving)} ({o.Resumed switch { true => "a warm VM resumed", false => "a cold boot", null => "how it started was not seen" }})");
            if (o.OverloadSeen is { } seen && o.InRotation is { } rotation)
                lines.Add($"           overload to first answer from the new VM: {Seconds(rotation - seen)}");
            if (o.Note is not null) lines.Add($"           {o.Note}");
        }

        var i = ScaleIn;
        if (!i.Happened && i.IdleSeen is null)
            lines.Add($"scale-in:  no scale-in happened{Because(i.Note)}");
        else
        {
            lines.Add($"scale-in:  idle seen {At(i.IdleSeen)} → drain/stop of {i.StoppedVm ?? "a VM"} decided {At(i.StopDecided)}{Since(i.StopDecided, i.IdleSeen)}" +
                      $" → gone {At(i.Gone)}{Since(i.Gone, i.StopDecided)}");
            if (i.StoppedVm is not null)
                lines.Add(i.StoppedTheNewest switch
                {
                    true => $"           {i.StoppedVm} was the newest started VM, as in the paper",
                    false => $"           {i.StoppedVm} was not the newest started VM ({i.NewestStarted})",
                    null => $"           the run saw no VM start, so whether {i.StoppedVm} was the newest is unknown",
                });
            if (i.Note is not null) lines.Add($"           {i.Note}");
        }

        lines.Add($"failed requests: {Failed}");
        return lines;
    }

    private static string Because(string? note) => note is null ? "" : $" ({note})";

    private static string At(double? t) => t is { } value ? $"at {Seconds(value)}" : "(not seen)";

    private static string Since(double? later, double? earlier) =>
        later is { } a && earlier is { } b ? $" ({(a - b >= 0 ? "+" : "−")}{Seconds(Math.Abs(a - b))})" : "";

    private static string Seconds(double value) => value.ToString("0.0", CultureInfo.InvariantCulture) + " s";
}

/// <summary>
/// Reads the reaction times out of a recorded timeline. Pure: samples, events and first-seen times in, times out.
/// Samples whose status is missing are skipped; a decision counts as answering what a sample saw when it came after
/// the sample before (the supervisor may act on a report before our once-a-second sample shows it).
/// </summary>
public static class ReactionTimeCalculator
{
    public static ReactionTimes Calculate(Timeline timeline)
    {
        var scaleOut = ScaleOut(timeline);
        return new ReactionTimes(scaleOut, ScaleIn(timeline, scaleOut.StartedVm), timeline.Failed);
    }

    private static ScaleOutReaction ScaleOut(Timeline timeline)
    {
        var upper = timeline.Thresholds.ScaleOutAbove;
        var answered = timeline.Samples.Where(s => s.Vms is not null).ToList();
        var overloadIndex = answered.FindIndex(s =>
            s.Vms!.Any(vm => vm.InService) && s.Vms!.Where(vm => vm.InService).All(vm => (vm.Connections ?? 0) > upper));
        var overloadSeen = overloadIndex < 0 ? (double?)null : answered[overloadIndex].T;
        var from = overloadIndex > 0 ? answered[overloadIndex - 1].T : double.NegativeInfinity;

        var start = timeline.Events.FirstOrDefault(e => e.Kind == "start" && e.T >= from);
        if (start is null)
        {
            string? note = answered.Count == 0
                ? "the status endpoint never answered"
                : overloadSeen is null
                    ? $"no sample saw every in-service VM above {Connections(upper)} connections"
                    : "overload was seen but no start was decided" +
                      (timeline.Events.FirstOrDefault(e => e.Kind == "warn" && e.T >= from) is { } warn ? $": {warn.Reason}" : "");
            return new ScaleOutReaction(overloadSeen, null, null, null, note);
        }

        var startedEvent = timeline.Events
            .FirstOrDefault(e => e.Kind == "started" && e.T >= start.T && e.Vm is not null && (start.Host is null || e.Host == start.Host));
        var startedVm = startedEvent?.Vm ?? FirstNewVm(answered, start.T);
        bool? resumed = startedEvent is null ? null : startedEvent.Rule == "command/start-resumed";
        double? inRotation = startedVm is not null && timeline.FirstSeen.TryGetValue(startedVm, out var seen) ? seen : null;
        var notes = new List<string>();
        if (overloadSeen is null) notes.Add($"no sample saw every in-service VM above {Connections(upper)} connections before it");
        if (startedVm is null) notes.Add("which VM the start booted was not seen");
        else if (inRotation is null) notes.Add($"no answer came from {startedVm}");
        return new ScaleOutReaction(overloadSeen, start.T, startedVm, inRotation, Joined(notes), resumed);
    }

    private static ScaleInReaction ScaleIn(Timeline timeline, string? startedVm)
    {
        var lower = timeline.Thresholds.ScaleInAtOrBelow;
        var samples = timeline.Samples;
        if (samples.Count == 0) return new ScaleInReaction(null, null, null, null, null, "no samples");

        // The peak is the last moment at the highest client count: from there on the load is falling.
        var peakClients = samples.Max(s => s.Clients);
        var peak = samples.Last(s => s.Clients == peakClients).T;
        var answered = samples.Where(s => s.Vms is not null).ToList();
        var idleIndex = answered.FindIndex(s => s.T > peak
                                                 && s.VmsInService > timeline.Thresholds.MinVms
                                                 && s.Vms!.Any(vm => vm.InService && (vm.Connections ?? 0) <= lower));
        var idleSeen = idleIndex < 0 ? (double?)null : answered[idleIndex].T;
        var from = idleIndex > 0 ? Math.Max(answered[idleIndex - 1].T, peak) : peak;

        var decision = timeline.Events.FirstOrDefault(e => e.Kind is "drain" or "stop" && e.Vm is not null && e.T >= from);
        if (decision is null)
        {
            var note = answered.Count == 0
                ? "the status endpoint never answered"
                : idleSeen is null
                    ? $"after the peak no sample saw a VM at or below {Connections(lower)} connections with more than {timeline.Thresholds.MinVms} VMs in service"
                    : "idleness was seen but no VM was drained or stopped before the run ended";
            return new ScaleInReaction(idleSeen, null, null, null, null, note);
        }

        var vm = decision.Vm!;
        var gone = answered.FirstOrDefault(s => s.T >= decision.T && s.Vms!.All(v => v.Id != vm || v.State is "ShutOff" or "Warm"))?.T;
        var newest = timeline.Events.LastOrDefault(e => e.Kind == "started" && e.T <= decision.T && e.Vm is not null)?.Vm
                     ?? startedVm;
        var notes = new List<string>();
        if (idleSeen is null) notes.Add($"no sample after the peak saw a VM at or below {Connections(lower)} connections first");
        if (gone is null) notes.Add($"{vm} was still listed when the run ended");
        return new ScaleInReaction(idleSeen, decision.T, vm, gone, newest, Joined(notes));
    }

    /// <summary>The first VM seen running after <paramref name="after"/> that no earlier sample saw running.</summary>
    private static string? FirstNewVm(IReadOnlyList<LoadSample> answered, double after)
    {
        var before = answered.Where(s => s.T < after).SelectMany(s => s.Vms!.Where(vm => vm.Running).Select(vm => vm.Id)).ToHashSet();
        return answered.Where(s => s.T >= after)
            .SelectMany(s => s.Vms!.Where(vm => vm.Running).Select(vm => vm.Id))
            .FirstOrDefault(id => !before.Contains(id));
    }

    private static string? Joined(List<string> notes) => notes.Count == 0 ? null : string.Join("; ", notes);

    private static string Connections(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);
}
