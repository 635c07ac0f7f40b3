using System.Diagnostics;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Luban.Actors.Hypervisor;
using Luban.Adapters.Libvirt;
using Luban.Tests.Hypervisor;
using Luban.Tests.Support;
using Renci.SshNet;
using Xunit.Abstractions;

namespace Luban.Tests.Security;

/// <summary>
/// A real guest (the production image, real libvirt and QEMU) is the most exposed thing in the system: from inside it
/// nothing of its host answers but the records database, its service runs as an unprivileged user, and the agent's
/// SSH key can count connections and do nothing else.
/// </summary>
public sealed partial class GuestFenceSpecs(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan BootDeadline = TimeSpan.FromSeconds(120);
    private TestCluster _seed = null!;

    // A seed listening on the host's loopback (cluster transport, admin, front door): what a guest must not reach.
    public async Task InitializeAsync() => _seed = await TestCluster.StartSeedAsync();

    public async Task DisposeAsync() => await _seed.DisposeAsync();

    [Fact]
    public async Task A_guest_should_reach_the_database_and_nothing_else_of_its_host()
    {
        RealLibvirt.Require();
        using var ports = PortLease.Take(2);
        var settings = RealGuests.Settings(ports.First);
        var (vm, guest) = RealGuests.LocalGuest(settings);
        // The host's services as the guest would name them: 10.0.2.2 is the host's loopback under user networking.
        var hostServices = new[]
        {
            ("the seed's cluster port", $"10.0.2.2:{_seed.SeedAddress.Port}"),
            ("the seed's admin endpoint", $"10.0.2.2:{_seed.AdminUrl.Port}"),
            ("the front door", $"10.0.2.2:{_seed.PublicUrl.Port}"),
            ("the records database, directly", $"10.0.2.2:{RealLibvirt.Database().Target.Split(':')[1]}"),
            ("another guest's SSH forward", $"10.0.2.2:{guest.SshHostPort}"),
            ("the DNS forwarder", "10.0.2.3:53"),
            ("an address beyond the host", "192.0.2.1:80"),
        };
        var database = $"{GuestBootArgs.DatabaseAddress}:{GuestBootArgs.DatabasePort}";
        using var hypervisor = new LibvirtHypervisor(settings.Uri);
        try
        {
            var spec = RealGuests.Spec(settings, vm.Value, guest, probe: [.. hostServices.Select(s => s.Item2), database]);
            var started = await hypervisor.DefineAndStartAsync(spec);
            Assert.True(started.IsOk, started.ErrorOrNull?.ToString());
            await RealGuests.WaitForHealthyAsync(guest, Stopwatch.StartNew(), BootDeadline);
            var console = await ConsoleAsync(spec.SerialLogPath!, hostServices.Length + 1);
            output.WriteLine(string.Join("\n", ProbeLine().Matches(console).Select(m => m.Value)));

            Assert.Contains($"probe {database} reachable", console);
            foreach (var (what, target) in hostServices)
                Assert.True(console.Contains($"probe {target} unreachable", StringComparison.Ordinal), $"{what} ({target}) is reachable from the guest");

            // The database works through that one forward: the service, in cluster mode, says so.
            using var http = new HttpClient();
            var dbz = await http.GetAsync($"{guest.Endpoint}/dbz");
            Assert.True(dbz.IsSuccessStatusCode, $"/dbz answered {(int)dbz.StatusCode}");
            Assert.Contains("service /opt/luban/web on :8080 as user luban", console);
            Assert.Contains("cluster mode: records in PostgreSQL at 10.0.2.100:5432", console);
        }
        finally
        {
            RealGuests.Remove(vm.Value);
        }
    }

    [Fact]
    public async Task The_agents_key_should_count_connections_and_do_nothing_else()
    {
        RealLibvirt.Require();
        using var ports = PortLease.Take(2);
        var settings = RealGuests.Settings(ports.First);
        var (vm, guest) = RealGuests.LocalGuest(settings);
        using var hypervisor = new LibvirtHypervisor(settings.Uri);
        try
        {
            Assert.True((await hypervisor.DefineAndStartAsync(RealGuests.Spec(settings, vm.Value, guest))).IsOk);
            await RealGuests.WaitForHealthyAsync(guest, Stopwatch.StartNew(), BootDeadline);
            using var ssh = await ConnectAsync(settings, guest);

            // Whatever command is asked for, the forced one runs: a number, never a shell's answer.
            foreach (var command in new[] { "cat /etc/dropbear/dropbear_ed25519_host_key", "id", "sh -c 'echo owned'" })
            {
                var answer = ssh.RunCommand(command).Result.Trim();
                Assert.True(int.TryParse(answer, out _), $"'{command}' answered '{answer}', not a connection count");
            }

            // No forwarding: a tunnel to the guest's own SSH port carries nothing back.
            using var tunnel = new ForwardedPortLocal("127.0.0.1", 0, "127.0.0.1", 22);
            ssh.AddForwardedPort(tunnel);
            tunnel.Start();
            using var client = new TcpClient();
            await client.ConnectAsync("127.0.0.1", (int)tunnel.BoundPort);
            var buffer = new byte[64];
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            int read;
            try
            {
                read = await client.GetStream().ReadAsync(buffer, wait.Token);
            }
            catch (Exception error) when (error is IOException or OperationCanceledException)
            {
                read = 0;
            }

            Assert.Equal(0, read);
        }
        finally
        {
            RealGuests.Remove(vm.Value);
        }
    }

    private static async Task<SshClient> ConnectAsync(HypervisorSettings settings, GuestAddress guest)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var ssh = new SshClient(new PrivateKeyConnectionInfo(guest.Host, guest.SshHostPort, "root", new PrivateKeyFile(settings.AgentKeyPath)));
            try
            {
                await ssh.ConnectAsync(CancellationToken.None);
                return ssh;
            }
            catch (Exception error) when (error is SocketException or Renci.SshNet.Common.SshException && DateTime.UtcNow < deadline)
            {
                ssh.Dispose();
                await Task.Delay(250);
            }
        }
    }

    /// <summary>The guest's console once it shows all <paramref name="probes"/> outcomes.</summary>
    private static async Task<string> ConsoleAsync(string path, int probes)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            var text = File.Exists(path) ? await File.ReadAllTextAsync(path) : "";
            if (ProbeLine().Matches(text).Count >= probes || DateTime.UtcNow > deadline) return text;
            await Task.Delay(250);
        }
    }

    [GeneratedRegex(@"probe \S+ (reachable|unreachable)")]
    private static partial Regex ProbeLine();
}
