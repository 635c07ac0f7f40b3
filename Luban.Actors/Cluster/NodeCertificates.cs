using Luban.Protocol.Security;

namespace Luban.Actors.Cluster;

/// <summary>A node's own certificate, found in its certificates folder by its role and host id.</summary>
public static class NodeCertificates
{
    /// <summary>This node's certificate from the certificates folder; it must name this node's role and host id.</summary>
    public static NodeCredentials Load(ClusterNodeOptions options, DateTimeOffset now)
    {
        var role = options.Role == ClusterRoles.Seed ? IdentityRole.Seed : IdentityRole.Agent;
        var certificate = NodeCredentials.CertificateFile(options.CertificatesDirectory, role, options.HostId);
        NodeCredentials credentials;
        try
        {
            credentials = NodeCredentials.Load(certificate, NodeCredentials.KeyFile(certificate),
                NodeCredentials.AuthorityFile(options.CertificatesDirectory), now);
        }
        catch (CertificateProblem problem)
        {
            throw new ConfigurationError(ClusterNodeOptions.CertificatesFlag, $"{ClusterNodeOptions.CertificatesFlag}: {problem.Message}");
        }

        var identity = credentials.Identity;
        if (identity.Role != role || identity.Name != options.HostId)
            throw new ConfigurationError(ClusterNodeOptions.CertificatesFlag,
                $"{ClusterNodeOptions.CertificatesFlag}: {certificate}: it names {identity.Subject}, not {ClusterIdentity.RoleName(role)} {options.HostId}");
        return credentials;
    }
}
