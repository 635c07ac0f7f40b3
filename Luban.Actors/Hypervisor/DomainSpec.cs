using System.Globalization;

namespace Luban.Actors.Hypervisor;

/// <summary>The value of a successful operation that has nothing to return.</summary>
public readonly record struct Done
{
    public static readonly Done Value = default;
}

/// <summary>The libvirt domain type: <c>kvm</c> on real hosts, <c>qemu</c> (TCG emulation) where KVM does not work,
/// <c>test</c> for libvirt's in-process test driver.</summary>
public enum DomainType
{
    Kvm,
    Qemu,
    Test,
}

/// <summary>A QEMU user-network port forward: host <see cref="HostAddress"/>:<see cref="HostPort"/> to the guest's port.</summary>
public sealed record PortForward(int HostPort, int GuestPort, string HostAddress = "127.0.0.1");

/// <summary>Everything that varies between Luban guests; DomainXml.Build (Luban.Adapters) turns it into domain XML.</summary>
/// <param name="KernelCommandLine">See <see cref="GuestBootArgs"/> for the Luban guest's arguments.</param>
/// <param name="SerialLogPath">The guest console (ttyS0) is appended to this host file; its directory must exist.</param>
/// <param name="TbCacheMiB">QEMU TCG translation-block cache; only used for <see cref="DomainType.Qemu"/>.</param>
public sealed record DomainSpec(
    string Name,
    DomainType Type,
    int MemoryMiB,
    int VirtualCpus,
    string KernelPath,
    string InitrdPath,
    string KernelCommandLine,
    IReadOnlyList<PortForward> PortForwards,
    string? SerialLogPath = null,
    int TbCacheMiB = 32,
    string Emulator = "/usr/bin/qemu-system-x86_64",
    string Machine = "pc",
    DatabaseForward? Database = null);

/// <summary>
/// The guest's one way out: its connections to <see cref="GuestBootArgs.DatabaseAddress"/> are carried by
/// <paramref name="Program"/> to <paramref name="Target"/> on the host, and <paramref name="SecretFile"/> (the
/// connection string with its password) reaches the guest through QEMU's firmware configuration, never a command line.
/// </summary>
public sealed record DatabaseForward(string Program, string Target, string SecretFile);

/// <summary>
/// The kernel command line the Luban guest's /init reads (scripts/vm/guest/init): network, instance name, service
/// port. Values cannot contain spaces or quotes (the init splits the line on whitespace). Nothing secret goes here:
/// the command line of every QEMU process is visible to anyone on its host.
/// </summary>
/// <param name="Probe">host:port pairs the guest tries to reach at boot, each result on the console (a diagnostic the
/// fencing specs use); null for none.</param>
/// <param name="PublicUrl">The front door's URL as users see it; null for the service's default.</param>
public sealed record GuestBootArgs(
    string Instance,
    int ServicePort,
    IReadOnlyList<string>? Probe = null,
    string? PublicUrl = null,
    int SshPort = 22,
    string Address = "10.0.2.15/24",
    string Gateway = "10.0.2.2",
    string Dns = "10.0.2.3")
{
    /// <summary>The address of the host's loopback as seen from a guest on QEMU user networking (closed to guests).</summary>
    public const string HostLoopbackFromGuest = "10.0.2.2";

    /// <summary>Where a guest finds the records database: a QEMU guest forward, the only address it may reach.</summary>
    public const string DatabaseAddress = "10.0.2.100";

    public const int DatabasePort = 5432;

    public string ToKernelCommandLine()
    {
        var args = new List<string>
        {
            "console=ttyS0", "quiet", "panic=-1",
            $"luban.ip={Checked(Address)}", $"luban.gw={Checked(Gateway)}", $"luban.dns={Checked(Dns)}",
            $"luban.instance={Checked(Instance)}",
            string.Create(CultureInfo.InvariantCulture, $"luban.port={ServicePort}"),
            string.Create(CultureInfo.InvariantCulture, $"luban.ssh={SshPort}"),
        };
        if (PublicUrl is not null)
        {
            args.Add($"luban.url={Checked(PublicUrl)}");
        }

        if (Probe is { Count: > 0 })
        {
            args.Add($"luban.probe={Checked(string.Join(',', Probe))}");
        }

        return string.Join(' ', args);
    }

    private static string Checked(string value)
    {
        if (value.Length == 0 || value.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c is '"' or '\''))
        {
            throw new ArgumentException($"'{value}' cannot go on the kernel command line (empty, whitespace or quotes)");
        }

        return value;
    }
}
