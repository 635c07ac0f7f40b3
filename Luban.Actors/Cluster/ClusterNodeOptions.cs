using System.Net;
using System.Text.RegularExpressions;

namespace Luban.Actors.Cluster;

/// <summary>
/// Where a Luban process sits in the cluster. Parsed and validated before anything starts, so a bad value stops
/// start-up with one line naming the key.
/// </summary>
public sealed partial record ClusterNodeOptions
{
    public const string SystemName = "luban";

    /// <summary>The cluster transport's address scheme: TLS on every connection.</summary>
    public const string Scheme = "akka.ssl.tcp";

    public const string CertificatesFlag = "--certs";
    public const int DefaultSeedPort = 4053;

    public required string Role { get; init; }
    public required string HostId { get; init; }
    public required string BindHost { get; init; }
    public required int Port { get; init; }
    public required string PublicHost { get; init; }
    public required IReadOnlyList<string> Seeds { get; init; }
    public required string HoconDirectory { get; init; }

    /// <summary>The folder with the cluster's <c>ca.crt</c> and this node's <c>&lt;role&gt;-&lt;host&gt;.crt/.key</c>.</summary>
    public required string CertificatesDirectory { get; init; }

    /// <summary>The seed's admin endpoint (seed role only).</summary>
    public Uri? AdminUrl { get; init; }

    /// <summary>The front door's public endpoint (seed role only).</summary>
    public Uri? PublicUrl { get; init; }

    /// <summary>The cluster's virtual address when two front-end hosts share it (keepalived), seed role only.</summary>
    public System.Net.IPAddress? VirtualAddress { get; init; }

    /// <summary>Backends given by hand (<c>--backend</c>), in rotation beside the cluster's VMs (seed role only).</summary>
    public IReadOnlyList<Uri> StaticBackends { get; init; } = [];

    /// <summary>Root the BondWatcher reads <c>proc/net/bonding</c> and <c>sys/class/net</c> under ("/" on a real host).</summary>
    public string BondRoot { get; init; } = "/";

    /// <summary>Bonds to watch (e.g. bond0); none means no bond watcher.</summary>
    public IReadOnlyList<string> Bonds { get; init; } = [];

    /// <summary>Plain interfaces to watch beside the bonds (their operstate and carrier).</summary>
    public IReadOnlyList<string> BondInterfaces { get; init; } = [];

    /// <summary>This node's own transport address as seeds name it.</summary>
    public string SelfAddress => $"{Scheme}://{SystemName}@{PublicHost}:{Port}";

    /// <summary>
    /// The options for joining again after this node was downed: its own address moves behind the other seeds. Akka
    /// lets only the first seed in a node's own list found a cluster alone; a front-end host that was cut off and
    /// comes back must join the cluster that went on without it, never found a second one while it still cannot
    /// reach the others. A lone seed (no other seed listed) keeps its list.
    /// </summary>
    public ClusterNodeOptions ForRejoin() =>
        Seeds.Count < 2 || Seeds[0] != SelfAddress
            ? this
            : this with { Seeds = [.. Seeds.Skip(1), Seeds[0]] };

    public static IReadOnlyList<OptionSpec> SpecsFor(string role)
    {
        var seed = role == ClusterRoles.Seed;
        var specs = new List<OptionSpec>
        {
            new("--host-id", "LUBAN_HOST_ID", seed ? "A" : "B", "this physical host's id (A, B, C, …)"),
            new("--bind", "LUBAN_BIND", "127.0.0.1", "address the cluster transport listens on"),
            new("--port", "LUBAN_PORT", seed ? DefaultSeedPort.ToString() : "0",
                "cluster transport port (0 = any free port)"),
            new("--public-host", "LUBAN_PUBLIC_HOST", null, "address other hosts reach this one at (default: --bind)"),
            new("--seed", "LUBAN_SEEDS", seed ? null : $"{Scheme}://{SystemName}@127.0.0.1:{DefaultSeedPort}",
                seed ? "seed addresses to join (default: join itself)" : "seed addresses to join", Repeatable: true),
            new("--hocon-dir", "LUBAN_HOCON_DIR", Path.Combine(AppContext.BaseDirectory, "hocon"),
                "folder holding common.hocon and the role files"),
            new(CertificatesFlag, "LUBAN_CERTS", null,
                $"folder with the cluster's ca.crt and this node's {(seed ? "seed" : "agent")}-<host-id>.crt/.key (luban certs)"),
            new("--bond", "LUBAN_BONDS", null, "a bond to watch, e.g. bond0 (repeatable)", Repeatable: true),
            new("--bond-interface", "LUBAN_BOND_INTERFACES", null, "a plain interface to watch (repeatable)", Repeatable: true),
            new("--bond-root", "LUBAN_BOND_ROOT", "/", "root holding proc/net/bonding and sys/class/net"),
        };
        if (seed)
        {
            specs.Add(new("--admin-url", "LUBAN_ADMIN_URL", "http://127.0.0.1:8090", "admin endpoint (/healthz, /api/status, /metrics)"));
            specs.Add(new("--public-url", "LUBAN_PUBLIC_URL", "http://127.0.0.1:8080", "front door: the service's public endpoint"));
            specs.Add(new("--backend", "LUBAN_BACKENDS", null, "a backend URL in rotation beside the VMs (repeatable)", Repeatable: true));
            specs.Add(new("--virtual-address", "LUBAN_VIP", null, "the public virtual address two front-end hosts share (keepalived)"));
        }
        return specs;
    }

    /// <summary>Reads the options of a role; throws <see cref="ConfigurationError"/> naming the first bad key.</summary>
    public static ClusterNodeOptions From(CommandLine line, string role)
    {
        var (hostId, hostKey) = line.Get("--host-id");
        if (!Luban.Protocol.HostId.IsValid(hostId))
            throw new ConfigurationError(hostKey,
                $"{hostKey}: '{hostId}' is not a host id; allowed: a capital letter then up to 15 capitals, digits or '-'");

        var (bind, bindKey) = line.Get("--bind");
        RequireHost(bind, bindKey);

        var (portText, portKey) = line.Get("--port");
        if (!int.TryParse(portText, out var port) || port is < 0 or > 65535)
            throw new ConfigurationError(portKey, $"{portKey}: '{portText}' is not a port; allowed: an integer 0..65535");

        var (publicHost, publicKey) = line.Get("--public-host");
        if (publicHost is not null) RequireHost(publicHost, publicKey);

        var (seeds, seedKey) = line.GetAll("--seed");
        foreach (var seedAddress in seeds)
        {
            if (!SeedPattern().IsMatch(seedAddress))
                throw new ConfigurationError(seedKey,
                    $"{seedKey}: '{seedAddress}' is not a seed address; allowed: {Scheme}://{SystemName}@<host>:<port> (TLS)");
        }

        if (role != ClusterRoles.Seed && seeds.Count == 0)
            throw new ConfigurationError(seedKey, $"{seedKey}: an agent needs at least one seed address");

        var (hoconDir, hoconKey) = line.Get("--hocon-dir");
        foreach (var file in new[] { "common.hocon", ClusterRoles.HoconFileOf(role) })
        {
            if (hoconDir is null || !File.Exists(Path.Combine(hoconDir, file)))
                throw new ConfigurationError(hoconKey, $"{hoconKey}: '{hoconDir}' does not hold {file}; allowed: the project's hocon/ folder");
        }

        var (certificates, certificatesKey) = line.Get(CertificatesFlag);
        if (string.IsNullOrEmpty(certificates) || !Directory.Exists(certificates))
            throw new ConfigurationError(certificatesKey,
                $"{certificatesKey}: '{certificates}' is not a folder of certificates; allowed: a folder with ca.crt and this node's certificate and key (luban certs init/issue)");

        var (bonds, bondKey) = line.GetAll("--bond");
        var (interfaces, interfaceKey) = line.GetAll("--bond-interface");
        foreach (var (names, key) in new[] { (bonds, bondKey), (interfaces, interfaceKey) })
        {
            foreach (var name in names.Where(n => !InterfaceNamePattern().IsMatch(n)))
                throw new ConfigurationError(key,
                    $"{key}: '{name}' is not an interface name; allowed: 1-15 letters, digits, '.', '-', '_' (no '/')");
        }

        var (bondRoot, bondRootKey) = line.Get("--bond-root");
        if (string.IsNullOrEmpty(bondRoot) || !Directory.Exists(bondRoot))
            throw new ConfigurationError(bondRootKey, $"{bondRootKey}: '{bondRoot}' is not a directory; allowed: an existing directory (\"/\" on a real host)");

        Uri? adminUrl = null, publicUrl = null;
        IPAddress? virtualAddress = null;
        var backends = new List<Uri>();
        if (role == ClusterRoles.Seed)
        {
            adminUrl = HttpEndpoint(line, "--admin-url");
            publicUrl = HttpEndpoint(line, "--public-url");
            var (vipText, vipKey) = line.Get("--virtual-address");
            if (vipText is not null && (!IPAddress.TryParse(vipText, out virtualAddress)
                                        || virtualAddress.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork))
                throw new ConfigurationError(vipKey, $"{vipKey}: '{vipText}' is not an address; allowed: an IPv4 address, e.g. 10.77.0.100");
            var (backendTexts, backendKey) = line.GetAll("--backend");
            foreach (var text in backendTexts)
            {
                if (!Uri.TryCreate(text, UriKind.Absolute, out var backend) || backend.Scheme != "http" || !HttpEndpointPattern().IsMatch(text))
                    throw new ConfigurationError(backendKey, $"{backendKey}: '{text}' is not a backend URL; allowed: http://<address>:<port>");
                backends.Add(backend);
            }
        }

        return new ClusterNodeOptions
        {
            Role = role,
            HostId = hostId,
            BindHost = bind!,
            Port = port,
            PublicHost = publicHost ?? bind!,
            Seeds = seeds,
            HoconDirectory = hoconDir!,
            CertificatesDirectory = certificates,
            AdminUrl = adminUrl,
            PublicUrl = publicUrl,
            StaticBackends = backends,
            VirtualAddress = virtualAddress,
            Bonds = bonds,
            BondInterfaces = interfaces,
            BondRoot = bondRoot,
        };
    }

    private static Uri HttpEndpoint(CommandLine line, string flag)
    {
        var (text, key) = line.Get(flag);
        if (text is null || !HttpEndpointPattern().IsMatch(text) || !Uri.TryCreate(text, UriKind.Absolute, out var url)
            || url.Port is < 0 or > 65535)
            throw new ConfigurationError(key, $"{key}: '{text}' is not an endpoint URL; allowed: http://<address>:<port>");
        return url;
    }

    private static void RequireHost(string? value, string key)
    {
        if (string.IsNullOrWhiteSpace(value)
            || (!IPAddress.TryParse(value, out _) && Uri.CheckHostName(value) != UriHostNameType.Dns))
            throw new ConfigurationError(key, $"{key}: '{value}' is not an address; allowed: an IP address or host name");
    }

    [GeneratedRegex(@"^(?!\.{1,2}$)[A-Za-z0-9._-]{1,15}$")]
    private static partial Regex InterfaceNamePattern();

    [GeneratedRegex(@"^http://[A-Za-z0-9.\-]+:\d{1,5}/?$")]
    private static partial Regex HttpEndpointPattern();

    [GeneratedRegex(@"^akka\.ssl\.tcp://luban@[A-Za-z0-9.\-]+:\d{1,5}$")]
    private static partial Regex SeedPattern();
}

/// <summary>The cluster roles and the HOCON file each one loads.</summary>
public static class ClusterRoles
{
    public const string Seed = "seed";
    public const string Agent = "agent";

    public static string HoconFileOf(string role) => role switch
    {
        Seed => "seed.hocon",
        Agent => "node.hocon",
        _ => throw new ArgumentOutOfRangeException(nameof(role), role, "unknown role"),
    };
}
