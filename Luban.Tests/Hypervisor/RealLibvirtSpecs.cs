using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Luban.Actors.Hypervisor;
using Luban.Adapters.Libvirt;
using Luban.Tests.Support;
using Xunit.Abstractions;

namespace Luban.Tests.Hypervisor;

/// <summary>
/// What the real-guest specs need: a libvirtd answering on <c>qemu:///system</c> (scripts/vm/install.sh, then
/// scripts/vm/libvirtd.sh start) and the guest image (scripts/vm/build-image.sh). <c>./luban test</c> provides both;
/// without them these specs fail naming what is missing, they never skip.
/// </summary>
internal static class RealLibvirt
{
    public const string Uri = "qemu:///system";

    public static string RepoRoot { get; } = FindRepoRoot();

    public static string ImageDir =>
        Environment.GetEnvironmentVariable("LUBAN_IMAGE_DIR") is { Length: > 0 } dir ? dir : Path.Combine(RepoRoot, ".luban", "image");

    /// <summary>Where test guests write their serial consoles: <c>./luban test</c> names a folder of its run
    /// (LUBAN_TEST_CONSOLE_DIR) and destroys, after the run, the domains whose console is there and no other.</summary>
    public static string ConsoleDirectory =>
        Environment.GetEnvironmentVariable("LUBAN_TEST_CONSOLE_DIR") is { Length: > 0 } dir ? dir : Path.Combine(RepoRoot, ".luban", "vm");

    /// <summary>The guests' database forward to the tests' PostgreSQL (LUBAN_TEST_GUEST_DB_TARGET) and the file with
    /// its connection string (LUBAN_TEST_GUEST_DB_FILE), both from <c>./luban test</c>; a guest's service refuses to
    /// start without them (records never live on a VM).</summary>
    public static DatabaseForward Database()
    {
        var target = Environment.GetEnvironmentVariable("LUBAN_TEST_GUEST_DB_TARGET");
        var file = Environment.GetEnvironmentVariable("LUBAN_TEST_GUEST_DB_FILE");
        if (string.IsNullOrEmpty(target) || string.IsNullOrEmpty(file) || !File.Exists(file))
            Assert.Fail("LUBAN_TEST_GUEST_DB_TARGET and LUBAN_TEST_GUEST_DB_FILE do not name the tests' database and its secret; run the suite with ./luban test");
        return new DatabaseForward("/usr/bin/socat", target!, file!);
    }

    /// <summary>Fails the calling spec, naming the missing tool and how to install it, unless all is there.</summary>
    public static void Require()
    {
        if (WhyUnavailable() is { } why) Assert.Fail(why);
    }

    private static string? WhyUnavailable()
    {
        const string Install = "install and start it with scripts/vm/install.sh && scripts/vm/libvirtd.sh start (./luban test does both)";
        if (!File.Exists("/usr/sbin/libvirtd") || !File.Exists("/usr/bin/qemu-system-x86_64"))
        {
            return $"libvirtd and QEMU are not installed (Debian libvirt-daemon, qemu-system-x86): {Install}";
        }

        if (!File.Exists("/run/libvirt/libvirt-sock"))
        {
            return $"libvirtd is not running (no /run/libvirt/libvirt-sock): {Install}";
        }

        using (var opened = LibvirtConnection.Open(Uri).ValueOrNull())
        {
            if (opened is null)
            {
                return $"{Uri} does not answer: {Install}";
            }
        }

        foreach (var file in new[] { "vmlinux", "initrd.img" })
        {
            if (!File.Exists(Path.Combine(ImageDir, file)))
            {
                return $"no guest image ({Path.Combine(ImageDir, file)} missing): build it with ./luban image (or scripts/vm/build-image.sh after scripts/vm/install.sh)";
            }
        }

        return null;
    }

    private static LibvirtConnection? ValueOrNull(this LibvirtResult<LibvirtConnection> result) =>
        result is LibvirtResult<LibvirtConnection>.Ok ok ? ok.Value : null;

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "scripts", "vm", "build-image.sh")))
            {
                return dir.FullName;
            }
        }

        return Directory.GetCurrentDirectory();
    }
}

/// <summary>A real QEMU guest from the project's image, through libvirtd: boot, HTTP, SSH banner, ACPI shutdown.</summary>
public sealed class RealLibvirtSpecs(ITestOutputHelper output)
{
    private static readonly TimeSpan BootDeadline = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan ShutdownDeadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_guest_from_the_image_should_serve_http_on_its_forwarded_port_and_power_off_on_acpi()
    {
        RealLibvirt.Require();
        using var connection = LibvirtConnection.Open(RealLibvirt.Uri).ValueOrThrow();
        var name = $"luban-spec-{Guid.NewGuid():N}"[..20];
        using var ports = PortLease.Take(2);
        var (httpPort, sshPort) = (ports.First, ports.First + 1);
        var logDir = RealLibvirt.ConsoleDirectory;
        Directory.CreateDirectory(logDir);
        var type = Environment.GetEnvironmentVariable("LUBAN_DOMAIN_TYPE") == "kvm" ? DomainType.Kvm : DomainType.Qemu;
        var xml = DomainXml.Build(new DomainSpec(
            name, type, 256, 1,
            Path.Combine(RealLibvirt.ImageDir, "vmlinux"), Path.Combine(RealLibvirt.ImageDir, "initrd.img"),
            new GuestBootArgs(name, 8080).ToKernelCommandLine(),
            [new PortForward(httpPort, 8080), new PortForward(sshPort, 22)],
            Path.Combine(logDir, $"{name}.console.log"),
            // The service needs its records database to start; the guest reaches it only through this forward.
            Database: RealLibvirt.Database()));

        try
        {
            connection.Define(xml).ValueOrThrow().Dispose();
            var clock = Stopwatch.StartNew();
            connection.Start(name).ValueOrThrow();

            var bootToHttp = await WaitForHttpAsync($"http://127.0.0.1:{httpPort}/healthz", clock);
            output.WriteLine($"boot-to-HTTP-200: {bootToHttp.TotalSeconds:F2} s");
            Assert.StartsWith("SSH-2.0-", await ReadSshBannerAsync(sshPort));
            Assert.Equal(DomainState.Running, connection.GetState(name).ValueOrThrow().State);
            output.WriteLine($"qemu RSS: {QemuRssMiB(name)} MiB");

            clock.Restart();
            connection.Shutdown(name, ShutdownMode.AcpiPowerButton).ValueOrThrow();
            var state = await WaitForShutOffAsync(connection, name);
            output.WriteLine($"ACPI shutdown to shut off: {clock.Elapsed.TotalSeconds:F2} s");

            Assert.Equal(ShutOffReason.Shutdown, state.ShutOffReason);
        }
        finally
        {
            connection.Destroy(name);
            connection.Undefine(name);
        }
    }

    private static async Task<TimeSpan> WaitForHttpAsync(string url, Stopwatch clock)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        string? last = null;
        while (clock.Elapsed < BootDeadline)
        {
            try
            {
                using var response = await http.GetAsync(url);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return clock.Elapsed;
                }

                last = $"HTTP {(int)response.StatusCode}";
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                last = e.Message;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"{url} gave no 200 within {BootDeadline.TotalSeconds} s (last: {last})");
    }

    private static async Task<string> ReadSshBannerAsync(int port)
    {
        using var client = new TcpClient();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await client.ConnectAsync(IPAddress.Loopback, port, timeout.Token);
        using var reader = new StreamReader(client.GetStream());
        return await reader.ReadLineAsync(timeout.Token) ?? "";
    }

    private static async Task<DomainStateInfo> WaitForShutOffAsync(LibvirtConnection connection, string name)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var state = connection.GetState(name).ValueOrThrow();
            if (state.State == DomainState.ShutOff || clock.Elapsed > ShutdownDeadline)
            {
                return state;
            }

            await Task.Delay(50);
        }
    }

    private static string QemuRssMiB(string name)
    {
        try
        {
            var pid = File.ReadAllText($"/run/libvirt/qemu/{name}.pid").Trim();
            var rss = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            return (long.Parse(rss.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024).ToString();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            return $"unknown ({e.Message})";
        }
    }
}
