using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Akka.Configuration;
using Luban.Actors.Cluster;
using Luban.Actors.Hypervisor;
using Luban.Adapters.Libvirt;
using Luban.Adapters.Probes;
using Luban.Protocol;
using Luban.Protocol.Scaling;
using Luban.Tests.Support;
using Xunit.Abstractions;
using static Luban.Protocol.Hypervisor.HypervisorProtocol;
using static Luban.Protocol.Scaling.ScalingProtocol;

namespace Luban.Tests.Hypervisor;

/// <summary>Test guests on the real daemon: unique names, leased ports (<see cref="PortLease"/>: QEMU's forwards
/// cannot take port 0), consoles in the run's folder, always destroyed and undefined afterwards, by name.</summary>
internal static class RealGuests
{
    public static DomainType Type =>
        Environment.GetEnvironmentVariable("LUBAN_DOMAIN_TYPE") == "kvm" ? DomainType.Kvm : DomainType.Qemu;

    public static HypervisorSettings Settings(int hostPortBase) => new()
    {
        Uri = RealLibvirt.Uri,
        DomainType = Type,
        MemoryMiB = 256,
        ImageDirectory = RealLibvirt.ImageDir,
        ConsoleLogDirectory = RealLibvirt.ConsoleDirectory,
        HostPortBase = hostPortBase,
        // These specs boot and stop guests the cold way; the warm pool's real-guest test is end to end
        // (NetnsEndToEndSpecs), on the cluster ./luban up makes.
        WarmPoolSize = 0,
        ProbeTimeout = TimeSpan.FromSeconds(3),
        DatabaseTarget = RealLibvirt.Database().Target,
        DatabaseSecretFile = RealLibvirt.Database().SecretFile,
    };

    public static HostId UniqueHost() => new($"SPEC{Guid.NewGuid():N}"[..10].ToUpperInvariant());

    /// <summary>The first VM of a host of its own, with its forwards on loopback at the settings' leased ports.</summary>
    public static (VmId Vm, GuestAddress Guest) LocalGuest(HypervisorSettings settings)
    {
        var vm = VmId.For(UniqueHost(), 1);
        return (vm, new GuestAddress(vm, "127.0.0.1", settings.HostPortBase, settings.HostPortBase + 1, settings.ServicePort));
    }

    public static DomainSpec Spec(HypervisorSettings settings, string name, GuestAddress address, IReadOnlyList<string>? probe = null) => new(
        name, settings.DomainType, settings.MemoryMiB, settings.VirtualCpus, settings.KernelPath, settings.InitrdPath,
        new GuestBootArgs(name, settings.ServicePort, probe).ToKernelCommandLine(),
        [new PortForward(address.ServiceHostPort, settings.ServicePort), new PortForward(address.SshHostPort, 22)],
        Path.Combine(settings.ConsoleLogDirectory!, $"{name}.console.log"),
        Database: RealLibvirt.Database());

    public static void Remove(params string[] names)
    {
        using var connection = LibvirtConnection.Open(RealLibvirt.Uri).ValueOrThrow();
        foreach (var name in names)
        {
            connection.Destroy(name);
            connection.Undefine(name);
        }
    }

    public static async Task<TimeSpan> WaitForHealthyAsync(GuestAddress guest, Stopwatch clock, TimeSpan deadline)
    {
        using var health = new HttpHealthProbe();
        while (clock.Elapsed < deadline)
        {
            if (await health.CheckAsync(guest, TimeSpan.FromSeconds(2)) == HealthAnswer.Healthy) return clock.Elapsed;
            await Task.Delay(100);
        }

        throw new TimeoutException($"{guest.Endpoint}/healthz gave no 200 within {deadline.TotalSeconds} s");
    }

    public static async Task<DomainStateInfo> WaitForShutOffAsync(IHypervisor hypervisor, string name, TimeSpan deadline)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var state = await StateOfAsync(hypervisor, name);
            if (state is { State: DomainState.ShutOff } off) return off;
            if (clock.Elapsed > deadline) throw new TimeoutException($"{name} not shut off within {deadline.TotalSeconds} s: {state}");
            await Task.Delay(50);
        }
    }

    /// <summary>The domain's state as the hypervisor lists it; null when it is not defined or the listing failed.</summary>
    public static async Task<DomainStateInfo?> StateOfAsync(IHypervisor hypervisor, string name) =>
        await hypervisor.ListDomainsAsync(name) is HypervisorResult<IReadOnlyList<GuestDomain>>.Ok listed
            ? listed.Value.FirstOrDefault(d => d.Name == name)?.State
            : null;

    public static string Summary(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return $"min {sorted[0]:F1} / median {sorted[sorted.Count / 2]:F1} / max {sorted[^1]:F1}";
    }
}

/// <summary>
/// A real QEMU guest through <see cref="LibvirtHypervisor"/>: HTTP inside, N held connections read back through the
/// SSH probe (persistent session, pinned host key), ACPI shutdown; and a guest whose host key is not the pinned one.
/// </summary>
public sealed class RealGuestSpecs(ITestOutputHelper output)
{
    private const int HeldConnections = 5;
    private static readonly TimeSpan BootDeadline = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task Guest_should_serve_http_report_held_connections_over_ssh_and_power_off_on_acpi()
    {
        RealLibvirt.Require();
        using var ports = PortLease.Take(2);
        var settings = RealGuests.Settings(ports.First);
        var (vm, guest) = RealGuests.LocalGuest(settings);
        using var hypervisor = new LibvirtHypervisor(settings.Uri);
        using var probe = ConnectionProbe.ForImage(settings);
        var held = new List<TcpClient>();
        try
        {
            var clock = Stopwatch.StartNew();
            var started = await hypervisor.DefineAndStartAsync(RealGuests.Spec(settings, vm.Value, guest));
            Assert.True(started.IsOk, started.ErrorOrNull?.ToString());
            var healthyAfter = await RealGuests.WaitForHealthyAsync(guest, clock, BootDeadline);
            output.WriteLine($"boot to /healthz 200: {healthyAfter.TotalSeconds:F2} s");

            // Connect first, then hold N: the first probe includes the SSH handshake, later ones reuse the session.
            var connectClock = Stopwatch.StartNew();
            var baseline = await CountWhenSshAnswersAsync(probe, guest);
            output.WriteLine($"first probe (SSH connect + command): {connectClock.ElapsedMilliseconds} ms, count {baseline}");
            Assert.Equal(0, baseline);

            for (var i = 0; i < HeldConnections; i++)
            {
                var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, guest.ServiceHostPort);
                held.Add(client);
            }

            var counted = await CountUntilAsync(probe, guest, HeldConnections);
            Assert.Equal(HeldConnections, counted);

            var rtts = new List<double>();
            for (var i = 0; i < 20; i++)
            {
                var rtt = Stopwatch.StartNew();
                var result = await probe.CountAsync(guest, CancellationToken.None);
                rtts.Add(rtt.Elapsed.TotalMilliseconds);
                Assert.Equal(HeldConnections, result.Connections);
            }

            output.WriteLine($"probe round trip on the persistent session, 20 probes: {RealGuests.Summary(rtts)} ms");

            foreach (var client in held) client.Dispose();
            held.Clear();
            Assert.Equal(0, await CountUntilAsync(probe, guest, 0));

            clock.Restart();
            var shutdown = await hypervisor.ShutdownAsync(vm.Value);
            Assert.True(shutdown.IsOk, shutdown.ErrorOrNull?.ToString());
            var off = await RealGuests.WaitForShutOffAsync(hypervisor, vm.Value, TimeSpan.FromSeconds(30));
            output.WriteLine($"ACPI shutdown to shut off: {clock.Elapsed.TotalSeconds:F2} s");
            Assert.Equal(ShutOffReason.Shutdown, off.ShutOffReason);

            // The session died with the guest: the probe says unknown, not 0.
            Assert.Null((await probe.CountAsync(guest, CancellationToken.None)).Connections);
        }
        finally
        {
            foreach (var client in held) client.Dispose();
            RealGuests.Remove(vm.Value);
        }
    }

    [Fact]
    public async Task Probe_should_refuse_and_report_a_guest_whose_host_key_is_not_the_pinned_one()
    {
        RealLibvirt.Require();
        using var ports = PortLease.Take(2);
        var settings = RealGuests.Settings(ports.First);
        var (vm, guest) = RealGuests.LocalGuest(settings);
        using var hypervisor = new LibvirtHypervisor(settings.Uri);
        using var wrongPin = new ConnectionProbe(settings.AgentKeyPath, "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", settings.ProbeTimeout);
        using var rightPin = ConnectionProbe.ForImage(settings);
        try
        {
            Assert.True((await hypervisor.DefineAndStartAsync(RealGuests.Spec(settings, vm.Value, guest))).IsOk);
            await RealGuests.WaitForHealthyAsync(guest, Stopwatch.StartNew(), BootDeadline);
            await CountWhenSshAnswersAsync(rightPin, guest);

            var refused = await wrongPin.CountAsync(guest, CancellationToken.None);

            output.WriteLine(refused.Error);
            Assert.True(refused.HostKeyRejected);
            Assert.Null(refused.Connections);
            Assert.Contains("not the pinned SHA256:AAAA", refused.Error);
        }
        finally
        {
            RealGuests.Remove(vm.Value);
        }
    }

    /// <summary>dropbear may start a moment after the web service answers.</summary>
    private static async Task<int?> CountWhenSshAnswersAsync(IConnectionProbe probe, GuestAddress guest)
    {
        ProbeResult result = ProbeResult.Unknown("not probed");
        for (var attempt = 0; attempt < 40; attempt++)
        {
            result = await probe.CountAsync(guest, CancellationToken.None);
            if (result.Connections is not null || result.HostKeyRejected) return result.Connections;
            await Task.Delay(250);
        }

        throw new TimeoutException($"SSH probe never answered: {result.Error}");
    }

    /// <summary>QEMU's user network opens the guest-side connection asynchronously: poll until the count settles.</summary>
    private static async Task<int?> CountUntilAsync(IConnectionProbe probe, GuestAddress guest, int expected)
    {
        int? last = null;
        for (var attempt = 0; attempt < 40 && last != expected; attempt++)
        {
            if (attempt > 0) await Task.Delay(100);
            last = (await probe.CountAsync(guest, CancellationToken.None)).Connections;
        }

        return last;
    }
}

/// <summary>The HypervisorAgent over the real daemon, SSH probe and health checks: StartVm to InService, StopVm to shut off.</summary>
public sealed class RealAgentSpecs : Akka.TestKit.Xunit2.TestKit
{
    private readonly ITestOutputHelper _output;

    public RealAgentSpecs(ITestOutputHelper output) : base(ConfigurationFactory.ParseString("akka.actor.provider = local")
        .WithFallback(LubanHocon.Load(Repo.HoconDirectory, ClusterRoles.Agent, TestCluster.TestOverrides)), output: output)
    {
        _output = output;
    }

    [Fact]
    public async Task Agent_should_bring_a_real_guest_into_service_and_stop_it_three_times()
    {
        RealLibvirt.Require();
        var host = RealGuests.UniqueHost();
        using var ports = PortLease.Take(6);
        var settings = RealGuests.Settings(ports.First) with
        {
            ReportInterval = TimeSpan.FromMilliseconds(250),
            ShutdownGrace = TimeSpan.FromSeconds(15),
        };
        var vm = VmId.For(host, 1);
        var supervisor = CreateTestProbe("supervisor");
        var commander = CreateTestProbe("commander");
        var agent = Sys.ActorOf(HypervisorAgent.Props(host, settings, supervisor.Ref, () => new HypervisorAgentDependencies(
            new LibvirtHypervisor(settings.Uri), ConnectionProbe.ForImage(settings), new HttpHealthProbe())));
        var bootTimes = new List<double>();
        var stopTimes = new List<double>();
        try
        {
            await supervisor.ExpectMsgAsync<RegisterAgent>();
            supervisor.Reply(new AgentRegistered(host));

            for (var round = 1; round <= 3; round++)
            {
                var clock = Stopwatch.StartNew();
                agent.Tell(new StartVm(host, $"start-{round}"), commander.Ref);
                var started = await commander.ExpectMsgAsync<StartVmResult>(TimeSpan.FromSeconds(30));
                Assert.True(started.Succeeded, started.Error);
                Assert.Equal(vm, started.Vm);

                var serving = await supervisor.FishForMessageAsync<HostReport>(
                    r => r.Vms.Any(v => v.Vm == vm && v is { State: VmState.InService, Connections: not null }),
                    TimeSpan.FromSeconds(120));
                bootTimes.Add(clock.Elapsed.TotalSeconds);
                var report = serving.Vms.Single(v => v.Vm == vm);
                Assert.Equal($"http://127.0.0.1:{settings.HostPortBase}", report.Endpoint);
                Assert.NotNull(report.InServiceSince);

                clock.Restart();
                agent.Tell(new StopVm(host, vm, $"stop-{round}"), commander.Ref);
                var stopped = await commander.ExpectMsgAsync<StopVmResult>(TimeSpan.FromSeconds(30));
                stopTimes.Add(clock.Elapsed.TotalSeconds);
                Assert.True(stopped.Succeeded, stopped.Error);
                await supervisor.FishForMessageAsync<HostReport>(
                    r => r.Vms.Any(v => v.Vm == vm && v.State == VmState.ShutOff), TimeSpan.FromSeconds(10));
            }

            _output.WriteLine($"StartVm to InService report (s): {RealGuests.Summary(bootTimes)}");
            _output.WriteLine($"StopVm to StopVmResult (s): {RealGuests.Summary(stopTimes)}");
        }
        finally
        {
            Sys.Stop(agent);
            RealGuests.Remove(vm.Value);
        }
    }
}
