using System.Globalization;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using Luban.Protocol.Security;

namespace Luban.Cli.Certificates;

/// <summary>
/// <c>luban certs</c>: the cluster's CA and its certificates, on the host that keeps the CA's key. Files are PEM, laid
/// out as every Luban process expects them: <c>ca.crt</c> (and <c>ca.key</c>, 0600), <c>&lt;role&gt;-&lt;name&gt;.crt</c>
/// and <c>.key</c> (0600).
/// </summary>
public static class CertsCommand
{
    public const string Help = """
        usage: luban certs init  [--dir DIR] [--cluster NAME]
               luban certs issue --role seed|agent|operator|viewer --name NAME [--address IP]... [--days N]
                                 [--dir DIR] [--out DIR]
               luban certs show  FILE [--dir DIR]

        The cluster's own certificate authority (ECDSA P-256) and the certificates its members hold. Every cluster
        and CLI connection is mutual TLS: a peer whose certificate this CA did not sign cannot connect, and a
        certificate's subject decides what its holder may say.
          init    create the CA in DIR (ca.crt, ca.key 0600) unless it exists; --cluster names it (default luban)
          issue   a certificate from DIR's CA into --out (default DIR): <role>-<name>.crt and .key (0600).
                  seed, agent: NAME is the host id (A, B, C); --address is each IP address the node is reached at
                  or forwards its VMs on (an agent's VM endpoints must be on one of them). operator: may act;
                  viewer: may only read (status, events, policy show, bond status). --days: lifetime (825).
          show    who a certificate names, its addresses and validity, and whether DIR's CA signed it
        DIR defaults to $LUBAN_CERTS, else .luban/run/certs.

        On a new host: on the CA's host, `luban certs issue --role agent --name D --address 10.0.0.4 --out d-certs`,
        copy d-certs/ca.crt, agent-D.crt and agent-D.key to the new host (keep the key 0600), and start it with
        --certs pointing at that folder.
        """;

    public static int Run(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr)
    {
        if (args.Count == 0 || args.Contains("--help") || args.Contains("-h"))
        {
            stdout.Write(Help);
            return args.Count == 0 ? CliApp.UsageError : CliApp.Ok;
        }

        var options = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var operands = new List<string>();
        for (var i = 1; i < args.Count; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal))
            {
                operands.Add(args[i]);
                continue;
            }

            if (args[i] is not ("--dir" or "--cluster" or "--role" or "--name" or "--address" or "--days" or "--out"))
                return Usage(stderr, $"unknown option '{args[i]}'");
            if (i + 1 >= args.Count) return Usage(stderr, $"{args[i]} needs a value");
            if (!options.TryGetValue(args[i], out var values)) options[args[i]] = values = [];
            values.Add(args[++i]);
        }

        string? One(string flag) => options.TryGetValue(flag, out var values) ? values[^1] : null;
        var directory = One("--dir") ?? Environment.GetEnvironmentVariable("LUBAN_CERTS") ?? Path.Combine(".luban", "run", "certs");
        var now = DateTimeOffset.UtcNow;
        try
        {
            switch (args[0])
            {
                case "init" when operands.Count == 0:
                    return Init(directory, One("--cluster") ?? "luban", now, stdout);
                case "issue" when operands.Count == 0:
                    return Issue(directory, One("--out") ?? directory, One("--role"), One("--name"),
                        options.GetValueOrDefault("--address") ?? [], One("--days"), now, stdout, stderr);
                case "show" when operands.Count == 1:
                    return Show(operands[0], directory, now, stdout, stderr);
                default:
                    return Usage(stderr, $"unknown 'certs {string.Join(' ', args)}'");
            }
        }
        catch (CertificateProblem problem)
        {
            stderr.WriteLine($"luban: certs: {problem.Message}");
            return CliApp.SeedFailed;
        }
    }

    private static int Init(string directory, string cluster, DateTimeOffset now, TextWriter stdout)
    {
        var path = NodeCredentials.AuthorityFile(directory);
        if (File.Exists(path))
        {
            stdout.WriteLine($"CA exists: {path}");
            return CliApp.Ok;
        }

        Directory.CreateDirectory(directory);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var authority = CertificateIssuer.CreateAuthority(cluster, now);
        CertificateIssuer.Save(authority, path);
        stdout.WriteLine($"CA created: {path} ({authority.Subject}, valid until {authority.NotAfter.ToUniversalTime():yyyy-MM-dd}); its key {NodeCredentials.KeyFile(path)} stays on this host");
        return CliApp.Ok;
    }

    private static int Issue(string directory, string output, string? roleText, string? name, List<string> addressTexts,
        string? daysText, DateTimeOffset now, TextWriter stdout, TextWriter stderr)
    {
        if (ClusterIdentity.ParseRole(roleText) is not { } role) return Usage(stderr, $"--role '{roleText}': allowed: seed, agent, operator, viewer");
        if (string.IsNullOrEmpty(name)) return Usage(stderr, "--name is required (a host id for seed and agent, a person's name otherwise)");
        var addresses = new List<IPAddress>();
        foreach (var text in addressTexts)
        {
            if (!IPAddress.TryParse(text, out var address)) return Usage(stderr, $"--address '{text}' is not an IP address");
            addresses.Add(address);
        }

        if (role is IdentityRole.Seed or IdentityRole.Agent && addresses.Count == 0)
            return Usage(stderr, $"--address: a {ClusterIdentity.RoleName(role)} needs at least one (the address it is reached at)");
        var lifetime = CertificateIssuer.DefaultLifetime;
        if (daysText is not null)
        {
            if (!int.TryParse(daysText, NumberStyles.None, CultureInfo.InvariantCulture, out var days) || days is < 1 or > 3650)
                return Usage(stderr, $"--days '{daysText}': allowed: 1..3650");
            lifetime = TimeSpan.FromDays(days);
        }

        var authority = CertificateIssuer.LoadAuthority(NodeCredentials.AuthorityFile(directory));
        X509Certificate2 issued;
        try
        {
            issued = CertificateIssuer.Issue(authority, role, name, addresses, now, lifetime);
        }
        catch (ArgumentException error)
        {
            return Usage(stderr, $"--name: {error.Message}");
        }

        Directory.CreateDirectory(output);
        var path = NodeCredentials.CertificateFile(output, role, name);
        CertificateIssuer.Save(issued, path);
        if (Path.GetFullPath(output) != Path.GetFullPath(directory))
            File.Copy(NodeCredentials.AuthorityFile(directory), NodeCredentials.AuthorityFile(output), overwrite: true);
        stdout.WriteLine($"issued {ClusterIdentity.RoleName(role)} {name}: {path} and {NodeCredentials.KeyFile(path)} (0600), " +
                         $"valid until {issued.NotAfter.ToUniversalTime():yyyy-MM-dd}{(addresses.Count > 0 ? $", addresses {string.Join(", ", addresses)}" : "")}");
        return CliApp.Ok;
    }

    private static int Show(string file, string directory, DateTimeOffset now, TextWriter stdout, TextWriter stderr)
    {
        if (!File.Exists(file)) throw new CertificateProblem(file, "missing");
        var certificate = X509Certificate2.CreateFromPem(File.ReadAllText(file));
        var identity = ClusterIdentity.Of(certificate, out var problem);
        stdout.WriteLine($"subject:   {certificate.Subject}");
        stdout.WriteLine($"holder:    {identity?.Subject ?? $"none: {problem}"}");
        stdout.WriteLine($"addresses: {(identity is { Addresses.Count: > 0 } ? string.Join(", ", identity.Addresses) : "-")}");
        stdout.WriteLine($"valid:     {certificate.NotBefore.ToUniversalTime():u} to {certificate.NotAfter.ToUniversalTime():u}");
        stdout.WriteLine($"issuer:    {certificate.Issuer}");
        var authorityFile = NodeCredentials.AuthorityFile(directory);
        if (!File.Exists(authorityFile))
        {
            stdout.WriteLine($"CA:        not checked ({authorityFile} is missing)");
            return CliApp.Ok;
        }

        var authority = new CertificateAuthority(X509Certificate2.CreateFromPem(File.ReadAllText(authorityFile)));
        var accepted = authority.Validate(certificate, now, out var why) is not null;
        stdout.WriteLine($"CA:        {(accepted ? $"accepted by {authorityFile}" : $"refused by {authorityFile}: {why}")}");
        if (!accepted) stderr.WriteLine($"luban: certs: {file} would be refused: {why}");
        return accepted ? CliApp.Ok : CliApp.Refused;
    }

    private static int Usage(TextWriter stderr, string message)
    {
        stderr.WriteLine($"luban: certs: {message} (see luban certs --help)");
        return CliApp.UsageError;
    }
}
