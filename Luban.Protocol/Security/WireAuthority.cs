using static Luban.Protocol.Bonding.BondProtocol;
using static Luban.Protocol.Hypervisor.HypervisorProtocol;
using static Luban.Protocol.Scaling.ScalingProtocol;

namespace Luban.Protocol.Security;

/// <summary>
/// What each member may say, by the certificate that signed it: an agent speaks only for the host its certificate
/// names, membership and commands come only from a seed, operators act only through a seed's operator endpoint.
/// A message with no signer was made in this process and is trusted as such.
/// </summary>
public static class WireAuthority
{
    /// <summary>Null when <paramref name="signer"/> may send <paramref name="message"/>; otherwise why not.</summary>
    public static string? Refusal(object message, ClusterIdentity? signer)
    {
        if (signer is null) return null;
        return message switch
        {
            RegisterAgent m => ForHost(signer, m.Host, IdentityRole.Agent, "register") ?? OwnAddress(signer, m.ForwardAddress),
            HostReport m => ForHost(signer, m.Host, IdentityRole.Agent, "report for") ?? OwnAddress(signer, m.ForwardAddress),
            StartVmResult m => ForHost(signer, m.Host, IdentityRole.Agent, "answer a start for"),
            StopVmResult m => ForHost(signer, m.Host, IdentityRole.Agent, "answer a stop for"),
            HostBondReport m => signer.IsNode && signer.Name == m.Host.Value ? null
                : $"{signer.Subject} may not report the bond of host {m.Host}",
            DrainProgress m => FrontDoorOf(signer, m.FrontDoor),
            FrontDoorReport m => FrontDoorOf(signer, m.FrontDoor),
            StartVm or StopVm or BackendsChanged or AgentRegistered or SecurityNotice or Operator.OperatorProtocol.IOperatorCommand
                or ScaleEvent or SupervisorStatus =>
                signer.Role == IdentityRole.Seed ? null : $"{signer.Subject} may not send {message.GetType().Name}: only a seed may",
            _ => null,
        };
    }

    /// <summary>Null when a member that joined with <paramref name="roles"/> holds a certificate for them: the seed role
    /// needs a seed certificate, the agent role an agent certificate; anything else is no member of ours.</summary>
    public static string? MemberRefusal(IReadOnlyCollection<string> roles, ClusterIdentity signer)
    {
        var wanted = roles.Contains("seed") ? IdentityRole.Seed : roles.Contains("agent") ? IdentityRole.Agent : (IdentityRole?)null;
        return wanted is null ? $"{signer.Subject} joined with roles [{string.Join(", ", roles)}], none of a Luban node"
            : signer.Role != wanted ? $"{signer.Subject} joined with the {ClusterIdentity.RoleName(wanted.Value)} role its certificate does not give"
            : null;
    }

    private static string? FrontDoorOf(ClusterIdentity signer, HostId frontDoor) =>
        signer.Role != IdentityRole.Seed ? $"{signer.Subject} may not speak for a front door: only a seed may"
        : signer.Name != frontDoor.Value ? $"{signer.Subject} may not speak for the front door of host {frontDoor}"
        : null;

    private static string? OwnAddress(ClusterIdentity signer, string forwardAddress) =>
        signer.Addresses.Any(a => a.ToString() == forwardAddress) ? null
        : $"{signer.Subject} may not forward VMs on {forwardAddress}: its certificate names {(signer.Addresses.Count == 0 ? "no address" : string.Join(", ", signer.Addresses))}";

    private static string? ForHost(ClusterIdentity signer, HostId host, IdentityRole role, string verb) =>
        signer.Role != role ? $"{signer.Subject} may not {verb} host {host}: only an {ClusterIdentity.RoleName(role)} certificate may"
        : signer.Name != host.Value ? $"{signer.Subject} may not {verb} host {host}: its certificate names host {signer.Name}"
        : null;
}
