using System.Globalization;
using Luban.Protocol.Bonding;
using Luban.Protocol.Status;
using static Luban.Protocol.Scaling.ScalingProtocol;

namespace Luban.Cli.Output;

/// <summary>The tables people read: status, events, policy and bond, from the documents the seed answers with.</summary>
public static class Render
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>Minimum event column widths, so batches printed by <c>events --follow</c> line up.</summary>
    public static readonly IReadOnlyList<int> FollowWidths = [9, 15, 26, 4, 10];

    public static void Status(StatusDocument doc, TextWriter output)
    {
        var summary = new Table("", "")
            .Add("seed", doc.Self)
            .Add("leader", doc.Leader ?? "(none)");
        if (doc.SupervisorHost is { } supervisorHost)
            summary.Add("supervisor", $"on host {supervisorHost}" + (doc.SupervisorSince is { } since ? $" since {Time(since)}" : ""));
        if (doc.FrontDoors is { Count: > 0 } frontDoors)
        {
            var holder = frontDoors.FirstOrDefault(f => f.HoldsVirtualAddress);
            summary.Add("front doors", string.Join(", ", frontDoors.Select(f => f.Host)) +
                                       (frontDoors.Count > 1 || holder is not null
                                           ? $"; virtual address on {holder?.Host ?? "(no host)"}"
                                           : ""));
        }
        if (doc.Policy is { } policy)
        {
            summary.Add("autoscale", policy.AutoscalePaused ? "paused" : "running");
            summary.Add("policy", $"t-upper {Number(policy.TUpper)}, t-lower {Number(policy.TLower)}, " +
                                  $"{policy.MinVms}..{policy.MaxVms} VMs, {policy.HostMinVms}..{policy.HostMaxVms} per host");
        }

        if (doc.LastDecision is { } last)
            summary.Add("last decision", $"{Time(last.At)} {last.Kind} ({last.Rule}): {last.Reason}");
        summary.WriteTo(output, withHeader: false);

        output.WriteLine();
        var members = new Table("MEMBER", "ROLES", "STATUS", "REACHABLE");
        foreach (var m in doc.Members)
            members.Add(m.Address, string.Join(",", m.Roles), m.Status, YesNo(m.Reachable));
        members.WriteTo(output);

        output.WriteLine();
        if (doc.Hosts.Count == 0)
        {
            output.WriteLine("No host has registered.");
        }
        else
        {
            var hosts = new Table("HOST", "REACHABLE", "REPORTED", "MIN", "MAX", "NETWORK", "VMS", "WARM");
            foreach (var h in doc.Hosts)
            {
                // Warm VMs are shown apart: they are not capacity and no limit counts them. WARM is ready/size (a VM still
                // booting into the pool is not ready yet).
                var warm = h.Vms.Count(v => v.State == nameof(Luban.Protocol.Scaling.VmState.Warm));
                var ready = h.Vms.Count(v => v.State == nameof(Luban.Protocol.Scaling.VmState.Warm) && v.Suspended);
                hosts.Add(h.Id, YesNo(h.Reachable), Ago(doc.GeneratedAt, h.LastReportAt), Int(h.MinVms), Int(h.MaxVms),
                    h.NetworkDegraded ? "degraded" : "ok", Int(h.Vms.Count - warm), $"{Int(ready)}/{Int(h.WarmPoolSize)}");
            }

            hosts.WriteTo(output);
            output.WriteLine();
            var vms = new Table("VM", "HOST", "STATE", "CONNECTIONS", "UTILISATION", "ENDPOINT");
            foreach (var h in doc.Hosts)
            {
                foreach (var vm in h.Vms)
                {
                    var state = vm.State == nameof(Luban.Protocol.Scaling.VmState.Warm) && !vm.Suspended ? "Warm (booting)" : vm.State;
                    vms.Add(vm.Id, h.Id, state, vm.Connections?.ToString(Invariant) ?? "?",
                        vm.Utilisation is { } u ? $"{(u * 100).ToString("0", Invariant)}%" : "?", vm.Endpoint ?? "-");
                }
            }

            if (vms.Count == 0) output.WriteLine("No VM is defined.");
            else vms.WriteTo(output);
        }

        if (doc.Bond is { } bond && bond.Health.Count > 0)
        {
            output.WriteLine();
            var bonds = new Table("BOND", "HEALTH", "REASONS");
            foreach (var b in bond.Health) bonds.Add(b.Bond, b.Health.ToString(), Reasons(b.Reasons));
            bonds.WriteTo(output);
        }

        if (doc.Problems.Count > 0)
        {
            output.WriteLine();
            output.WriteLine("Problems:");
            foreach (var problem in doc.Problems) output.WriteLine($"  {problem}");
        }
    }

    /// <summary>Events oldest first (the document lists them newest first).</summary>
    public static void Events(IEnumerable<ScaleEvent> newestFirst, TextWriter output, bool withHeader = true,
        IReadOnlyList<int>? minimumWidths = null)
    {
        var table = new Table("AT", "KIND", "RULE", "HOST", "VM", "REASON");
        foreach (var e in newestFirst.Reverse())
            table.Add(Time(e.At), e.Kind, e.Rule, e.Host?.Value ?? "-", e.Vm?.Value ?? "-", e.Reason);
        table.WriteTo(output, withHeader, minimumWidths);
    }

    /// <summary>The policy by HOCON key (the names <c>policy set</c> takes), values in HOCON form.</summary>
    /// The seed lists every key of its one policy table; keys the operator may not change are marked.
    public static IReadOnlyList<(string Key, string Value)> PolicyRows(PolicyStatus p) =>
    [
        ("autoscale", p.AutoscalePaused ? "paused" : "running"),
        .. p.Values.Select(v => (v.Key, v.Settable ? v.Value : $"{v.Value} (start-up only)")),
    ];

    public static void Policy(PolicyStatus policy, TextWriter output)
    {
        var table = new Table("KEY", "VALUE");
        foreach (var (key, value) in PolicyRows(policy)) table.Add(key, value);
        table.WriteTo(output);
    }

    public static void Bond(BondProtocol.BondStatusReport report, TextWriter output)
    {
        if (report.Health.Count == 0 && report.Interfaces.Count == 0)
        {
            output.WriteLine(report.TakenAt == DateTimeOffset.MinValue
                ? "The seed watches no bond (start it with --bond NAME)."
                : "The seed's bond watcher reported nothing.");
            return;
        }

        output.WriteLine($"taken at {Time(report.TakenAt)}");
        if (report.Health.Count > 0)
        {
            output.WriteLine();
            var bonds = new Table("BOND", "HEALTH", "MODE", "MII", "LINKS UP", "REASONS");
            foreach (var health in report.Health)
            {
                var status = report.Bonds.FirstOrDefault(b => b.Bond == health.Bond)?.Status;
                bonds.Add(health.Bond, health.Health.ToString(), status?.Mode.OptionName() ?? "-",
                    status?.Mii.ToString() ?? "-",
                    status is null ? "-" : $"{status.Slaves.Count(s => s.IsUp)}/{status.Slaves.Count}",
                    Reasons(health.Reasons));
            }

            bonds.WriteTo(output);
        }

        if (report.Interfaces.Count > 0)
        {
            output.WriteLine();
            var interfaces = new Table("INTERFACE", "STATE", "CARRIER", "SPEED");
            foreach (var i in report.Interfaces)
            {
                interfaces.Add(i.Name, i.OperState.ToString(), i.Carrier is { } c ? YesNo(c) : "?",
                    i.SpeedMbps is { } s ? $"{s} Mb/s" : "?");
            }

            interfaces.WriteTo(output);
        }
    }

    private static string Reasons(IReadOnlyList<string> reasons) => reasons.Count == 0 ? "-" : string.Join("; ", reasons);

    private static string Ago(DateTimeOffset now, DateTimeOffset? at) =>
        at is { } t ? $"{Math.Max(0, (now - t).TotalSeconds).ToString("0", Invariant)}s ago" : "never";

    private static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("HH:mm:ss'Z'", Invariant);

    private static string YesNo(bool value) => value ? "yes" : "no";

    private static string Int(int value) => value.ToString(Invariant);

    private static string Number(double value) => value.ToString("0.###", Invariant);
}
