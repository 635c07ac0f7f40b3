using Luban.Protocol.Bonding;
using Luban.Protocol.Hypervisor;
using Luban.Protocol.Operator;
using Luban.Protocol.Scaling;

namespace Luban.Protocol.Serialization;

/// <summary>
/// The closed list of message types that may cross the wire, each under a stable name of its own: the manifest is this
/// name, never a CLR type name, so a rename in the code changes nothing on the wire and a manifest that is not on this
/// list is refused before anything is constructed.
/// </summary>
public static class WireTypes
{
    private static readonly (string Name, Type Type)[] Entries =
    [
        ("hypervisor.vm-report", typeof(HypervisorProtocol.VmReport)),
        ("hypervisor.host-report", typeof(HypervisorProtocol.HostReport)),
        ("hypervisor.start-vm", typeof(HypervisorProtocol.StartVm)),
        ("hypervisor.start-vm-result", typeof(HypervisorProtocol.StartVmResult)),
        ("hypervisor.stop-vm", typeof(HypervisorProtocol.StopVm)),
        ("hypervisor.stop-vm-result", typeof(HypervisorProtocol.StopVmResult)),
        ("scaling.register-agent", typeof(ScalingProtocol.RegisterAgent)),
        ("scaling.agent-registered", typeof(ScalingProtocol.AgentRegistered)),
        ("scaling.scale-event", typeof(ScalingProtocol.ScaleEvent)),
        ("scaling.backend", typeof(ScalingProtocol.Backend)),
        ("scaling.backends-changed", typeof(ScalingProtocol.BackendsChanged)),
        ("scaling.drain-progress", typeof(ScalingProtocol.DrainProgress)),
        ("scaling.security-notice", typeof(ScalingProtocol.SecurityNotice)),
        ("scaling.front-door-report", typeof(ScalingProtocol.FrontDoorReport)),
        ("scaling.front-door-status", typeof(ScalingProtocol.FrontDoorStatus)),
        ("scaling.get-supervisor-status", typeof(ScalingProtocol.GetSupervisorStatus)),
        ("scaling.vm-status", typeof(ScalingProtocol.VmStatus)),
        ("scaling.host-status", typeof(ScalingProtocol.HostStatus)),
        ("scaling.policy-value", typeof(ScalingProtocol.PolicyValue)),
        ("scaling.policy-status", typeof(ScalingProtocol.PolicyStatus)),
        ("scaling.supervisor-status", typeof(ScalingProtocol.SupervisorStatus)),
        ("operator.reply", typeof(OperatorProtocol.OperatorReply)),
        ("operator.acting-operator", typeof(OperatorProtocol.ActingOperator)),
        ("operator.start-vm-now", typeof(OperatorProtocol.StartVmNow)),
        ("operator.stop-vm-now", typeof(OperatorProtocol.StopVmNow)),
        ("operator.set-autoscale", typeof(OperatorProtocol.SetAutoscale)),
        ("operator.set-policy", typeof(OperatorProtocol.SetPolicy)),
        ("operator.get-status-json", typeof(OperatorProtocol.GetStatusJson)),
        ("operator.status-json", typeof(OperatorProtocol.StatusJson)),
        ("bond.get-status", typeof(BondProtocol.GetBondStatus)),
        ("bond.status-report", typeof(BondProtocol.BondStatusReport)),
        ("bond.get-metrics", typeof(BondProtocol.GetBondMetrics)),
        ("bond.metrics-text", typeof(BondProtocol.BondMetricsText)),
        ("bond.status-changed", typeof(BondProtocol.BondStatusChanged)),
        ("bond.host-report", typeof(BondProtocol.HostBondReport)),
        ("cluster.member-identity", typeof(Cluster.MembershipProtocol.MemberIdentity)),
    ];

    private static readonly Dictionary<string, Type> ByName = Entries.ToDictionary(e => e.Name, e => e.Type, StringComparer.Ordinal);
    private static readonly Dictionary<Type, string> ByType = Entries.ToDictionary(e => e.Type, e => e.Name);

    public static IReadOnlyCollection<Type> All => ByType.Keys;

    /// <summary>The stable name of a wire type; null for any other type.</summary>
    public static string? NameOf(Type type) => ByType.GetValueOrDefault(type);

    /// <summary>The wire type a manifest names; null for anything not on the list.</summary>
    public static Type? TypeOf(string manifest) => ByName.GetValueOrDefault(manifest);
}
