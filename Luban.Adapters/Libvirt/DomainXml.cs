using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Luban.Actors.Hypervisor;

namespace Luban.Adapters.Libvirt;

/// <summary>
/// Builds the domain XML of a Luban guest (see VM-GUEST.md): direct kernel boot, no disks, QEMU user networking with
/// host port forwards through the QEMU command-line namespace (no bridge, no libvirt network), serial console to a
/// file, no balloon/USB/video.
/// </summary>
public static partial class DomainXml
{
    private static readonly XNamespace QemuNs = "http://libvirt.org/schemas/domain/qemu/1.0";

    public static string Build(DomainSpec spec)
    {
        Validate(spec);
        var features = new XElement("features", new XElement("acpi"));
        if (spec.Type == DomainType.Qemu)
        {
            features.Add(new XElement("tcg",
                new XElement("tb-cache", new XAttribute("unit", "MiB"), spec.TbCacheMiB)));
        }

        var devices = new XElement("devices");
        if (spec.Type != DomainType.Test)
        {
            devices.Add(new XElement("emulator", spec.Emulator));
        }

        if (spec.SerialLogPath is not null)
        {
            devices.Add(new XElement("serial", new XAttribute("type", "file"),
                new XElement("source", new XAttribute("path", spec.SerialLogPath)),
                new XElement("target", new XAttribute("port", 0))));
        }

        devices.Add(
            new XElement("controller", new XAttribute("type", "usb"), new XAttribute("model", "none")),
            new XElement("memballoon", new XAttribute("model", "none")));

        var domain = new XElement("domain",
            new XAttribute("type", spec.Type.ToString().ToLowerInvariant()),
            new XAttribute(XNamespace.Xmlns + "qemu", QemuNs),
            new XElement("name", spec.Name),
            new XElement("memory", new XAttribute("unit", "MiB"), spec.MemoryMiB),
            new XElement("vcpu", spec.VirtualCpus),
            new XElement("os",
                new XElement("type", new XAttribute("arch", "x86_64"), new XAttribute("machine", spec.Machine), "hvm"),
                new XElement("kernel", spec.KernelPath),
                new XElement("initrd", spec.InitrdPath),
                new XElement("cmdline", spec.KernelCommandLine)),
            features);
        if (spec.Type == DomainType.Kvm)
        {
            domain.Add(new XElement("cpu", new XAttribute("mode", "host-passthrough")));
        }

        domain.Add(
            new XElement("on_poweroff", "destroy"),
            new XElement("on_reboot", "restart"),
            new XElement("on_crash", "destroy"),
            devices,
            QemuCommandLine(spec.PortForwards, spec.Database));
        return domain.ToString();
    }

    /// <summary>
    /// The netdev argument: <c>user,id=hn0,restrict=on,hostfwd=tcp:127.0.0.1:18080-:8080,…,guestfwd=…</c>. With
    /// <c>restrict=on</c> the guest reaches nothing of its host or beyond (10.0.2.2 included) but the guest forward to
    /// the records database; the host's forwards into the guest (service, SSH) still work. The guest forward's program
    /// gets the connection as its stdin, stdout <em>and</em> stderr, so socat logs to /dev/null: an error line such as
    /// "connection refused" would otherwise reach the guest's database driver as protocol bytes.
    /// </summary>
    public static string UserNetdev(IReadOnlyList<PortForward> forwards, DatabaseForward? database = null) =>
        string.Join(",", new[] { "user", "id=hn0", "restrict=on" }
            .Concat(forwards.Select(f => string.Create(CultureInfo.InvariantCulture, $"hostfwd=tcp:{f.HostAddress}:{f.HostPort}-:{f.GuestPort}")))
            .Concat(database is null ? [] : [string.Create(CultureInfo.InvariantCulture,
                $"guestfwd=tcp:{GuestBootArgs.DatabaseAddress}:{GuestBootArgs.DatabasePort}-cmd:{database.Program} -lf /dev/null STDIO TCP:{database.Target}")]));

    /// <summary>The firmware-configuration entry that carries the database secret into the guest.</summary>
    public const string SecretEntry = "opt/luban/db";

    private static XElement QemuCommandLine(IReadOnlyList<PortForward> forwards, DatabaseForward? database)
    {
        var line = new XElement(QemuNs + "commandline",
            Arg("-netdev"), Arg(UserNetdev(forwards, database)),
            Arg("-device"), Arg("virtio-net-pci,netdev=hn0"));
        if (database is not null) line.Add(Arg("-fw_cfg"), Arg($"name={SecretEntry},file={database.SecretFile}"));
        return line;
    }

    private static XElement Arg(string value) => new(QemuNs + "arg", new XAttribute("value", value));

    private static void Validate(DomainSpec spec)
    {
        if (!SafeName().IsMatch(spec.Name))
        {
            throw new ArgumentException($"domain name '{spec.Name}' must match {SafeName()}", nameof(spec));
        }

        if (spec.MemoryMiB < 16 || spec.VirtualCpus < 1 || spec.TbCacheMiB < 1)
        {
            throw new ArgumentException("memory (>= 16 MiB), vCPUs and TB cache must be positive", nameof(spec));
        }

        foreach (var path in new[] { spec.KernelPath, spec.InitrdPath, spec.SerialLogPath, spec.Emulator })
        {
            if (path is not null && !Path.IsPathRooted(path))
            {
                throw new ArgumentException($"'{path}' must be an absolute path", nameof(spec));
            }
        }

        if (spec.KernelCommandLine.Any(char.IsControl))
        {
            throw new ArgumentException("the kernel command line must be one line", nameof(spec));
        }

        if (spec.Database is { } database
            && (new[] { database.Program, database.Target, database.SecretFile }.Any(v => v.Contains(',') || v.Any(char.IsWhiteSpace) || v.Length == 0)
                || !Path.IsPathRooted(database.Program) || !Path.IsPathRooted(database.SecretFile)))
        {
            // They become parts of comma-separated QEMU options.
            throw new ArgumentException($"invalid database forward {database}", nameof(spec));
        }

        var hostPorts = new HashSet<int>();
        foreach (var forward in spec.PortForwards)
        {
            // The forward becomes part of a comma-separated QEMU option: only plain IPv4 literals and valid ports.
            if (forward.HostPort is < 1 or > 65535 || forward.GuestPort is < 1 or > 65535
                || !IPAddress.TryParse(forward.HostAddress, out var address)
                || address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork
                || address.ToString() != forward.HostAddress)
            {
                throw new ArgumentException($"invalid port forward {forward}", nameof(spec));
            }

            if (!hostPorts.Add(forward.HostPort))
            {
                throw new ArgumentException($"host port {forward.HostPort} is forwarded twice", nameof(spec));
            }
        }
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$")]
    private static partial Regex SafeName();
}
