using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Luban.Actors.Hypervisor;
using Luban.Adapters.Libvirt;
using Xunit.Abstractions;

namespace Luban.Tests.Hypervisor;

/// <summary>
/// Runs only when a real libvirtd answers on <c>qemu:///system</c> (scripts/vm/libvirtd.sh start) and the guest image
/// exists (scripts/vm/build-image.sh); otherwise skipped with the reason. CI starts both, so there nothing is skipped.
/// </summary>
public sealed class RealLibvirtFactAttribute : FactAttribute
{
    public RealLibvirtFactAttribute()
    {
        Skip = RealLibvirt.WhyUnavailable();
    }
}

internal static class RealLibvirt
{
    public const string Uri = "qemu:///system";

    public static string RepoRoot { get; } = FindRepoRoot();

    public static string ImageDir =>
        Environment.GetEnvironmentVariable("LUBAN_IMAGE_DIR") is { Length: > 0 } dir ? dir : Path.Combine(RepoRoot, ".luban", "image");

    public static string? WhyUnavailable()
    {
        if (!File.Exists("/run/libvirt/libvirt-sock"))
        {
            return "libvirtd is not running (no /run/libvirt/libvirt-sock): start it with scripts/vm/libvirtd.sh start";
        }

        using (var opened = LibvirtConnection.Open(Uri).ValueOrNull())
        {
            if (opened is null)
            {
                return $"{Uri} does not answer: start libvirtd with scripts/vm/libvirtd.sh start";
            }
        }

        foreach (var file in new[] { "vmlinux", "initrd.img" })
        {
            if (!File.Exists(Path.Combine(ImageDir, file)))
            {
                return $"no guest image ({Path.Combine(ImageDir, file)} missing): build it with scripts/vm/build-image.sh";
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

    [RealLibvirtFact]
    public async Task A_guest_from_the_image_should_serve_http_on_its_forwarded_port_and_power_off_on_acpi()
    {
        using var connection = LibvirtConnection.Open(RealLibvirt.Uri).ValueOrThrow();
        var name = $"luban-spec-{Guid.NewGuid():N}"[..20];
        var (httpPort, sshPort) = (FreePort(), FreePort());
        var logDir = Path.Combine(RealLibvirt.RepoRoot, ".luban", "vm");
        Directory.CreateDirectory(logDir);
        var type = Environment.GetEnvironmentVariable("LUBAN_DOMAIN_TYPE") == "kvm" ? DomainType.Kvm : DomainType.Qemu;
        var xml = DomainXml.Build(new DomainSpec(
            name, type, 128, 1,
            Path.Combine(RealLibvirt.ImageDir, "vmlinux"), Path.Combine(RealLibvirt.ImageDir, "initrd.img"),
            new GuestBootArgs(name, 8080).ToKernelCommandLine(),
            [new PortForward(httpPort, 8080), new PortForward(sshPort, 22)],
            Path.Combine(logDir, $"{name}.console.log")));

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

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
