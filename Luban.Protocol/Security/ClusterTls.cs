using Akka.Event;
using Akka.Remote.Transport.DotNetty;

namespace Luban.Protocol.Security;

/// <summary>
/// Mutual TLS on the cluster transport with Akka's own DotNetty support: this process shows its certificate, and a
/// peer is accepted only with a certificate of the cluster's CA (chain built against that CA alone, never the
/// system's trust store, never suppressed), on both ends of every connection: nodes and the operator CLI alike.
/// </summary>
public static class ClusterTls
{
    public static DotNettySslSetup Setup(NodeCredentials credentials, TimeProvider clock)
    {
        var authority = new CertificateAuthority(credentials.Authority);
        return new DotNettySslSetup(credentials.Certificate, suppressValidation: false, requireMutualAuthentication: true,
            validateCertificateHostname: false, customValidator: (certificate, _, peer, _, log) =>
            {
                if (certificate is null)
                {
                    log.Warning("TLS: refused {0}: it showed no certificate", peer);
                    return false;
                }

                if (authority.Validate(certificate, clock.GetUtcNow(), out var problem) is not null) return true;
                log.Warning("TLS: refused {0} ({1}): {2}", peer, certificate.Subject, problem);
                return false;
            });
    }
}
