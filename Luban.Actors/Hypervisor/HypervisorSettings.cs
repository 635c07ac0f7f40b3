using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Akka.Configuration;
using Luban.Actors.Cluster;
using Luban.Protocol;

namespace Luban.Actors.Hypervisor;

/// <summary>
/// The agent's settings (<c>luban.hypervisor</c> in <c>hocon/node.hocon</c>). <see cref="Read"/> validates them and
/// throws <see cref="ConfigurationError"/> naming the first bad key, so a bad value stops start-up.
/// </summary>
public sealed partial record HypervisorSettings
{
    public const string Section = "luban.hypervisor";
    public const string UriKey = Section + ".uri";
    public const string DomainTypeKey = Section + ".domain-type";
    public const string MaxVmsKey = Section + ".max-vms";
    public const string MinVmsKey = Section + ".min-vms";
    public const string WarmPoolSizeKey = Section + ".warm-pool-size";
    public const string MemoryKey = Section + ".memory-mib";
    public const string VcpusKey = Section + ".vcpus";
    public const string ImageDirKey = Section + ".image-dir";
    public const string ConsoleLogDirKey = Section + ".console-log-dir";
    public const string ServicePortKey = Section + ".service-port";
    public const string HostPortBaseKey = Section + ".host-port-base";
    public const string ReportIntervalKey = Section + ".report-interval";
    public const string ShutdownGraceKey = Section + ".shutdown-grace";
    public const string ProbeTimeoutKey = Section + ".probe-timeout";
    public const string CountValidForKey = Section + ".count-valid-for";
    public const string CommandTimeoutKey = Section + ".command-timeout";
    public const string DatabaseKey = Section + ".db";
    public const string DatabaseTargetKey = Section + ".database-target";
    public const string DatabaseSecretFileKey = Section + ".database-secret-file";
    public const string GuestForwardProgramKey = Section + ".guest-forward-program";
    public const string PublicUrlKey = Section + ".public-url";
    public const string ForwardAddressKey = Section + ".forward-address";
    public const string EmulatorKey = Section + ".emulator";

    public const string DefaultEmulator = "/usr/bin/qemu-system-x86_64";

    /// <summary>Host ports one host may use: a service and an SSH forward per VM.</summary>
    public const int PortBlockSize = 100;

    public const int PortsPerVm = 2;

    public const int GuestSshPort = 22;

    private static readonly string[] QemuSchemes = ["qemu", "qemu+unix", "qemu+ssh", "qemu+tcp", "qemu+tls", "qemu+libssh2", "qemu+libssh"];

    public string Uri { get; init; } = "qemu:///system";
    public DomainType DomainType { get; init; } = DomainType.Qemu;
    public int MaxVms { get; init; } = 3;
    public int MinVms { get; init; } = 1;

    /// <summary>VMs kept booted and suspended, ready to serve in about a second; on top of <see cref="MaxVms"/>, never
    /// counted by the policy's limits. 0 turns the pool off.</summary>
    public int WarmPoolSize { get; init; } = 1;

    /// <summary>Every slot a host may hold: running VMs plus warm ones.</summary>
    public int SlotCount => MaxVms + WarmPoolSize;
    public int MemoryMiB { get; init; } = 256;
    public int VirtualCpus { get; init; } = 1;

    /// <summary>Absolute folder holding vmlinux, initrd.img and the SSH keys (scripts/vm/build-image.sh).</summary>
    public string ImageDirectory { get; init; } = Path.GetFullPath(Path.Combine(".luban", "image"));

    /// <summary>Absolute folder for the guests' serial console files; null for none.</summary>
    public string? ConsoleLogDirectory { get; init; } = Path.GetFullPath(Path.Combine(".luban", "vm"));

    /// <summary>The web service's port inside the guest.</summary>
    public int ServicePort { get; init; } = 8080;

    /// <summary>First forwarded host port; 0 derives one from the host id (<see cref="HostPortBaseFor"/>).</summary>
    public int HostPortBase { get; init; }

    public TimeSpan ReportInterval { get; init; } = TimeSpan.FromSeconds(1);
    public TimeSpan ShutdownGrace { get; init; } = TimeSpan.FromSeconds(10);
    public TimeSpan ProbeTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a VM's last connection count still stands when later probes fail (a saturated guest answers
    /// its SSH probe late, and that is when its count matters most); 0: only the latest probe counts.</summary>
    public TimeSpan CountValidFor { get; init; } = TimeSpan.FromSeconds(10);
    public TimeSpan CommandTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Where the guests' one way out leads: the records database as this host reaches it (<c>host:port</c>). A guest
    /// reaches nothing else of the hosts (QEMU user networking with <c>restrict=on</c>): its connections to
    /// <see cref="GuestBootArgs.DatabaseAddress"/> are carried there by <see cref="GuestForwardProgram"/>. Null: none.
    /// </summary>
    public string? DatabaseTarget { get; init; }

    /// <summary>A root-only file with the connection string the guests' service uses (its password included); it
    /// reaches the guest through QEMU's firmware configuration, never a command line. Null: none.</summary>
    public string? DatabaseSecretFile { get; init; }

    /// <summary>The program QEMU runs for each guest connection to the database, its standard input and output being
    /// that connection (<c>socat -lf /dev/null STDIO TCP:(<c>socat STDIO TCP:&lt;target&gt;</c>)lt;target(<c>socat STDIO TCP:&lt;target&gt;</c>)gt;</c>).</summary>
    public string GuestForwardProgram { get; init; } = "/usr/bin/socat";

    /// <summary>The front door's URL as users see it (share links, the Origin forms come from, Secure cookies over
    /// https); null when the service should use its own default.</summary>
    public string? PublicUrl { get; init; }

    /// <summary>
    /// The host address the guests' ports are forwarded on, and so the address of every endpoint this host reports:
    /// loopback when everything runs on one machine, the host's own address when the front door runs elsewhere
    /// (another machine, or another network namespace with <c>./luban up --netns</c>).
    /// </summary>
    public string ForwardAddress { get; init; } = "127.0.0.1";

    /// <summary>
    /// The QEMU binary named in each domain. <c>./luban up --netns</c> points it at a wrapper that enters the host's
    /// network namespace, so each host's guests (and their port forwards) live in that host's namespace.
    /// </summary>
    public string Emulator { get; init; } = DefaultEmulator;

    public string KernelPath => Path.Combine(ImageDirectory, "vmlinux");
    public string InitrdPath => Path.Combine(ImageDirectory, "initrd.img");
    public string AgentKeyPath => Path.Combine(ImageDirectory, "agent_ed25519");
    public string HostKeyFingerprintPath => Path.Combine(ImageDirectory, "ssh_host_ed25519_key.fingerprint");

    /// <summary>
    /// The first forwarded port of <paramref name="host"/>: the configured base, or a block of
    /// <see cref="PortBlockSize"/> ports derived from the id, so hosts sharing one machine never pick the same ports
    /// (A → 20000, B → 20100, … Z → 22500; longer ids hash into 23000–62900, and a taken port is still refused at start).
    /// </summary>
    public int HostPortBaseFor(HostId host)
    {
        if (HostPortBase != 0) return HostPortBase;
        var id = host.Value;
        if (id.Length == 1 && id[0] is >= 'A' and <= 'Z') return 20_000 + PortBlockSize * (id[0] - 'A');
        var hash = 2166136261u;
        foreach (var c in id)
            hash = unchecked((hash ^ c) * 16777619u);
        return 23_000 + PortBlockSize * (int)(hash % 400);
    }

    /// <summary>The forwarded host ports of VM number <paramref name="index"/> (1-based) of a host.</summary>
    public (int Service, int Ssh) HostPortsOf(HostId host, int index)
    {
        var first = HostPortBaseFor(host) + PortsPerVm * (index - 1);
        return (first, first + 1);
    }

    /// <summary>Where VM number <paramref name="index"/> of <paramref name="host"/> is reached (its forwarded ports).</summary>
    public GuestAddress AddressOf(HostId host, int index)
    {
        var (service, ssh) = HostPortsOf(host, index);
        return new GuestAddress(VmId.For(host, index), ForwardAddress, service, ssh, ServicePort);
    }

    /// <summary>The domain template of a Luban guest at <paramref name="address"/>: the image, the boot arguments,
    /// the two port forwards, the console file, and the one way out to the records database.</summary>
    public DomainSpec DomainSpecOf(GuestAddress address)
    {
        var name = address.Vm.Value;
        return new DomainSpec(name, DomainType, MemoryMiB, VirtualCpus, KernelPath, InitrdPath,
            new GuestBootArgs(name, ServicePort, PublicUrl: PublicUrl, SshPort: GuestSshPort).ToKernelCommandLine(),
            [
                new PortForward(address.ServiceHostPort, ServicePort, address.Host),
                new PortForward(address.SshHostPort, GuestSshPort, address.Host),
            ],
            ConsoleLogDirectory is { } logs ? Path.Combine(logs, $"{name}.console.log") : null,
            Emulator: Emulator,
            Database: DatabaseTarget is { } target ? new DatabaseForward(GuestForwardProgram, target, DatabaseSecretFile!) : null);
    }

    /// <summary>Reads and validates <c>luban.hypervisor</c>; missing keys keep their defaults.</summary>
    public static HypervisorSettings Read(Config config)
    {
        var d = new HypervisorSettings();
        var settings = new HypervisorSettings
        {
            Uri = Get(config, UriKey, d.Uri, (c, k) => c.GetString(k)),
            DomainType = Get(config, DomainTypeKey, d.DomainType, (c, k) => ParseDomainType(c.GetString(k))),
            MaxVms = Get(config, MaxVmsKey, d.MaxVms, (c, k) => c.GetInt(k)),
            MinVms = Get(config, MinVmsKey, d.MinVms, (c, k) => c.GetInt(k)),
            WarmPoolSize = Get(config, WarmPoolSizeKey, d.WarmPoolSize, (c, k) => c.GetInt(k)),
            MemoryMiB = Get(config, MemoryKey, d.MemoryMiB, (c, k) => c.GetInt(k)),
            VirtualCpus = Get(config, VcpusKey, d.VirtualCpus, (c, k) => c.GetInt(k)),
            ImageDirectory = Get(config, ImageDirKey, d.ImageDirectory, (c, k) => FullPath(c.GetString(k))),
            ConsoleLogDirectory = Get(config, ConsoleLogDirKey, d.ConsoleLogDirectory,
                (c, k) => c.GetString(k) is { Length: > 0 } dir ? FullPath(dir) : null),
            ServicePort = Get(config, ServicePortKey, d.ServicePort, (c, k) => c.GetInt(k)),
            HostPortBase = Get(config, HostPortBaseKey, d.HostPortBase, (c, k) => c.GetInt(k)),
            ReportInterval = Get(config, ReportIntervalKey, d.ReportInterval, Duration),
            ShutdownGrace = Get(config, ShutdownGraceKey, d.ShutdownGrace, Duration),
            ProbeTimeout = Get(config, ProbeTimeoutKey, d.ProbeTimeout, Duration),
            CountValidFor = Get(config, CountValidForKey, d.CountValidFor, Duration),
            CommandTimeout = Get(config, CommandTimeoutKey, d.CommandTimeout, Duration),
            DatabaseTarget = Get(config, DatabaseTargetKey, d.DatabaseTarget, (c, k) => c.GetString(k) is { Length: > 0 } t ? t : null),
            DatabaseSecretFile = Get(config, DatabaseSecretFileKey, d.DatabaseSecretFile,
                (c, k) => c.GetString(k) is { Length: > 0 } file ? FullPath(file) : null),
            GuestForwardProgram = Get(config, GuestForwardProgramKey, d.GuestForwardProgram, (c, k) => c.GetString(k)),
            PublicUrl = Get(config, PublicUrlKey, d.PublicUrl, (c, k) => c.GetString(k) is { Length: > 0 } url ? url : null),
            ForwardAddress = Get(config, ForwardAddressKey, d.ForwardAddress, (c, k) => c.GetString(k)),
            Emulator = Get(config, EmulatorKey, d.Emulator, (c, k) => c.GetString(k)),
        };
        if (config.HasPath(DatabaseKey) && config.GetString(DatabaseKey) is { Length: > 0 } old)
            Fail(DatabaseKey, old, $"the guests' database no longer travels on the kernel command line: set {DatabaseTargetKey} " +
                                   $"(host:port) and {DatabaseSecretFileKey} (a 0600 file with the connection string)");
        settings.Validate();
        return settings;
    }

    /// <summary>Throws <see cref="ConfigurationError"/> naming the first bad key.</summary>
    public void Validate()
    {
        var scheme = SchemeOf(Uri);
        if (scheme is null || (scheme != "test" && !QemuSchemes.Contains(scheme)))
            Fail(UriKey, Uri, $"allowed: a libvirt URI with scheme {string.Join(", ", QemuSchemes)} (e.g. qemu:///system) or test (test:///default)");
        if ((scheme == "test") != (DomainType == DomainType.Test))
            Fail(DomainTypeKey, DomainType.ToString().ToLowerInvariant(),
                scheme == "test" ? $"{UriKey} is a test:/// URI, which needs domain-type test" : "allowed: kvm (real hosts) or qemu (emulation); test only with a test:/// URI");
        if (MaxVms is < 1 or > PortBlockSize / PortsPerVm) Fail(MaxVmsKey, MaxVms, $"allowed: 1..{PortBlockSize / PortsPerVm}");
        if (MinVms < 0 || MinVms > MaxVms) Fail(MinVmsKey, MinVms, $"allowed: 0..{MaxVmsKey} ({MaxVms})");
        if (WarmPoolSize < 0 || SlotCount > PortBlockSize / PortsPerVm)
            Fail(WarmPoolSizeKey, WarmPoolSize, $"allowed: 0 (no pool)..{PortBlockSize / PortsPerVm - MaxVms} ({MaxVmsKey} plus the pool at most {PortBlockSize / PortsPerVm})");
        if (MemoryMiB is < 64 or > 1_048_576) Fail(MemoryKey, MemoryMiB, "allowed: 64..1048576 MiB");
        if (VirtualCpus is < 1 or > 256) Fail(VcpusKey, VirtualCpus, "allowed: 1..256");
        if (!Path.IsPathRooted(ImageDirectory)) Fail(ImageDirKey, ImageDirectory, "allowed: a folder path");
        if (ServicePort is < 1 or > 65535 || ServicePort == GuestSshPort)
            Fail(ServicePortKey, ServicePort, $"allowed: 1..65535 except {GuestSshPort} (the guest's SSH)");
        if (HostPortBase != 0 && (HostPortBase < 1024 || HostPortBase + PortsPerVm * SlotCount - 1 > 65535))
            Fail(HostPortBaseKey, HostPortBase, $"allowed: 0 (derived from the host id) or 1024..{65536 - PortsPerVm * SlotCount}");
        if (ReportInterval < TimeSpan.FromMilliseconds(50) || ReportInterval > TimeSpan.FromMinutes(10))
            Fail(ReportIntervalKey, ReportInterval, "allowed: 50ms..10m");
        if (ShutdownGrace <= TimeSpan.Zero || ShutdownGrace > TimeSpan.FromMinutes(10))
            Fail(ShutdownGraceKey, ShutdownGrace, "allowed: more than 0, at most 10m");
        if (ProbeTimeout <= TimeSpan.Zero || ProbeTimeout > TimeSpan.FromMinutes(1))
            Fail(ProbeTimeoutKey, ProbeTimeout, "allowed: more than 0, at most 1m");
        if (CountValidFor < TimeSpan.Zero || CountValidFor > TimeSpan.FromMinutes(1))
            Fail(CountValidForKey, CountValidFor, "allowed: 0 (only the latest probe) up to 1m");
        if (CommandTimeout <= TimeSpan.Zero || CommandTimeout > TimeSpan.FromMinutes(10))
            Fail(CommandTimeoutKey, CommandTimeout, "allowed: more than 0, at most 10m");
        if (!IPAddress.TryParse(ForwardAddress, out var forward) || forward.AddressFamily != AddressFamily.InterNetwork
            || forward.Equals(IPAddress.Any))
            Fail(ForwardAddressKey, ForwardAddress, "allowed: one IPv4 address of this host, e.g. 127.0.0.1 or 10.77.0.2");
        if (!Path.IsPathRooted(Emulator) || Emulator.Any(char.IsWhiteSpace))
            Fail(EmulatorKey, Emulator, $"allowed: an absolute path to a QEMU binary or wrapper without spaces (default {DefaultEmulator})");
        if (DatabaseTarget is { } target && !HostAndPort().IsMatch(target))
            Fail(DatabaseTargetKey, target, "allowed: host:port of the records database as this host reaches it, e.g. 127.0.0.1:55432");
        if ((DatabaseTarget is null) != (DatabaseSecretFile is null))
            Fail(DatabaseTarget is null ? DatabaseTargetKey : DatabaseSecretFileKey, "", $"allowed: {DatabaseTargetKey} and {DatabaseSecretFileKey} both set, or neither");
        if (DatabaseSecretFile is { } secret)
        {
            if (!File.Exists(secret)) Fail(DatabaseSecretFileKey, secret, "allowed: an existing file holding the guests' connection string");
            if (secret.Contains(',') || secret.Any(char.IsWhiteSpace))
                Fail(DatabaseSecretFileKey, secret, "allowed: a path without commas or spaces (it is a QEMU option value)");
            if (!OperatingSystem.IsWindows()
                && (File.GetUnixFileMode(secret) & (UnixFileMode.GroupRead | UnixFileMode.OtherRead)) != 0)
                Fail(DatabaseSecretFileKey, secret, "it holds a password: it must be readable by its owner only (chmod 600)");
        }

        if (PublicUrl is { } publicUrl && (!System.Uri.TryCreate(publicUrl, UriKind.Absolute, out var parsed)
                                             || parsed.Scheme is not ("http" or "https") || publicUrl.Any(char.IsWhiteSpace)))
            Fail(PublicUrlKey, publicUrl, "allowed: the front door's http(s) URL, e.g. http://10.77.0.1:8080");
        if (!Path.IsPathRooted(GuestForwardProgram) || GuestForwardProgram.Any(c => char.IsWhiteSpace(c) || c == ','))
            Fail(GuestForwardProgramKey, GuestForwardProgram, "allowed: an absolute path without spaces or commas (default /usr/bin/socat)");
    }

    private static string? SchemeOf(string uri)
    {
        var at = uri.IndexOf("://", StringComparison.Ordinal);
        if (at <= 0 || uri.Any(char.IsWhiteSpace)) return null;
        var scheme = uri[..at];
        return scheme.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '+') ? scheme : null;
    }

    private static DomainType ParseDomainType(string value) => value switch
    {
        "kvm" => DomainType.Kvm,
        "qemu" => DomainType.Qemu,
        "test" => DomainType.Test,
        _ => throw new FormatException(value),
    };

    private static string FullPath(string path) =>
        string.IsNullOrWhiteSpace(path) ? throw new FormatException("empty path") : Path.GetFullPath(path);

    private static TimeSpan Duration(Config config, string key) => config.GetTimeSpan(key, allowInfinite: false);

    private static void Fail(string key, object value, string allowed) =>
        throw new ConfigurationError(key, $"{key} = '{value}': {allowed}");

    private static T Get<T>(Config config, string key, T fallback, Func<Config, string, T> read) =>
        HoconValue.Read(config, key, fallback, read, ExpectedFormOf(key));

    private static string ExpectedFormOf(string key) => key switch
    {
        DomainTypeKey => "allowed: kvm or qemu",
        ImageDirKey or ConsoleLogDirKey => "allowed: a folder path",
        ReportIntervalKey or ShutdownGraceKey or ProbeTimeoutKey or CommandTimeoutKey or CountValidForKey => "allowed: a duration such as 500ms or 10s",
        UriKey or PublicUrlKey or DatabaseKey or DatabaseTargetKey or DatabaseSecretFileKey or GuestForwardProgramKey or ForwardAddressKey or EmulatorKey => "allowed: a string",
        _ => "allowed: a whole number",
    };

    [GeneratedRegex(@"^[A-Za-z0-9.\-]+:\d{1,5}$")]
    private static partial Regex HostAndPort();
}
