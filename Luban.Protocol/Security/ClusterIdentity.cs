using System.Net;
using System.Security.Cryptography.X509Certificates;

namespace Luban.Protocol.Security;

/// <summary>What a certificate of the cluster's CA may do: be a node (seed, agent) or a person (operator, viewer).</summary>
public enum IdentityRole
{
    Seed,
    Agent,
    Operator,
    Viewer,
}

/// <summary>
/// Who holds a certificate of the cluster's CA. The subject carries it: <c>CN=&lt;name&gt;, OU=&lt;role&gt;, O=Luban
/// Cloud</c>, the name being the host id for nodes (<c>CN=B, OU=agent</c>) and a person's name for operators and
/// viewers; a node's IP addresses are its subject alternative names.
/// </summary>
public sealed record ClusterIdentity(IdentityRole Role, string Name, IReadOnlyList<IPAddress> Addresses, DateTimeOffset NotAfter)
{
    public const string Organisation = "Luban Cloud";

    /// <summary>"agent B", "operator alice": how events and refusals name the holder.</summary>
    public string Subject => $"{RoleName(Role)} {Name}";

    public bool IsNode => Role is IdentityRole.Seed or IdentityRole.Agent;

    /// <summary>A node's identity as a host of the cluster, when it is one.</summary>
    public HostId? Host => IsNode ? new HostId(Name) : null;

    public override string ToString() => Subject;

    public static string RoleName(IdentityRole role) => role.ToString().ToLowerInvariant();

    public static IdentityRole? ParseRole(string? text) => text switch
    {
        "seed" => IdentityRole.Seed,
        "agent" => IdentityRole.Agent,
        "operator" => IdentityRole.Operator,
        "viewer" => IdentityRole.Viewer,
        _ => null,
    };

    /// <summary>The distinguished name a certificate for this role and name carries.</summary>
    public static X500DistinguishedName DistinguishedName(IdentityRole role, string name)
    {
        var builder = new X500DistinguishedNameBuilder();
        builder.AddCommonName(name);
        builder.AddOrganizationalUnitName(RoleName(role));
        builder.AddOrganizationName(Organisation);
        return builder.Build();
    }

    /// <summary>The holder named by <paramref name="certificate"/>'s subject, or why it names none.</summary>
    public static ClusterIdentity? Of(X509Certificate2 certificate, out string? problem)
    {
        string? commonName = null, unit = null, organisation = null;
        foreach (var rdn in certificate.SubjectName.EnumerateRelativeDistinguishedNames())
        {
            var value = rdn.GetSingleElementValue();
            switch (rdn.GetSingleElementType().Value)
            {
                case "2.5.4.3": commonName = value; break;
                case "2.5.4.11": unit = value; break;
                case "2.5.4.10": organisation = value; break;
            }
        }

        var role = ParseRole(unit);
        problem = organisation != Organisation ? $"its subject '{certificate.Subject}' is not of {Organisation} (O={Organisation})"
            : role is null ? $"its subject '{certificate.Subject}' names no role (OU=seed, agent, operator or viewer)"
            : string.IsNullOrWhiteSpace(commonName) ? $"its subject '{certificate.Subject}' names no holder (CN)"
            : role is IdentityRole.Seed or IdentityRole.Agent && !HostId.IsValid(commonName)
                ? $"its subject '{certificate.Subject}' names '{commonName}', not a host id"
            : null;
        if (problem is not null) return null;

        var addresses = certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>()
            .SelectMany(san => san.EnumerateIPAddresses())
            .ToList();
        return new ClusterIdentity(role!.Value, commonName!, addresses, certificate.NotAfter);
    }
}
