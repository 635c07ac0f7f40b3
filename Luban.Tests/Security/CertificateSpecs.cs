using System.Net;
using Luban.Actors.Cluster;
using Luban.Protocol.Security;
using Luban.Tests.Support;

namespace Luban.Tests.Security;

/// <summary>Certificate files that cannot be used stop start-up with one line naming the file.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class CertificateSpecs
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;

    /// <summary>A fresh folder with a CA and agent B's certificate and key, for one test to spoil.</summary>
    private static string Folder(TimeSpan? lifetime = null, DateTimeOffset? issuedAt = null)
    {
        var directory = Directory.CreateTempSubdirectory("luban-cert-spec-").FullName;
        var authority = CertificateIssuer.CreateAuthority("spec", (issuedAt ?? Now) < Now ? issuedAt!.Value : Now);
        CertificateIssuer.Save(authority, NodeCredentials.AuthorityFile(directory));
        CertificateIssuer.Save(CertificateIssuer.Issue(authority, IdentityRole.Agent, "B", [IPAddress.Loopback], issuedAt ?? Now, lifetime),
            NodeCredentials.CertificateFile(directory, IdentityRole.Agent, "B"));
        return directory;
    }

    private static ClusterNodeOptions Agent(string directory, string host = "B") => new()
    {
        Role = ClusterRoles.Agent,
        HostId = host,
        BindHost = "127.0.0.1",
        Port = 0,
        PublicHost = "127.0.0.1",
        Seeds = ["akka.ssl.tcp://luban@127.0.0.1:4053"],
        HoconDirectory = Repo.HoconDirectory,
        CertificatesDirectory = directory,
    };

    public static TheoryData<string, Func<string, string>, string> Spoilt => new()
    {
        { "missing certificate", d => Delete(Path.Combine(d, "agent-B.crt")), "agent-B.crt: missing" },
        { "missing key", d => Delete(Path.Combine(d, "agent-B.key")), "agent-B.key: missing" },
        { "missing CA", d => Delete(Path.Combine(d, "ca.crt")), "ca.crt: missing" },
        { "unreadable certificate", d => Write(Path.Combine(d, "agent-B.crt"), "not a certificate"), "agent-B.crt: not a PEM certificate" },
        { "key readable by others", d => Chmod(Path.Combine(d, "agent-B.key"), "0644"), "agent-B.key: readable by others" },
        { "key of another certificate", d => CopyKeyOf(TestCertificates.Directory, d), "agent-B.key: not the private key" },
        { "signed by another CA", d => ReplaceCa(d), "agent-B.crt: not signed by the cluster's CA" },
    };

    [Theory]
    [MemberData(nameof(Spoilt))]
    public void A_certificate_file_that_cannot_be_used_should_stop_start_up_naming_it(string what, Func<string, string> spoil, string expected)
    {
        var directory = Folder();
        spoil(directory);

        var error = Assert.Throws<ConfigurationError>(() => NodeCertificates.Load(Agent(directory), Now));

        Assert.Equal("--certs", error.Key);
        Assert.True(error.Message.Contains(expected, StringComparison.Ordinal), $"{what}: {error.Message}");
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void An_expired_certificate_should_stop_start_up_naming_it()
    {
        var directory = Folder(lifetime: TimeSpan.FromDays(1), issuedAt: Now.AddDays(-3));

        var error = Assert.Throws<ConfigurationError>(() => NodeCertificates.Load(Agent(directory), Now));

        Assert.Contains("agent-B.crt: the certificate is valid", error.Message);
        Assert.Contains("not now", error.Message);
    }

    [Fact]
    public void A_certificate_for_another_host_should_not_start_this_one()
    {
        var directory = Folder();
        File.Copy(Path.Combine(directory, "agent-B.crt"), Path.Combine(directory, "agent-C.crt"));
        File.Copy(Path.Combine(directory, "agent-B.key"), Path.Combine(directory, "agent-C.key"));
        Chmod(Path.Combine(directory, "agent-C.key"), "0600");

        var error = Assert.Throws<ConfigurationError>(() => NodeCertificates.Load(Agent(directory, host: "C"), Now));

        Assert.Contains("agent-C.crt: it names agent B, not agent C", error.Message);
    }

    [Fact]
    public void Issued_files_should_keep_their_keys_private_and_name_their_holder()
    {
        var directory = Folder();

        var credentials = NodeCertificates.Load(Agent(directory), Now);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(directory, "agent-B.key")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(directory, "ca.key")));
        Assert.Equal(("agent B", IdentityRole.Agent), (credentials.Identity.Subject, credentials.Identity.Role));
        Assert.Equal([IPAddress.Loopback], credentials.Identity.Addresses);
    }

    private static string Delete(string path)
    {
        File.Delete(path);
        return path;
    }

    private static string Write(string path, string text)
    {
        File.WriteAllText(path, text);
        return path;
    }

    private static string Chmod(string path, string mode)
    {
        File.SetUnixFileMode(path, (UnixFileMode)Convert.ToInt32(mode, 8));
        return path;
    }

    private static string CopyKeyOf(string other, string directory)
    {
        var key = Path.Combine(directory, "agent-B.key");
        File.Copy(Path.Combine(other, "agent-B.key"), key, overwrite: true);
        return Chmod(key, "0600");
    }

    private static string ReplaceCa(string directory)
    {
        var stranger = CertificateIssuer.CreateAuthority("stranger", Now);
        CertificateIssuer.Save(stranger, NodeCredentials.AuthorityFile(directory));
        return directory;
    }
}
