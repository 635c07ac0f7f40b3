using System.Net;
using System.Security.Cryptography.X509Certificates;
using Luban.Protocol.Security;

namespace Luban.Tests.Support;

/// <summary>
/// One CA for this test run and the certificates the tests' nodes and operators hold, in a folder laid out as
/// <c>luban certs</c> lays one out (<c>ca.crt</c>, <c>&lt;role&gt;-&lt;name&gt;.crt/.key</c>). A second CA stands for
/// a stranger's.
/// </summary>
public static class TestCertificates
{
    private static readonly Lock Issuing = new();
    private static readonly Lazy<(string Directory, X509Certificate2 Authority)> Ours = new(() => NewAuthority("luban-test-certs-"));
    private static readonly Lazy<(string Directory, X509Certificate2 Authority)> Strangers = new(() => NewAuthority("luban-stranger-certs-"));

    /// <summary>The folder of the cluster's CA, with seed A, agents B, C and D, operator admin and viewer guest issued.</summary>
    public static string Directory
    {
        get
        {
            foreach (var (role, name) in new[]
                     {
                         (IdentityRole.Seed, "A"), (IdentityRole.Agent, "B"), (IdentityRole.Agent, "C"), (IdentityRole.Agent, "D"),
                         (IdentityRole.Operator, "admin"), (IdentityRole.Viewer, "guest"),
                     })
                Ensure(Ours.Value, role, name);
            return Ours.Value.Directory;
        }
    }

    /// <summary>A folder whose CA is not the cluster's, holding certificates of the same names.</summary>
    public static string StrangerDirectory
    {
        get
        {
            foreach (var (role, name) in new[] { (IdentityRole.Seed, "A"), (IdentityRole.Agent, "B"), (IdentityRole.Operator, "admin") })
                Ensure(Strangers.Value, role, name);
            return Strangers.Value.Directory;
        }
    }

    /// <summary>The credentials of a holder of the cluster's CA (issued on first use).</summary>
    public static NodeCredentials For(IdentityRole role, string name)
    {
        var certificate = Ensure(Ours.Value, role, name);
        return NodeCredentials.Load(certificate, NodeCredentials.KeyFile(certificate), NodeCredentials.AuthorityFile(Ours.Value.Directory), DateTimeOffset.UtcNow);
    }

    private static string Ensure((string Directory, X509Certificate2 Authority) ca, IdentityRole role, string name)
    {
        var path = NodeCredentials.CertificateFile(ca.Directory, role, name);
        lock (Issuing)
        {
            if (!File.Exists(path))
                CertificateIssuer.Save(CertificateIssuer.Issue(ca.Authority, role, name, [IPAddress.Loopback], DateTimeOffset.UtcNow), path);
        }

        return path;
    }

    private static (string, X509Certificate2) NewAuthority(string prefix)
    {
        var directory = System.IO.Directory.CreateTempSubdirectory(prefix).FullName;
        var authority = CertificateIssuer.CreateAuthority("luban-test", DateTimeOffset.UtcNow);
        CertificateIssuer.Save(authority, NodeCredentials.AuthorityFile(directory));
        return (directory, authority);
    }
}
