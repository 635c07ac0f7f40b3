using Akka.Configuration;
using Luban.Actors.Cluster;
using Luban.Actors.Hypervisor;
using Luban.Protocol;
using Luban.Tests.Support;

namespace Luban.Tests.Hypervisor;

/// <summary><c>luban.hypervisor</c>: the shipped defaults, and every bad value stopping start-up with its key named.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class HypervisorSettingsSpecs
{
    private static HypervisorSettings Read(string hocon) =>
        HypervisorSettings.Read(ConfigurationFactory.ParseString(hocon));

    [Fact]
    public void Settings_should_read_the_shipped_node_hocon_as_the_papers_pool()
    {
        var settings = HypervisorSettings.Read(LubanHocon.Load(Repo.HoconDirectory, ClusterRoles.Agent));

        Assert.Equal(("qemu:///system", DomainType.Qemu, 1, 3), (settings.Uri, settings.DomainType, settings.MinVms, settings.MaxVms));
        Assert.Equal((TimeSpan.FromSeconds(1), 8080, 0), (settings.ReportInterval, settings.ServicePort, settings.HostPortBase));
        Assert.True(Path.IsPathRooted(settings.ImageDirectory));
        Assert.Null(settings.DatabaseTarget);
        Assert.Null(settings.DatabaseSecretFile);
    }

    [Fact]
    public void Settings_should_read_every_key()
    {
        var secret = SecretFile();
        var settings = Read($$"""
            luban.hypervisor {
              uri = "qemu+ssh://root@hv-b/system", domain-type = kvm, max-vms = 4, min-vms = 2, memory-mib = 2048, vcpus = 2
              image-dir = "/srv/luban/image", console-log-dir = "", service-port = 8081, host-port-base = 30000
              report-interval = 500ms, shutdown-grace = 20s, probe-timeout = 3s, command-timeout = 1m
              database-target = "10.77.0.254:55432", database-secret-file = "{{secret}}", guest-forward-program = "/usr/bin/nc"
              forward-address = 10.77.0.2, emulator = "/srv/luban/qemu-b"
            }
            """);

        Assert.Equal(new HypervisorSettings
        {
            Uri = "qemu+ssh://root@hv-b/system",
            DomainType = DomainType.Kvm,
            MaxVms = 4,
            MinVms = 2,
            MemoryMiB = 2048,
            VirtualCpus = 2,
            ImageDirectory = "/srv/luban/image",
            ConsoleLogDirectory = null,
            ServicePort = 8081,
            HostPortBase = 30000,
            ReportInterval = TimeSpan.FromMilliseconds(500),
            ShutdownGrace = TimeSpan.FromSeconds(20),
            ProbeTimeout = TimeSpan.FromSeconds(3),
            CommandTimeout = TimeSpan.FromMinutes(1),
            DatabaseTarget = "10.77.0.254:55432",
            DatabaseSecretFile = secret,
            GuestForwardProgram = "/usr/bin/nc",
            ForwardAddress = "10.77.0.2",
            Emulator = "/srv/luban/qemu-b",
        }, settings);
    }

    [Theory]
    [InlineData("uri = \"xen:///system\"", "luban.hypervisor.uri")]
    [InlineData("uri = \"qemu/system\"", "luban.hypervisor.uri")]
    [InlineData("uri = \"qemu:///sys tem\"", "luban.hypervisor.uri")]
    [InlineData("domain-type = lxc", "luban.hypervisor.domain-type")]
    [InlineData("domain-type = test", "luban.hypervisor.domain-type")]
    [InlineData("uri = \"test:///default\"", "luban.hypervisor.domain-type")]
    [InlineData("max-vms = 0", "luban.hypervisor.max-vms")]
    [InlineData("max-vms = 51", "luban.hypervisor.max-vms")]
    [InlineData("max-vms = three", "luban.hypervisor.max-vms")]
    [InlineData("min-vms = 4", "luban.hypervisor.min-vms")]
    [InlineData("min-vms = -1", "luban.hypervisor.min-vms")]
    [InlineData("memory-mib = 32", "luban.hypervisor.memory-mib")]
    [InlineData("vcpus = 0", "luban.hypervisor.vcpus")]
    [InlineData("image-dir = \"\"", "luban.hypervisor.image-dir")]
    [InlineData("service-port = 22", "luban.hypervisor.service-port")]
    [InlineData("service-port = 70000", "luban.hypervisor.service-port")]
    [InlineData("host-port-base = 80", "luban.hypervisor.host-port-base")]
    [InlineData("host-port-base = 65534", "luban.hypervisor.host-port-base")]
    [InlineData("report-interval = 0s", "luban.hypervisor.report-interval")]
    [InlineData("report-interval = soon", "luban.hypervisor.report-interval")]
    [InlineData("shutdown-grace = 0s", "luban.hypervisor.shutdown-grace")]
    [InlineData("probe-timeout = 0s", "luban.hypervisor.probe-timeout")]
    [InlineData("command-timeout = 0s", "luban.hypervisor.command-timeout")]
    [InlineData("db = \"Host=10.0.2.2;Database=luban\"", "luban.hypervisor.db")]
    [InlineData("database-target = \"127.0.0.1\"", "luban.hypervisor.database-target")]
    [InlineData("database-target = \"127.0.0.1:5432,hostfwd=tcp::1-:22\"", "luban.hypervisor.database-target")]
    [InlineData("database-secret-file = \"/nonexistent/db.conn\", database-target = \"127.0.0.1:5432\"", "luban.hypervisor.database-secret-file")]
    [InlineData("database-target = \"127.0.0.1:5432\"", "luban.hypervisor.database-secret-file")]
    [InlineData("guest-forward-program = \"socat\"", "luban.hypervisor.guest-forward-program")]
    [InlineData("forward-address = \"hv-b\"", "luban.hypervisor.forward-address")]
    [InlineData("forward-address = \"0.0.0.0\"", "luban.hypervisor.forward-address")]
    [InlineData("forward-address = \"::1\"", "luban.hypervisor.forward-address")]
    [InlineData("emulator = \"qemu-system-x86_64\"", "luban.hypervisor.emulator")]
    [InlineData("emulator = \"/opt/my qemu\"", "luban.hypervisor.emulator")]
    public void Settings_should_refuse_a_bad_value_naming_its_key(string line, string key)
    {
        var error = Assert.Throws<ConfigurationError>(() => Read($"luban.hypervisor {{ {line} }}"));

        Assert.Equal(key, error.Key);
        Assert.StartsWith(key, error.Message);
    }

    [Fact]
    public void A_secret_file_others_can_read_should_be_refused()
    {
        var secret = SecretFile();
        File.SetUnixFileMode(secret, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);

        var error = Assert.Throws<ConfigurationError>(() =>
            Read($"luban.hypervisor {{ database-target = \"127.0.0.1:5432\", database-secret-file = \"{secret}\" }}"));

        Assert.Equal("luban.hypervisor.database-secret-file", error.Key);
        Assert.Contains("chmod 600", error.Message);
    }

    /// <summary>A connection string file as ./luban up writes one: its owner's only.</summary>
    private static string SecretFile()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("luban-secret-").FullName, "guest-db.conn");
        File.WriteAllText(path, "Host=10.0.2.100;Port=5432;Username=luban;Password=x;Database=luban");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return path;
    }

    [Theory]
    [InlineData("test:///default", "test")]
    [InlineData("qemu+tcp://10.0.0.2/system", "qemu")]
    [InlineData("qemu:///session", "kvm")]
    public void Settings_should_accept_libvirt_uris_with_a_matching_domain_type(string uri, string type)
    {
        var settings = Read($"luban.hypervisor {{ uri = \"{uri}\", domain-type = {type} }}");

        Assert.Equal(uri, settings.Uri);
    }

    [Theory]
    [InlineData("A", 0, 1, 20000, 20001)]
    [InlineData("B", 0, 1, 20100, 20101)]
    [InlineData("C", 0, 3, 20204, 20205)]
    [InlineData("B", 30000, 2, 30002, 30003)]
    public void Settings_should_give_each_host_and_vm_its_own_forwarded_ports(string host, int basePort, int index, int service, int ssh)
    {
        var settings = new HypervisorSettings { HostPortBase = basePort };

        Assert.Equal((service, ssh), settings.HostPortsOf(new HostId(host), index));
    }

    [Fact]
    public void Settings_should_keep_derived_port_blocks_of_different_hosts_apart()
    {
        var settings = new HypervisorSettings();
        var hosts = new[] { "A", "B", "C", "Z", "HV-1", "HV-2", "RACK7-B" }.Select(h => new HostId(h)).ToList();

        var blocks = hosts.Select(h => settings.HostPortBaseFor(h)).ToList();

        Assert.Equal(blocks.Count, blocks.Distinct().Count());
        Assert.All(blocks, b => Assert.InRange(b, 20000, 65535 - HypervisorSettings.PortBlockSize));
    }
}
