using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Luban.Protocol.Security;

/// <summary>A certificate file that cannot be used; the message names the file.</summary>
public sealed class CertificateProblem(string path, string message) : Exception($"{path}: {message}")
{
    public string Path { get; } = path;
}

/// <summary>This process's own certificate with its private key, the cluster's CA, and who the certificate names.</summary>
public sealed record NodeCredentials(X509Certificate2 Certificate, X509Certificate2 Authority, ClusterIdentity Identity)
{
    /// <summary>The conventional file names in a certificates folder: <c>ca.crt</c>, <c>&lt;role&gt;-&lt;name&gt;.crt/.key</c>.</summary>
    public static string CertificateFile(string directory, IdentityRole role, string name) =>
        System.IO.Path.Combine(directory, $"{ClusterIdentity.RoleName(role)}-{name}.crt");

    public static string KeyFile(string certificateFile) => System.IO.Path.ChangeExtension(certificateFile, ".key");

    public static string AuthorityFile(string directory) => System.IO.Path.Combine(directory, "ca.crt");

    /// <summary>
    /// Loads a certificate, its key and the CA, and checks them: readable, the key private to its owner, signed by the
    /// CA, valid now, naming a role. Throws <see cref="CertificateProblem"/> naming the first bad file.
    /// </summary>
    public static NodeCredentials Load(string certificatePath, string keyPath, string authorityPath, DateTimeOffset now)
    {
        var authority = ReadCertificate(authorityPath);
        if (!IsAuthority(authority)) throw new CertificateProblem(authorityPath, "not a CA certificate (no CA basic constraint)");
        if (now > authority.NotAfter || now < authority.NotBefore)
            throw new CertificateProblem(authorityPath, $"the CA is valid {authority.NotBefore:u} to {authority.NotAfter:u}, not now");

        if (!File.Exists(keyPath)) throw new CertificateProblem(keyPath, "missing");
        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(keyPath) & (UnixFileMode.GroupRead | UnixFileMode.OtherRead | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite)) != 0)
            throw new CertificateProblem(keyPath, "readable by others; a private key must be 0600 (chmod 600)");
        ReadCertificate(certificatePath);
        X509Certificate2 certificate;
        try
        {
            certificate = X509Certificate2.CreateFromPemFile(certificatePath, keyPath);
        }
        catch (Exception error) when (error is CryptographicException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw new CertificateProblem(keyPath, $"not the private key of {certificatePath} ({error.Message})");
        }

        var validator = new CertificateAuthority(authority);
        var identity = validator.Validate(certificate, now, out var problem)
                       ?? throw new CertificateProblem(certificatePath, problem!);
        return new NodeCredentials(certificate, authority, identity);
    }

    private static X509Certificate2 ReadCertificate(string path)
    {
        if (!File.Exists(path)) throw new CertificateProblem(path, "missing");
        try
        {
            return X509Certificate2.CreateFromPem(File.ReadAllText(path));
        }
        catch (Exception error) when (error is CryptographicException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw new CertificateProblem(path, $"not a PEM certificate ({error.Message})");
        }
    }

    internal static bool IsAuthority(X509Certificate2 certificate) =>
        certificate.Extensions.OfType<X509BasicConstraintsExtension>().Any(c => c.CertificateAuthority);
}

/// <summary>
/// The cluster's own CA as a judge of certificates: a peer's certificate is accepted only when its chain ends at this
/// CA (no system trust), it is valid now, and its subject names a role. Verdicts are kept by thumbprint until the
/// certificate expires, so a message's signature check does not rebuild the chain every time.
/// </summary>
public sealed class CertificateAuthority(X509Certificate2 authority)
{
    private readonly ConcurrentDictionary<string, ClusterIdentity> _accepted = new(StringComparer.Ordinal);

    public X509Certificate2 Certificate { get; } = authority;

    public ClusterIdentity? Validate(X509Certificate2 certificate, DateTimeOffset now, out string? problem)
    {
        problem = null;
        if (_accepted.TryGetValue(certificate.Thumbprint, out var known) && now <= known.NotAfter) return known;

        if (now > certificate.NotAfter || now < certificate.NotBefore)
        {
            problem = $"the certificate is valid {certificate.NotBefore.ToUniversalTime():u} to {certificate.NotAfter.ToUniversalTime():u}, not now";
            return null;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(Certificate);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = now.UtcDateTime;
        chain.ChainPolicy.VerificationTimeIgnored = false;
        if (!chain.Build(certificate) || chain.ChainElements[^1].Certificate.Thumbprint != Certificate.Thumbprint)
        {
            var why = string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation.Trim()).Where(s => s.Length > 0).Distinct());
            problem = $"not signed by the cluster's CA ({Certificate.Subject}){(why.Length > 0 ? $": {why}" : "")}";
            return null;
        }

        var identity = ClusterIdentity.Of(certificate, out problem);
        if (identity is not null) _accepted[certificate.Thumbprint] = identity;
        return identity;
    }
}

/// <summary>Makes the cluster's CA and issues its certificates (<c>luban certs</c>, <c>./luban up</c>, the tests).</summary>
public static partial class CertificateIssuer
{
    public static readonly TimeSpan DefaultAuthorityLifetime = TimeSpan.FromDays(3650);
    public static readonly TimeSpan DefaultLifetime = TimeSpan.FromDays(825);

    /// <summary>A new self-signed CA (ECDSA P-256) for the cluster named <paramref name="cluster"/>.</summary>
    public static X509Certificate2 CreateAuthority(string cluster, DateTimeOffset now, TimeSpan? lifetime = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var name = new X500DistinguishedNameBuilder();
        name.AddCommonName($"{cluster} CA");
        name.AddOrganizationName(ClusterIdentity.Organisation);
        var request = new CertificateRequest(name.Build(), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return request.CreateSelfSigned(now.AddMinutes(-5), now + (lifetime ?? DefaultAuthorityLifetime));
    }

    /// <summary>A certificate for <paramref name="role"/> <paramref name="name"/> signed by <paramref name="authority"/>
    /// (which must hold its private key), usable as both TLS server and client.</summary>
    public static X509Certificate2 Issue(X509Certificate2 authority, IdentityRole role, string name,
        IReadOnlyList<IPAddress> addresses, DateTimeOffset now, TimeSpan? lifetime = null)
    {
        if (role is IdentityRole.Seed or IdentityRole.Agent && !HostId.IsValid(name))
            throw new ArgumentException($"'{name}' is not a host id (a capital letter, then capitals, digits or '-')", nameof(name));
        if (role is IdentityRole.Operator or IdentityRole.Viewer && !PersonName().IsMatch(name))
            throw new ArgumentException($"'{name}' is not a name (letters, digits, '.', '_' or '-', 1-64)", nameof(name));

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(ClusterIdentity.DistinguishedName(role, name), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyAgreement, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new System.Security.Cryptography.Oid("1.3.6.1.5.5.7.3.1"), new System.Security.Cryptography.Oid("1.3.6.1.5.5.7.3.2")], false));
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName($"{ClusterIdentity.RoleName(role)}-{name}".ToLowerInvariant());
        foreach (var address in addresses) san.AddIpAddress(address);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(authority, true, false));

        var notAfter = now + (lifetime ?? DefaultLifetime);
        if (notAfter > authority.NotAfter) notAfter = authority.NotAfter;
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7f;
        using var issued = request.Create(authority, now.AddMinutes(-5), notAfter, serial);
        return issued.CopyWithPrivateKey(key);
    }

    /// <summary>Writes a certificate (PEM) and, when it holds one, its private key (PEM, 0600) beside it.</summary>
    public static void Save(X509Certificate2 certificate, string certificatePath)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(certificatePath))!);
        if (certificate.GetECDsaPrivateKey() is { } key)
        {
            var keyPath = NodeCredentials.KeyFile(certificatePath);
            using (var stream = new FileStream(keyPath, FileMode.Create, FileAccess.Write, FileShare.None, 4096,
                       FileOptions.None))
            {
                if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(keyPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
                using var writer = new StreamWriter(stream);
                writer.Write(key.ExportPkcs8PrivateKeyPem());
            }
        }

        File.WriteAllText(certificatePath, certificate.ExportCertificatePem() + "\n");
    }

    /// <summary>The CA with its private key from its two PEM files.</summary>
    public static X509Certificate2 LoadAuthority(string certificatePath)
    {
        var keyPath = NodeCredentials.KeyFile(certificatePath);
        if (!File.Exists(certificatePath)) throw new CertificateProblem(certificatePath, "missing");
        if (!File.Exists(keyPath)) throw new CertificateProblem(keyPath, "missing (only the CA's host can issue certificates)");
        try
        {
            var authority = X509Certificate2.CreateFromPemFile(certificatePath, keyPath);
            return NodeCredentials.IsAuthority(authority) ? authority : throw new CertificateProblem(certificatePath, "not a CA certificate");
        }
        catch (Exception error) when (error is CryptographicException or IOException or ArgumentException)
        {
            throw new CertificateProblem(certificatePath, $"cannot be read with its key {keyPath} ({error.Message})");
        }
    }

    [System.Text.RegularExpressions.GeneratedRegex("^[A-Za-z0-9._-]{1,64}$")]
    private static partial System.Text.RegularExpressions.Regex PersonName();
}
