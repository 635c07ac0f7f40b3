using System.Globalization;
using Luban.Protocol;
using Luban.Protocol.Scaling;

namespace Luban.Actors.Scaling;

/// <summary>
/// The paper's scaling rule (its Figures 5 and 6), generalised to N hosts, plus the guards the paper lacks.
/// Pure: the same view, settings and time always give the same decision.
/// </summary>
public static class ScalingPolicy
{
    /// <summary>Decide the one action for this tick. Never throws for a well-formed view; the reason always says why.</summary>
    public static ScalingDecision Decide(ClusterView view, ScalingSettings settings, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(view);
        ArgumentNullException.ThrowIfNull(settings);

        var census = new Census(view, settings, now);

        return CheckViewIsTrustworthy(census)
            ?? RestoreFloors(census)
            ?? (census.Serving.Count == 0
                ? Hold(census, ScalingRules.NoInServiceVm, "No VM is in service on a reachable host, so there is no load to judge.")
                : census.Serving.All(vm => vm.Utilisation > settings.TUpper)
                    ? ScaleOut(census)
                    : ScaleIn(census));
    }

    /// <summary>The holds after which a refill may boot: the view is trusted and nothing is being added or lost.</summary>
    private static readonly HashSet<string> RefillAfter =
    [
        ScalingRules.WithinBand, ScalingRules.AtMinimum, ScalingRules.Cooldown, ScalingRules.WarmingUp,
        ScalingRules.ScaleInWouldOverload,
    ];

    /// <summary>
    /// The warm pool's refill rule, asked after a tick that held. A boot is the costliest thing a host does (on
    /// emulated guests it takes a whole core for seconds), so a refill boots only when it cannot compete with serving:
    /// the tick held for a reason that trusts the view, no VM is booting, draining or stopping anywhere, no other
    /// command or refill is in flight, and the in-service VMs average at most the middle of the band
    /// (<c>(T_upper + T_lower) / 2</c>). Then one VM, on the reachable host whose pool is shortest (placement order
    /// breaks ties). Null when no refill is due; the reason says why one is.
    /// </summary>
    public static ScalingDecision.RefillPool? DecideRefill(ClusterView view, ScalingSettings settings, DateTimeOffset now,
        ScalingDecision held, bool commandInFlight)
    {
        if (held is not ScalingDecision.NoAction || !RefillAfter.Contains(held.Reason.Rule) || commandInFlight) return null;
        var census = new Census(view, settings, now);
        if (census.Serving.Count == 0 || census.Reachable.Any(h => h.Booting + h.Draining + h.Stopping > 0)) return null;
        var shortest = census.PlacementOrder()
            .Where(h => h.Warm < h.View.WarmPoolSize && !h.View.NetworkDegraded)
            .OrderByDescending(h => h.View.WarmPoolSize - h.Warm)
            .FirstOrDefault();
        if (shortest is null) return null;
        var middle = (settings.TUpper + settings.TLower) / 2;
        var mean = census.Serving.Average(vm => vm.Utilisation);
        if (mean > middle) return null;
        return new ScalingDecision.RefillPool(shortest.Id, census.Reason(ScalingRules.WarmPoolRefill,
            $"Host {shortest.Id}'s warm pool holds {shortest.Warm} of {shortest.View.WarmPoolSize}; the in-service VMs average {Percent(mean)}, " +
            $"at or below the middle of the band ({Percent(middle)}), and nothing else is booting: booting one into the pool."));
    }

    /// <summary>
    /// An operator's <c>vm start</c>: on <paramref name="wanted"/>, or exactly where the policy would place a VM (same
    /// census, same order, same limits). The decision, or why not.
    /// </summary>
    public static OperatorVerdict PlaceStart(ClusterView view, ScalingSettings settings, DateTimeOffset now, HostId? wanted,
        string by = "the operator")
    {
        var census = new Census(view, settings, now);
        HostCensus? target;
        if (wanted is { } host)
        {
            target = census.Reachable.FirstOrDefault(h => h.Id == host);
            if (target is null) return OperatorVerdict.Refuse($"Host {host} has no registered agent.");
        }
        else
        {
            target = census.PlacementTarget();
        }

        var refusal = census.TotalOccupancy >= settings.MaxTotalVms
                ? $"The cluster already runs {census.TotalOccupancy} VMs, its maximum of {settings.MaxTotalVms}."
            : target is null
                ? census.Reachable.Count > 0 ? "Every reachable host is at its maximum." : "No host has a registered agent."
            : target.Occupancy >= target.View.MaxVms
                ? $"Host {target.Id} already runs {target.Occupancy} VMs, its maximum of {target.View.MaxVms}."
            : null;
        return refusal is not null
            ? OperatorVerdict.Refuse(refusal)
            : OperatorVerdict.Do(new ScalingDecision.StartVm(target!.Id,
                census.Reason(ScalingRules.OperatorStart, $"{Capitalised(by)} asked for a VM on {target.Id}.")));
    }

    /// <summary>
    /// An operator's <c>vm stop</c>: refused where the policy would never stop it (not serving, or its host or the
    /// cluster would fall below its minimum); otherwise drained and stopped.
    /// </summary>
    public static OperatorVerdict CheckStop(ClusterView view, ScalingSettings settings, DateTimeOffset now, VmId vm,
        string by = "the operator")
    {
        var census = new Census(view, settings, now);
        var found = census.ReachableVms.FirstOrDefault(v => v.View.Id == vm);
        if (found is null) return OperatorVerdict.Refuse($"No VM named {vm} is known.");

        var host = found.Host;
        var hostServing = host.InService + host.Booting;
        var clusterServing = census.Reachable.Sum(h => h.InService + h.Booting);
        var refusal = found.View.State is not (VmState.InService or VmState.Booting)
                ? $"{vm} is {found.View.State}; only a booting or in-service VM can be stopped."
            : hostServing - 1 < host.View.MinVms
                ? $"Stopping {vm} would leave host {host.Id} with {hostServing - 1} VM(s), below its minimum of {host.View.MinVms}."
            : clusterServing - 1 < settings.MinTotalVms
                ? $"Stopping {vm} would leave the cluster with {clusterServing - 1} VM(s), below its minimum of {settings.MinTotalVms}."
            : null;
        return refusal is not null
            ? OperatorVerdict.Refuse(refusal)
            : OperatorVerdict.Do(new ScalingDecision.StopVm(host.Id, vm,
                census.Reason(ScalingRules.OperatorStop, $"{Capitalised(by)} asked to stop {vm}.")));
    }

    private static ScalingDecision? CheckViewIsTrustworthy(Census census)
    {
        if (census.Reachable.Count == 0)
            return Hold(census, ScalingRules.NoReachableHost, "No host is reachable; nothing can be decided.");

        foreach (var host in census.Reachable)
        {
            if (host.View.LastReportAt is not { } reportedAt)
                return Hold(census, ScalingRules.MissingReport,
                    $"Host {host.Id} has not reported yet; deciding without it could double-start or stop its last VM.");

            var age = census.Now - reportedAt;
            if (age > census.Settings.ReportStaleAfter)
                return Hold(census, ScalingRules.StaleReport,
                    $"Host {host.Id}'s last report is {Seconds(age)} old (limit {Seconds(census.Settings.ReportStaleAfter)}); waiting for a fresh one.");
        }

        var unknown = census.ReachableVms.FirstOrDefault(vm => vm.View.State == VmState.InService && vm.Connections is null);
        return unknown is null
            ? null
            : Hold(census, ScalingRules.UnknownConnections,
                $"The connection count of {unknown.View.Id} on {unknown.Host.Id} is unknown (the probe failed); not guessing.");
    }

    private static ScalingDecision? RestoreFloors(Census census)
    {
        // A booting VM counts toward a floor, so a slow boot never triggers a second start.
        static bool BelowMinimum(HostCensus host) => host.InService + host.Booting < host.View.MinVms;
        var hostBelowMinimum = census.Reachable.Any(BelowMinimum)
            ? census.PlacementOrder().First(BelowMinimum)
            : null;
        if (hostBelowMinimum is not null)
        {
            var sentence = $"Host {hostBelowMinimum.Id} runs {hostBelowMinimum.InService + hostBelowMinimum.Booting} VM(s), below its minimum of {hostBelowMinimum.View.MinVms}";
            var draining = hostBelowMinimum.Vms.FirstOrDefault(vm => vm.View.State == VmState.Draining);
            if (draining is not null)
                return new ScalingDecision.Undrain(hostBelowMinimum.Id, draining.View.Id,
                    census.Reason(ScalingRules.RestoreHostMinimum, $"{sentence}; putting draining {draining.View.Id} back into service."));
            if (census.HasRoom(hostBelowMinimum))
                return new ScalingDecision.StartVm(hostBelowMinimum.Id,
                    census.Reason(ScalingRules.RestoreHostMinimum, $"{sentence}; starting one there."));
        }

        var clusterCount = census.Reachable.Sum(host => host.InService + host.Booting);
        if (clusterCount >= census.Settings.MinTotalVms)
            return null;

        var clusterSentence = $"The cluster runs {clusterCount} VM(s) on reachable hosts, below its minimum of {census.Settings.MinTotalVms}";
        // A supervisor that has just started (a restarted seed) has not heard from every agent yet: the missing VMs
        // are most likely running on a host that has not re-registered, not gone. A host seen and then lost is gone.
        if (census.View.ObservingSince is { } since && census.Now - since <= census.Settings.AgentRejoinGrace
            && census.View.Hosts.All(host => host.Reachable))
            return Hold(census, ScalingRules.AwaitingAgents,
                $"{clusterSentence}; but this supervisor started {Seconds(census.Now - since)} ago and gives every agent {Seconds(census.Settings.AgentRejoinGrace)} to rejoin first.");
        var anyDraining = census.DrainingInPlacementOrder().FirstOrDefault();
        if (anyDraining is not null)
            return new ScalingDecision.Undrain(anyDraining.Host.Id, anyDraining.View.Id,
                census.Reason(ScalingRules.RestoreClusterMinimum, $"{clusterSentence}; putting draining {anyDraining.View.Id} back into service."));
        var target = census.PlacementTarget();
        return target is null
            ? null
            : new ScalingDecision.StartVm(target.Id,
                census.Reason(ScalingRules.RestoreClusterMinimum, $"{clusterSentence}; starting one on {target.Id}."));
    }

    // Booting VMs count toward capacity but are not in the "every VM above T_upper" test: they carry no load yet.
    private static ScalingDecision ScaleOut(Census census)
    {
        var settings = census.Settings;
        var overloaded = $"Every in-service VM is above T_upper {Percent(settings.TUpper)} ({census.DescribeServing()})";

        var booting = census.ReachableVms.FirstOrDefault(vm => vm.View.State == VmState.Booting);
        if (booting is not null)
            return Hold(census, ScalingRules.BootInFlight,
                $"{overloaded}, but {booting.View.Id} on {booting.Host.Id} is still booting and already counts as the added capacity.");

        // Un-draining costs nothing and reverses a recent scale-in, so neither cooldown nor the maximum gates it.
        var draining = census.DrainingInPlacementOrder().FirstOrDefault();
        if (draining is not null)
            return new ScalingDecision.Undrain(draining.Host.Id, draining.View.Id,
                census.Reason(ScalingRules.ScaleOutUndrain, $"{overloaded}; putting draining {draining.View.Id} on {draining.Host.Id} back into service instead of booting a new VM."));

        var total = census.TotalOccupancy;
        if (total >= settings.MaxTotalVms)
            return new ScalingDecision.Warn(ScalingRules.AtCapacityWarning,
                census.Reason(ScalingRules.AtCapacity, $"{overloaded}, but the cluster already runs {total} VM(s), its maximum of {settings.MaxTotalVms}."));

        var target = census.PlacementTarget();
        if (target is null)
            return new ScalingDecision.Warn(ScalingRules.AtCapacityWarning,
                census.Reason(ScalingRules.AtCapacity, $"{overloaded}, but every reachable host is at its own maximum."));

        if (census.View.LastScaleOutAt is { } lastOut && census.Now - lastOut < settings.ScaleOutCooldown)
            return Hold(census, ScalingRules.Cooldown,
                $"{overloaded}, but the last scale-out was {Seconds(census.Now - lastOut)} ago (scale-out cooldown {Seconds(settings.ScaleOutCooldown)}).");

        var warming = census.Serving.FirstOrDefault(census.IsWarmingUp);
        if (warming is not null)
            return Hold(census, ScalingRules.WarmingUp,
                $"{overloaded}, but {warming.View.Id} entered service less than one tick interval ({Seconds(settings.TickInterval)}) ago and has not yet taken its share.");

        var rivals = census.Reachable
            .Where(host => host != target && census.HasRoom(host) && host.Running == target.Running)
            .Select(host => host.Id.Value)
            .ToList();
        var tie = rivals.Count == 0 ? "" : $" (tied with {Listed(rivals)}; a warm VM, then preferred order, then name, decides)";
        var how = target.WarmReady > 0 ? "resuming a warm VM" : "starting a VM";
        return new ScalingDecision.StartVm(target.Id,
            census.Reason(ScalingRules.ScaleOutAllAboveUpper, $"{overloaded}; {how} on {target.Id}, which runs the fewest VMs ({target.Running}){tie}."));
    }

    private static ScalingDecision ScaleIn(Census census)
    {
        var settings = census.Settings;
        var idle = census.Serving.Where(vm => vm.Utilisation <= settings.TLower).ToList();
        if (idle.Count == 0)
            return Hold(census, ScalingRules.WithinBand,
                $"Some VM is at or below T_upper {Percent(settings.TUpper)} and none is at or below T_lower {Percent(settings.TLower)} ({census.DescribeServing()}).");

        // A VM that has just entered service shows few connections because it has not been given any yet.
        var settled = idle.Where(vm => !census.IsWarmingUp(vm)).ToList();
        if (settled.Count == 0)
            return Hold(census, ScalingRules.WarmingUp,
                $"Only VMs still warming up are at or below T_lower {Percent(settings.TLower)} ({Describe(idle)}).");

        var eligible = settled.Where(vm => vm.Host.InService > vm.Host.View.MinVms).ToList();
        if (eligible.Count == 0)
            return Hold(census, ScalingRules.AtMinimum,
                $"Idle: {Describe(settled)}; but each runs on a host at its per-host minimum.");

        var clusterServing = census.Serving.Count;
        if (clusterServing <= settings.MinTotalVms)
            return Hold(census, ScalingRules.AtMinimum,
                $"Idle: {Describe(eligible)}; but the cluster serves with {clusterServing} VM(s), its minimum of {settings.MinTotalVms}.");

        var lastAction = Latest(census.View.LastScaleInAt, census.View.LastScaleOutAt);
        if (lastAction is { } last && census.Now - last < settings.ScaleInCooldown)
            return Hold(census, ScalingRules.Cooldown,
                $"Idle and stoppable: {Describe(eligible)}; but the last scaling action was {Seconds(census.Now - last)} ago (scale-in cooldown {Seconds(settings.ScaleInCooldown)}).");

        // The paper: equal hosts → fewest connections anywhere; otherwise fewest connections on the fullest host.
        // A fullest host without a stoppable idle VM is passed over for the next fullest: a busy VM is never stopped.
        var equalHosts = census.Reachable.All(host => host.InService == census.Reachable[0].InService);
        var fullest = eligible.Max(vm => vm.Host.InService);
        var victim = eligible
            .Where(vm => vm.Host.InService == fullest)
            .OrderBy(vm => vm.Connections)
            .ThenByDescending(vm => vm.View.Id.Value, StringComparer.Ordinal)
            .First();

        // The victim's clients reconnect to the others, so all current load is spread over one VM fewer.
        var remaining = clusterServing - 1;
        var totalUtilisation = census.Serving.Sum(vm => vm.Utilisation);
        var wouldOverload = remaining == 0 ? totalUtilisation > 0 : totalUtilisation / remaining > settings.TUpper;
        if (wouldOverload)
            return Hold(census, ScalingRules.ScaleInWouldOverload,
                $"{victim.View.Id} is idle, but the other {remaining} VM(s) would average {Percent(remaining == 0 ? double.PositiveInfinity : totalUtilisation / remaining)}, above T_upper {Percent(settings.TUpper)}; stopping it would only flap back.");

        var (rule, why) = equalHosts
            ? (ScalingRules.ScaleInIdleVmEqualHosts, "every host runs the same number of VMs, so the idle VM with the fewest connections goes")
            : (ScalingRules.ScaleInIdleVmFullestHost, $"hosts run unequal numbers and {victim.Host.Id} runs the most ({fullest}) of those with a stoppable idle VM, so its idle VM with the fewest connections goes");
        return new ScalingDecision.StopVm(victim.Host.Id, victim.View.Id,
            census.Reason(rule, $"{Describe([victim])} is at or below T_lower {Percent(settings.TLower)}; {why}."));
    }

    private static string Capitalised(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];

    private static ScalingDecision.NoAction Hold(Census census, string rule, string sentence) =>
        new(census.Reason(rule, sentence));

    private static DateTimeOffset? Latest(DateTimeOffset? a, DateTimeOffset? b) =>
        a is null ? b : b is null ? a : a > b ? a : b;

    private static string Percent(double utilisation) =>
        double.IsPositiveInfinity(utilisation) ? "∞" : utilisation.ToString("0.#%", CultureInfo.InvariantCulture);

    private static string Seconds(TimeSpan span) =>
        span.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture) + " s";

    private static string Describe(IReadOnlyCollection<VmCensus> vms) =>
        Listed(vms.Count, vms.Select(vm => $"{vm.View.Id} on {vm.Host.Id}: {vm.Connections} conn ({Percent(vm.Utilisation)})"));

    private static string Listed(IReadOnlyCollection<string> items) => Listed(items.Count, items);

    // Sentences stay readable (and cheap) on a 1,000-host cluster; the full numbers are in the reason's observations.
    private static string Listed(int count, IEnumerable<string> items)
    {
        const int shown = 6;
        var more = count > shown ? $" and {count - shown} more" : "";
        return string.Join(", ", items.Take(shown)) + more;
    }

    private sealed class HostCensus(HostView view, int preferredRank)
    {
        public HostView View { get; } = view;
        public HostId Id => View.Id;
        public int PreferredRank { get; } = preferredRank;
        public int InService { get; set; }
        public int Booting { get; set; }
        public int Draining { get; set; }
        public int Stopping { get; set; }

        /// <summary>VMs in the host's warm pool (booting into it or suspended): never capacity, never counted by limits.</summary>
        public int Warm { get; set; }

        /// <summary>Warm VMs that are suspended and can be resumed now.</summary>
        public int WarmReady { get; set; }

        public List<VmCensus> Vms { get; } = [];

        /// <summary>VMs the host runs for placement: everything up or coming up or still winding down its clients.</summary>
        public int Running => InService + Booting + Draining;

        // A stopping VM still holds its vCPU and memory until it is off.
        public int Occupancy => Running + Stopping;
    }

    private sealed class VmCensus(HostCensus host, VmView view, double utilisation)
    {
        public HostCensus Host { get; } = host;
        public VmView View { get; } = view;
        public int? Connections => View.Connections;
        public double Utilisation { get; } = utilisation;
    }

    /// <summary>The view counted once per decision: per-host tallies and the VMs on reachable hosts.</summary>
    private sealed class Census
    {
        private readonly List<HostCensus> _allHosts = [];

        public Census(ClusterView view, ScalingSettings settings, DateTimeOffset now)
        {
            View = view;
            Settings = settings;
            Now = now;

            var preferred = settings.PreferredHostOrder.IsDefault ? [] : settings.PreferredHostOrder;
            var rank = new Dictionary<string, int>(StringComparer.Ordinal);
            for (var i = 0; i < preferred.Length; i++)
                rank.TryAdd(preferred[i].Value, i);

            foreach (var hostView in view.Hosts)
            {
                var host = new HostCensus(hostView, rank.GetValueOrDefault(hostView.Id.Value, int.MaxValue));
                _allHosts.Add(host);
                foreach (var vm in hostView.Vms)
                {
                    switch (vm.State)
                    {
                        case VmState.InService: host.InService++; break;
                        case VmState.Booting: host.Booting++; break;
                        case VmState.Draining: host.Draining++; break;
                        case VmState.Stopping: host.Stopping++; break;
                        case VmState.Warm:
                            host.Warm++;
                            if (vm.Suspended) host.WarmReady++;
                            break;
                    }
                }

                // An unreachable host's VMs are out of the cluster's capacity: nothing there can be counted or commanded.
                if (!hostView.Reachable)
                    continue;
                Reachable.Add(host);
                foreach (var vm in hostView.Vms)
                {
                    // A negative count is a broken probe, as unknown as a missing one.
                    var connections = vm.Connections is >= 0 ? vm.Connections : null;
                    var vmCensus = new VmCensus(host, vm with { Connections = connections }, (connections ?? 0) / (double)settings.SMax);
                    ReachableVms.Add(vmCensus);
                    host.Vms.Add(vmCensus);
                    if (vm.State == VmState.InService)
                        Serving.Add(vmCensus);
                }
            }
            TotalOccupancy = Reachable.Sum(host => host.Occupancy);
        }

        public ClusterView View { get; }
        public ScalingSettings Settings { get; }
        public DateTimeOffset Now { get; }
        public List<HostCensus> Reachable { get; } = [];
        public List<VmCensus> ReachableVms { get; } = [];

        /// <summary>In-service VMs on reachable hosts: the ones that carry load.</summary>
        public List<VmCensus> Serving { get; } = [];

        public int TotalOccupancy { get; }

        public bool HasRoom(HostCensus host) =>
            host.Occupancy < host.View.MaxVms && TotalOccupancy < Settings.MaxTotalVms;

        /// <summary>Reachable hosts, fewest running first, ties to a host with a warm VM, then by preferred order, then by name.</summary>
        // A host with a degraded network takes a new VM only when no healthy host has room.
        public IEnumerable<HostCensus> PlacementOrder() =>
            Reachable
                .OrderBy(host => host.View.NetworkDegraded)
                .ThenBy(host => host.Running)
                .ThenByDescending(host => host.WarmReady > 0)
                .ThenBy(host => host.PreferredRank)
                .ThenBy(host => host.Id.Value, StringComparer.Ordinal);

        public HostCensus? PlacementTarget() => PlacementOrder().FirstOrDefault(HasRoom);

        public IEnumerable<VmCensus> DrainingInPlacementOrder() =>
            PlacementOrder()
                .Where(host => host.Draining > 0)
                .SelectMany(host => host.Vms
                    .Where(vm => vm.View.State == VmState.Draining)
                    .OrderBy(vm => vm.View.Id.Value, StringComparer.Ordinal));

        public bool IsWarmingUp(VmCensus vm) =>
            vm.View.InServiceSince is { } since && Now - since < Settings.TickInterval;

        public string DescribeServing() => Describe(Serving);

        public DecisionReason Reason(string rule, string sentence) =>
            new(rule,
                sentence,
                [.. _allHosts.Select(host => new HostObservation(
                    host.Id, host.View.Reachable, host.InService, host.Booting, host.Draining, host.Stopping,
                    host.View.MinVms, host.View.MaxVms))],
                [.. _allHosts.SelectMany(host => host.View.Vms.Select(vm => new VmObservation(
                    host.Id, vm.Id, vm.State, vm.Connections, vm.Connections is { } c ? c / (double)Settings.SMax : null)))]);
    }
}
