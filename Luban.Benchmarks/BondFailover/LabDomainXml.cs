using System.Globalization;
using System.Xml.Linq;

namespace Luban.Benchmarks.BondFailover;

/// <summary>
/// One end of a point-to-point link: a libvirt <c>&lt;interface type='udp'&gt;</c>, i.e. QEMU's UDP socket netdev,
/// sending the guest's frames to <see cref="RemotePort"/> and receiving on <see cref="LocalPort"/> (both on the host's
/// loopback). <see cref="Name"/> is the guest's name for it (eth1, eth2).
/// </summary>
public sealed record LabLink(string Name, string Mac, int LocalPort, int RemotePort);

/// <summary>A lab guest: its name, its image, its kernel command line, its two links and where its serial ports go.</summary>
public sealed record LabGuest(
    string Name,
    string KernelPath,
    string InitrdPath,
    string KernelCommandLine,
    IReadOnlyList<LabLink> Links,
    string ConsolePath,
    string RecordPath,
    int MemoryMiB = 128);

/// <summary>
/// The domain XML of a lab guest: TCG emulation, direct kernel boot, no disk, no management network, the links as
/// virtio NICs that report 1000 Mb/s full duplex (802.3ad aggregates only full-duplex ports of one speed; virtio
/// reports "unknown" unless the device is told), ttyS0 (console) and ttyS1 (bondlab's record) to files.
/// </summary>
public static class LabDomainXml
{
    private static readonly XNamespace QemuNs = "http://libvirt.org/schemas/domain/qemu/1.0";

    public const int LinkSpeedMbps = 1000;

    public static string Build(LabGuest guest, string domainType = "qemu")
    {
        foreach (var path in new[] { guest.KernelPath, guest.InitrdPath, guest.ConsolePath, guest.RecordPath })
        {
            if (!Path.IsPathRooted(path)) throw new ArgumentException($"'{path}' must be an absolute path", nameof(guest));
        }

        var devices = new XElement("devices", new XElement("emulator", "/usr/bin/qemu-system-x86_64"));
        foreach (var link in guest.Links)
        {
            devices.Add(new XElement("interface", new XAttribute("type", "udp"),
                new XElement("mac", new XAttribute("address", link.Mac)),
                new XElement("source", new XAttribute("address", "127.0.0.1"), new XAttribute("port", link.RemotePort),
                    new XElement("local", new XAttribute("address", "127.0.0.1"), new XAttribute("port", link.LocalPort))),
                new XElement("model", new XAttribute("type", "virtio")),
                new XElement("alias", new XAttribute("name", Alias(link)))));
        }

        devices.Add(
            Serial(guest.ConsolePath, 0),
            Serial(guest.RecordPath, 1),
            new XElement("controller", new XAttribute("type", "usb"), new XAttribute("model", "none")),
            new XElement("memballoon", new XAttribute("model", "none")));

        var domain = new XElement("domain",
            new XAttribute("type", domainType),
            new XAttribute(XNamespace.Xmlns + "qemu", QemuNs),
            new XElement("name", guest.Name),
            new XElement("memory", new XAttribute("unit", "MiB"), guest.MemoryMiB),
            new XElement("vcpu", 1),
            new XElement("os",
                new XElement("type", new XAttribute("arch", "x86_64"), new XAttribute("machine", "pc"), "hvm"),
                new XElement("kernel", guest.KernelPath),
                new XElement("initrd", guest.InitrdPath),
                new XElement("cmdline", guest.KernelCommandLine)),
            new XElement("features", new XElement("acpi"),
                domainType == "qemu" ? new XElement("tcg", new XElement("tb-cache", new XAttribute("unit", "MiB"), 32)) : null),
            new XElement("on_poweroff", "destroy"),
            new XElement("on_reboot", "destroy"),
            new XElement("on_crash", "destroy"),
            devices,
            new XElement(QemuNs + "override", guest.Links.Select(link =>
                new XElement(QemuNs + "device", new XAttribute("alias", Alias(link)),
                    new XElement(QemuNs + "frontend",
                        Property("speed", "unsigned", LinkSpeedMbps.ToString(CultureInfo.InvariantCulture)),
                        Property("duplex", "string", "full"))))));
        return domain.ToString();
    }

    // User aliases must start with "ua-" (libvirt).
    private static string Alias(LabLink link) => "ua-" + link.Name;

    private static XElement Serial(string path, int port) =>
        new("serial", new XAttribute("type", "file"),
            new XElement("source", new XAttribute("path", path)),
            new XElement("target", new XAttribute("port", port)));

    private static XElement Property(string name, string type, string value) =>
        new(QemuNs + "property", new XAttribute("name", name), new XAttribute("type", type), new XAttribute("value", value));
}
