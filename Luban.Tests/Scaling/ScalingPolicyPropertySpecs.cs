using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Luban.Actors.Scaling;
using Luban.Protocol;
using Luban.Protocol.Scaling;
using static Luban.Tests.Scaling.ClusterViewNotation;

namespace Luban.Tests.Scaling;

/// <summary>The policy's safety promises, checked over random clusters and settings.</summary>
public class ScalingPolicyPropertySpecs
{
    /// <summary>A random cluster, the settings in force and the decision; prints as notation when a property fails.</summary>
    public sealed record Scenario(ClusterView View, ScalingSettings Settings)
    {
        public ScalingDecision Decision { get; } = ScalingPolicy.Decide(View, Settings, Now);

        public IEnumerable<HostView> ReachableHosts => View.Hosts.Where(host => host.Reachable);

        public IEnumerable<VmView> Serving => ReachableHosts.SelectMany(host => host.Vms).Where(vm => vm.State == VmState.InService);

        public HostView Host(HostId id) => View.Hosts.Single(host => host.Id == id);

        public override string ToString() =>
            $"{Format(View, Now)} (min-vms {Settings.MinTotalVms}, max-vms {Settings.MaxTotalVms}) → {Summarise(Decision)} [{Decision.Reason}]";
    }

    private static readonly string[] HostNames = ["B", "C", "D", "E", "F"];

    /// <summary>A scenario's load: mostly overloaded, mostly quiet, or anything, so every rule gets exercised.</summary>
    public enum Load { Overloaded, Quiet, Mixed }

    private static Gen<int?> Connections(Load load) =>
        Gen.Frequency(
            (40, load switch
            {
                Load.Overloaded => Gen.Frequency((19, Gen.Choose(61, 120)), (1, Gen.Choose(0, 60))),
                Load.Quiet => Gen.Frequency((3, Gen.Choose(0, 12)), (1, Gen.Choose(13, 70))),
                _ => Gen.Choose(0, 160),
            }),
            (1, Gen.Constant(-1)))
        .Select(c => c < 0 ? null : (int?)c);

    private static Gen<VmView> Vm(HostId host, int index, Load load) =>
        from state in Gen.Frequency(
            (20, Gen.Constant(VmState.InService)),
            (1, Gen.Constant(VmState.Booting)),
            (1, Gen.Constant(VmState.Draining)),
            (1, Gen.Constant(VmState.Stopping)),
            (1, Gen.Constant(VmState.Failed)),
            (1, Gen.Constant(VmState.ShutOff)))
        from connections in Connections(load)
        from inServiceSecondsAgo in Gen.Frequency((8, Gen.Constant<int?>(null)), (1, Gen.Choose(0, 20).Select(s => (int?)s)))
        select new VmView(
            VmId.For(host, index + 1),
            state,
            state is VmState.InService or VmState.Draining ? connections : null,
            state == VmState.InService && inServiceSecondsAgo is { } ago ? Now - TimeSpan.FromSeconds(ago) : null);

    private static Gen<HostView> Host(string name, Load load) =>
        from minVms in Gen.Frequency((1, Gen.Constant(0)), (4, Gen.Constant(1)), (1, Gen.Constant(2)))
        from maxVms in Gen.Choose(Math.Max(1, minVms), 4)
        from reachable in Gen.Frequency((15, Gen.Constant(true)), (1, Gen.Constant(false)))
        from reportAgeSeconds in Gen.Frequency(
            (40, Gen.Choose(0, 10).Select(s => (int?)s)),
            (1, Gen.Choose(16, 600).Select(s => (int?)s)),
            (1, Gen.Constant<int?>(null)))
        from vmCount in Gen.Frequency((1, Gen.Choose(0, maxVms + 1)), (4, Gen.Choose(minVms + 1, maxVms + 1)))
        from vms in Gen.CollectToArray(Enumerable.Range(0, vmCount).Select(i => Vm(new HostId(name), i, load)))
        select new HostView(
            new HostId(name),
            reachable,
            reportAgeSeconds is { } age ? Now - TimeSpan.FromSeconds(age) : null,
            [.. vms],
            minVms,
            maxVms);

    private static Gen<DateTimeOffset?> LastAction =>
        Gen.Frequency((3, Gen.Constant<DateTimeOffset?>(null)), (2, Gen.Choose(0, 120).Select(s => (DateTimeOffset?)(Now - TimeSpan.FromSeconds(s)))));

    private static Arbitrary<Scenario> Scenarios =>
        (from hostCount in Gen.Choose(1, HostNames.Length)
         from load in Gen.Elements(Load.Overloaded, Load.Quiet, Load.Mixed)
         from hosts in Gen.CollectToArray(HostNames.Take(hostCount).Select(name => Host(name, load)))
         from lastOut in LastAction
         from lastIn in LastAction
         from minTotal in Gen.Choose(0, 3)
         from maxTotal in Gen.Choose(Math.Max(1, minTotal), 12)
         select new Scenario(
             new ClusterView([.. hosts], lastOut, lastIn),
             ScalingSettings.Default with { MinTotalVms = minTotal, MaxTotalVms = maxTotal }))
        .ToArbitrary();

    private static int Occupancy(HostView host) =>
        host.Vms.Count(vm => vm.State is VmState.InService or VmState.Booting or VmState.Draining or VmState.Stopping);

    private static int InService(HostView host) => host.Vms.Count(vm => vm.State == VmState.InService);

    [Property(MaxTest = 2000)]
    public Property Decide_should_never_leave_a_host_or_the_cluster_below_its_minimum() =>
        Prop.ForAll(Scenarios, scenario => scenario.Decision is not ScalingDecision.StopVm stop
            || (InService(scenario.Host(stop.Host)) - 1 >= scenario.Host(stop.Host).MinVms
                && scenario.Serving.Count() - 1 >= scenario.Settings.MinTotalVms));

    [Property(MaxTest = 2000)]
    public Property Decide_should_never_start_beyond_a_host_or_cluster_maximum() =>
        Prop.ForAll(Scenarios, scenario => scenario.Decision is not ScalingDecision.StartVm start
            || (scenario.Host(start.Host).Reachable
                && Occupancy(scenario.Host(start.Host)) + 1 <= scenario.Host(start.Host).MaxVms
                && scenario.ReachableHosts.Sum(Occupancy) + 1 <= scenario.Settings.MaxTotalVms));

    [Property(MaxTest = 2000)]
    public Property Decide_should_never_stop_a_vm_above_t_lower() =>
        Prop.ForAll(Scenarios, scenario => scenario.Decision is not ScalingDecision.StopVm stop
            || scenario.Host(stop.Host).Vms.Single(vm => vm.Id == stop.Vm) is
            { State: VmState.InService, Connections: { } connections }
                && connections / (double)scenario.Settings.SMax <= scenario.Settings.TLower);

    [Property(MaxTest = 2000)]
    public Property Decide_should_never_start_while_some_in_service_vm_is_at_or_below_t_upper() =>
        Prop.ForAll(Scenarios, scenario =>
        {
            if (scenario.Decision is not ScalingDecision.StartVm)
                return true;
            var everyVmOverloaded = scenario.Serving.All(vm => vm.Connections / (double)scenario.Settings.SMax > scenario.Settings.TUpper);
            // The one exception: restoring a floor that a crash or a lost host broke.
            var floorBroken =
                scenario.ReachableHosts.Any(host => host.Vms.Count(vm => vm.State is VmState.InService or VmState.Booting) < host.MinVms)
                || scenario.ReachableHosts.Sum(host => host.Vms.Count(vm => vm.State is VmState.InService or VmState.Booting)) < scenario.Settings.MinTotalVms;
            return scenario.Decision.Reason.Rule == ScalingRules.ScaleOutAllAboveUpper
                ? everyVmOverloaded && scenario.Serving.Any()
                : floorBroken;
        });

    [Property(MaxTest = 2000)]
    public Property Decide_should_never_act_on_a_stale_missing_or_unknown_report() =>
        Prop.ForAll(Scenarios, scenario =>
        {
            var untrustworthy =
                scenario.ReachableHosts.Any(host => host.LastReportAt is not { } at || Now - at > scenario.Settings.ReportStaleAfter)
                || scenario.Serving.Any(vm => vm.Connections is null);
            return !untrustworthy || scenario.Decision is ScalingDecision.NoAction;
        });

    [Property(MaxTest = 2000)]
    public Property Decide_should_only_undrain_a_draining_vm_on_a_reachable_host() =>
        Prop.ForAll(Scenarios, scenario => scenario.Decision is not ScalingDecision.Undrain undrain
            || (scenario.Host(undrain.Host).Reachable
                && scenario.Host(undrain.Host).Vms.Single(vm => vm.Id == undrain.Vm).State == VmState.Draining));
}
