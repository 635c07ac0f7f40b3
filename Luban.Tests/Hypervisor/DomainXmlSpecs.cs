using System.Xml.Linq;
using Luban.Actors.Hypervisor;
using Luban.Adapters.Libvirt;

namespace Luban.Tests.Hypervisor;

public sealed class DomainXmlSpecs
{
    private static readonly XNamespace Qemu = "http://libvirt.org/schemas/domain/qemu/1.0";

    private static DomainSpec Spec(DomainType type = DomainType.Qemu, string cmdline = "console=ttyS0") => new(
        "luban-b-1", type, 128, 1, "/img/vmlinux", "/img/initrd.img", cmdline,
        [new PortForward(18080, 8080), new PortForward(18022, 22)], "/run/luban/luban-b-1.log");

    [Fact]
    public void Build_should_describe_a_direct_kernel_boot_with_user_networking_forwards()
    {
        var xml = XElement.Parse(DomainXml.Build(Spec()));

        Assert.Equal("qemu", (string?)xml.Attribute("type"));
        Assert.Equal("luban-b-1", (string?)xml.Element("name"));
        Assert.Equal("128", (string?)xml.Element("memory"));
        Assert.Equal("MiB", (string?)xml.Element("memory")!.Attribute("unit"));
        Assert.Equal("/img/vmlinux", (string?)xml.Element("os")!.Element("kernel"));
        Assert.Equal("/img/initrd.img", (string?)xml.Element("os")!.Element("initrd"));
        Assert.Equal("32", (string?)xml.Element("features")!.Element("tcg")!.Element("tb-cache"));
        Assert.Equal("/run/luban/luban-b-1.log",
            (string?)xml.Element("devices")!.Element("serial")!.Element("source")!.Attribute("path"));
        var args = xml.Element(Qemu + "commandline")!.Elements(Qemu + "arg").Select(a => (string?)a.Attribute("value")).ToList();
        Assert.Equal(
            ["-netdev", "user,id=hn0,restrict=on,hostfwd=tcp:127.0.0.1:18080-:8080,hostfwd=tcp:127.0.0.1:18022-:22",
             "-device", "virtio-net-pci,netdev=hn0"],
            args);
    }

    [Fact]
    public void Build_for_kvm_should_pass_the_host_cpu_and_have_no_tcg_settings()
    {
        var xml = XElement.Parse(DomainXml.Build(Spec(DomainType.Kvm)));

        Assert.Equal("kvm", (string?)xml.Attribute("type"));
        Assert.Null(xml.Element("features")!.Element("tcg"));
        Assert.Equal("host-passthrough", (string?)xml.Element("cpu")!.Attribute("mode"));
    }

    [Fact]
    public void Build_should_escape_the_command_line_for_xml()
    {
        var cmdline = "luban.instance=a<b&c";

        var xml = DomainXml.Build(Spec(cmdline: cmdline));

        Assert.Equal(cmdline, (string?)XElement.Parse(xml).Element("os")!.Element("cmdline"));
        Assert.Contains("a&lt;b&amp;c", xml);
    }

    [Theory]
    [InlineData("127.0.0.1,hostfwd=tcp::1-:22")]
    [InlineData("localhost")]
    [InlineData("::1")]
    public void Build_should_refuse_a_host_address_that_is_not_an_ipv4_literal(string address)
    {
        var spec = Spec() with { PortForwards = [new PortForward(18080, 8080, address)] };

        Assert.Throws<ArgumentException>(() => DomainXml.Build(spec));
    }

    [Fact]
    public void Build_should_refuse_a_host_port_forwarded_twice()
    {
        var spec = Spec() with { PortForwards = [new PortForward(18080, 8080), new PortForward(18080, 22)] };

        Assert.Throws<ArgumentException>(() => DomainXml.Build(spec));
    }

    [Theory]
    [InlineData("")]
    [InlineData("../escape")]
    [InlineData("has space")]
    public void Build_should_refuse_an_unsafe_domain_name(string name)
    {
        Assert.Throws<ArgumentException>(() => DomainXml.Build(Spec() with { Name = name }));
    }

    [Fact]
    public void GuestBootArgs_should_produce_the_arguments_the_guest_init_reads_and_nothing_secret()
    {
        var args = new GuestBootArgs("luban-b-1", 8080).ToKernelCommandLine();
        var probing = new GuestBootArgs("luban-b-1", 8080, ["10.0.2.2:4053", "10.0.2.100:5432"]).ToKernelCommandLine();

        Assert.Equal(
            "console=ttyS0 quiet panic=-1 luban.ip=10.0.2.15/24 luban.gw=10.0.2.2 luban.dns=10.0.2.3 " +
            "luban.instance=luban-b-1 luban.port=8080 luban.ssh=22",
            args);
        Assert.EndsWith(" luban.probe=10.0.2.2:4053,10.0.2.100:5432", probing);
    }

    [Theory]
    [InlineData("luban b 1")]
    [InlineData("\"x\"")]
    public void GuestBootArgs_should_refuse_values_the_init_cannot_split(string instance)
    {
        Assert.Throws<ArgumentException>(() => new GuestBootArgs(instance, 8080).ToKernelCommandLine());
    }

    [Fact]
    public void A_guest_should_reach_nothing_of_its_host_but_the_database_whose_secret_travels_in_a_file()
    {
        var spec = Spec() with { Database = new DatabaseForward("/usr/bin/socat", "10.77.0.254:55432", "/run/luban/guest-db.conn") };

        var args = XElement.Parse(DomainXml.Build(spec)).Descendants().Where(e => e.Name.LocalName == "arg")
            .Select(e => (string)e.Attribute("value")!).ToList();

        var netdev = args[args.IndexOf("-netdev") + 1];
        Assert.StartsWith("user,id=hn0,restrict=on,", netdev);
        Assert.EndsWith(",guestfwd=tcp:10.0.2.100:5432-cmd:/usr/bin/socat -lf /dev/null STDIO TCP:10.77.0.254:55432", netdev);
        Assert.Equal("name=opt/luban/db,file=/run/luban/guest-db.conn", args[args.IndexOf("-fw_cfg") + 1]);
        Assert.DoesNotContain(args.Concat([spec.KernelCommandLine]), a => a.Contains("Password", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("/usr/bin/socat", "127.0.0.1:5432,hostfwd=tcp::22-:22", "/run/db.conn")]
    [InlineData("socat", "127.0.0.1:5432", "/run/db.conn")]
    [InlineData("/usr/bin/socat", "127.0.0.1:5432", "/run/db,x.conn")]
    public void Build_should_refuse_a_database_forward_that_would_break_out_of_its_option(string program, string target, string secret)
    {
        var spec = Spec() with { Database = new DatabaseForward(program, target, secret) };

        Assert.Throws<ArgumentException>(() => DomainXml.Build(spec));
    }
}
