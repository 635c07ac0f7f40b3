using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using Akka.Actor;
using Akka.Cluster;
using Akka.Configuration;
using Akka.Hosting;
using Akka.Remote;
using Luban.Actors.Cluster;
using Luban.Actors.Scaling;
using Luban.Cli;
using Luban.Protocol;
using Luban.Protocol.Scaling;
using Luban.Protocol.Security;
using Luban.Tests.Cli;
using Luban.Tests.Support;
using static Luban.Protocol.Hypervisor.HypervisorProtocol;
using static Luban.Protocol.Scaling.ScalingProtocol;

namespace Luban.Tests.Security;

/// <summary>
/// The closed control plane with real sockets and real TLS: a seed and an agent in this process, strangers and
/// impostors in actor systems of their own, junk written straight to the cluster port.
/// </summary>
public sealed class ClusterSecuritySpecs : IAsyncLifetime
{
    private TestCluster _cluster = null!;
    private IActorRef _supervisor = null!;
    private readonly List<ActorSystem> _rogues = [];

    public async Task InitializeAsync()
    {
        _cluster = await TestCluster.StartSeedAsync();
        _supervisor = ActorRegistry.For(_cluster.SeedSystem).Get<ScaleSupervisorKey>();
        await _supervisor.Ask<SupervisorStatus>(GetSupervisorStatus.Instance, TimeSpan.FromSeconds(20));
    }

    public async Task DisposeAsync()
    {
        foreach (var rogue in _rogues) await rogue.Terminate().WaitAsync(TimeSpan.FromSeconds(15)).ContinueWith(_ => { });
        await _cluster.DisposeAsync();
    }

    /// <summary>An actor system that tries to join the seed as <paramref name="role"/>, holding <paramref name="credentials"/>.</summary>
    private ActorSystem Rogue(NodeCredentials credentials, string role, bool trustAnyServer = false)
    {
        var config = ConfigurationFactory.ParseString($$"""
            akka.remote.dot-netty.tcp { hostname = 127.0.0.1, port = 0, enable-ssl = true }
            akka.cluster.roles = [{{role}}]
            akka.cluster.seed-nodes = ["{{_cluster.SeedAddress}}"]
            """).WithFallback(LubanHocon.Load(Repo.HoconDirectory, ClusterRoles.Agent, TestCluster.TestOverrides));
        var tls = trustAnyServer
            ? new Akka.Remote.Transport.DotNetty.DotNettySslSetup(credentials.Certificate, false, true, false, (_, _, _, _, _) => true)
            : ClusterTls.Setup(credentials, TimeProvider.System);
        var rogue = ActorSystem.Create("luban", BootstrapSetup.Create().WithConfig(config).And(tls).And(new WireIdentitySetup(credentials)));
        _rogues.Add(rogue);
        // It proves its identity to the seeds as every node does; the seeds judge what the certificate gives.
        rogue.ActorOf(MemberIdentifier.Props(), "member-identifier");
        return rogue;
    }

    private static NodeCredentials Stranger(IdentityRole role, string name)
    {
        var directory = TestCertificates.StrangerDirectory;
        var certificate = NodeCredentials.CertificateFile(directory, role, name);
        return NodeCredentials.Load(certificate, NodeCredentials.KeyFile(certificate), NodeCredentials.AuthorityFile(directory), DateTimeOffset.UtcNow);
    }

    private int SeedMembers => Akka.Cluster.Cluster.Get(_cluster.SeedSystem).State.Members.Count;

    private async Task<ScaleEvent> EventAsync(Func<ScaleEvent, bool> matches, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (true)
        {
            var status = await _supervisor.Ask<SupervisorStatus>(GetSupervisorStatus.Instance, TimeSpan.FromSeconds(5));
            if (status.Events.FirstOrDefault(matches) is { } found) return found;
            if (DateTime.UtcNow > deadline)
                throw new Xunit.Sdk.XunitException("no such event; the log:\n" + string.Join("\n", status.Events.Select(e => $"{e.Kind} {e.Rule} {e.Reason}")));
            await Task.Delay(200);
        }
    }

    [Fact]
    public async Task A_node_with_a_certificate_of_another_ca_should_not_join()
    {
        // It refuses the seed's certificate (not of its CA), and the seed refuses its own: whichever side's refusal
        // ends the handshake first, its system either gives up (its own validation failed) or sees the association
        // fail (the seed hung up first); it never joins.
        var strict = Rogue(Stranger(IdentityRole.Agent, "B"), ClusterRoles.Agent);
        var strictFailed = AssociationFailed(strict);
        await Task.WhenAny(strict.WhenTerminated, strictFailed).WaitAsync(TimeSpan.FromSeconds(60));

        // It accepts any server, but the seed refuses its certificate: the association fails, the cluster is unchanged.
        var lax = Rogue(Stranger(IdentityRole.Agent, "B"), ClusterRoles.Agent, trustAnyServer: true);
        await AssociationFailed(lax).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(1, SeedMembers);
        Assert.NotEqual(MemberStatus.Up, Akka.Cluster.Cluster.Get(lax).SelfMember.Status);
        if (!strict.WhenTerminated.IsCompleted) Assert.NotEqual(MemberStatus.Up, Akka.Cluster.Cluster.Get(strict).SelfMember.Status);
    }

    [Fact]
    public async Task The_cli_should_need_a_certificate_and_act_only_with_an_operators()
    {
        var seed = _cluster.SeedAddress.ToString();
        var viewer = NodeCredentials.CertificateFile(TestCertificates.Directory, IdentityRole.Viewer, "guest");
        var stranger = NodeCredentials.CertificateFile(TestCertificates.StrangerDirectory, IdentityRole.Operator, "admin");

        var none = await CliRunner.RunAsAsync(null, "status", "--seed", seed);
        var foreign = await CliRunner.RunAsAsync(stranger, "vm", "stop", "luban-b-1", "--seed", seed, "--timeout", "3");
        var viewed = await CliRunner.RunAsAsync(viewer, "status", "--seed", seed);
        var viewerStops = await CliRunner.RunAsAsync(viewer, "vm", "stop", "luban-b-1", "--seed", seed);
        var viewerPauses = await CliRunner.RunAsAsync(viewer, "autoscale", "pause", "--seed", seed);
        var operatorPauses = await CliRunner.RunAsync("autoscale", "pause", "--seed", seed);

        Assert.Equal(CliApp.SeedFailed, none.Exit);
        Assert.StartsWith("luban: no certificate:", Assert.Single(none.StderrLines));
        Assert.Equal(CliApp.SeedFailed, foreign.Exit);
        Assert.Single(foreign.StderrLines);
        Assert.True(viewed.Exit == CliApp.Ok, viewed.ToString());
        Assert.Equal(CliApp.Refused, viewerStops.Exit);
        Assert.Equal(["luban: refused: the certificate of viewer guest may only read"], viewerStops.StderrLines);
        Assert.Equal(CliApp.Refused, viewerPauses.Exit);
        Assert.True(operatorPauses.Exit == CliApp.Ok, operatorPauses.ToString());
        await EventAsync(e => e.Kind == ScaleEventKinds.Refused && e.Rule == ScalingRules.OperatorRefused
                              && e.Reason.Contains("viewer guest", StringComparison.Ordinal) && e.Reason.Contains("stop luban-b-1", StringComparison.Ordinal),
            TimeSpan.FromSeconds(5));
        await EventAsync(e => e.Kind == ScaleEventKinds.Paused && e.Reason.StartsWith("Operator admin paused", StringComparison.Ordinal), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task An_agent_holding_Bs_certificate_should_not_speak_for_host_C_nor_forward_elsewhere()
    {
        var impostor = Rogue(TestCertificates.For(IdentityRole.Agent, "B"), ClusterRoles.Agent);
        var joined = new TaskCompletionSource();
        Akka.Cluster.Cluster.Get(impostor).RegisterOnMemberUp(() => joined.TrySetResult());
        await joined.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var supervisor = impostor.ActorSelection($"{_cluster.SeedAddress}/user/scale-supervisor/scale-supervisor");

        supervisor.Tell(new RegisterAgent(new HostId("C"), "127.0.0.1"));
        supervisor.Tell(new RegisterAgent(new HostId("B"), "10.9.9.9"));
        supervisor.Tell(new HostReport(new HostId("C"), 1, 3,
            [new VmReport(new VmId("luban-c-1"), VmState.InService, "http://127.0.0.1:1", 0, null)], DateTimeOffset.UtcNow));
        supervisor.Tell(new BackendsChanged(99, [new Backend(new VmId("luban-c-1"), new HostId("C"), "http://127.0.0.1:1")]));

        var claimedC = await EventAsync(e => e.Kind == ScaleEventKinds.Refused && e.Reason.Contains("RegisterAgent from agent B", StringComparison.Ordinal)
                                             && e.Reason.Contains("host C", StringComparison.Ordinal), TimeSpan.FromSeconds(15));
        var elsewhere = await EventAsync(e => e.Kind == ScaleEventKinds.Refused && e.Reason.Contains("10.9.9.9", StringComparison.Ordinal), TimeSpan.FromSeconds(15));
        await EventAsync(e => e.Kind == ScaleEventKinds.Refused && e.Reason.Contains("HostReport from agent B", StringComparison.Ordinal), TimeSpan.FromSeconds(15));
        await EventAsync(e => e.Kind == ScaleEventKinds.Refused && e.Reason.Contains("BackendsChanged from agent B", StringComparison.Ordinal), TimeSpan.FromSeconds(15));

        Assert.Equal(ScalingRules.SecurityRefused, claimedC.Rule);
        Assert.Contains("its certificate names host B", claimedC.Reason);
        Assert.Contains("its certificate names 127.0.0.1", elsewhere.Reason);
        var status = await _supervisor.Ask<SupervisorStatus>(GetSupervisorStatus.Instance, TimeSpan.FromSeconds(5));
        Assert.DoesNotContain(status.Hosts, h => h.Id == "C");
    }

    [Fact]
    public async Task A_member_whose_certificate_does_not_give_its_role_should_be_downed()
    {
        var fakeSeed = Rogue(TestCertificates.For(IdentityRole.Agent, "D"), ClusterRoles.Seed);

        await fakeSeed.WhenTerminated.WaitAsync(TimeSpan.FromSeconds(60));

        var downed = await EventAsync(e => e.Kind == ScaleEventKinds.Refused && e.Reason.Contains("agent D", StringComparison.Ordinal), TimeSpan.FromSeconds(15));
        Assert.Contains("the seed role its certificate does not give", downed.Reason);
        Assert.Contains("downed", downed.Reason);
    }

    [Fact]
    public async Task Junk_on_the_cluster_port_should_be_refused_and_the_node_carry_on()
    {
        var port = _cluster.SeedAddress.Port!.Value;
        await _cluster.StartAgentAsync("B");

        // Plain HTTP, random bytes, and TLS without a client certificate, each on its own connection.
        await SendAndCloseAsync(port, Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: seed\r\n\r\n"));
        await SendAndCloseAsync(port, Enumerable.Range(0, 4096).Select(i => (byte)(i * 31)).ToArray());
        var tlsRefused = await TlsWithoutClientCertificateIsRefusedAsync(port);

        Assert.True(tlsRefused, "a TLS client without a certificate was let through");
        var status = await EventuallyRegisteredAsync("B");
        Assert.Contains(status.Hosts, h => h.Id == "B" && h.Reachable);
        var cli = await CliRunner.RunAsync("status", "--seed", _cluster.SeedAddress.ToString());
        Assert.True(cli.Exit == CliApp.Ok, cli.ToString());
        Assert.Equal(2, SeedMembers);
    }

    private async Task<SupervisorStatus> EventuallyRegisteredAsync(string host)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var status = await _supervisor.Ask<SupervisorStatus>(GetSupervisorStatus.Instance, TimeSpan.FromSeconds(5));
            if (status.Hosts.Any(h => h.Id == host && h.Reachable) || DateTime.UtcNow > deadline) return status;
            await Task.Delay(200);
        }
    }

    private static async Task SendAndCloseAsync(int port, byte[] bytes)
    {
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", port);
        var stream = client.GetStream();
        await stream.WriteAsync(bytes);
        await stream.FlushAsync();
        // The node answers junk by closing the connection (or a TLS alert); read until it does.
        var buffer = new byte[1024];
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            while (await stream.ReadAsync(buffer, wait.Token) > 0)
            {
            }
        }
        catch (IOException)
        {
            // reset: refused
        }
    }

    /// <summary>True when the seed does not complete a TLS session with a client that shows no certificate.</summary>
    private static async Task<bool> TlsWithoutClientCertificateIsRefusedAsync(int port)
    {
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", port);
        await using var tls = new SslStream(client.GetStream(), false, (_, _, _, _) => true);
        try
        {
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "seed" });
            // TLS 1.3 may finish the client's side before the server checks the (missing) certificate: then the
            // server's refusal comes as the first read.
            var buffer = new byte[16];
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await tls.WriteAsync(Encoding.ASCII.GetBytes("hello"), wait.Token);
            return await tls.ReadAsync(buffer, wait.Token) == 0;
        }
        catch (Exception error) when (error is IOException or System.Security.Authentication.AuthenticationException or OperationCanceledException)
        {
            return true;
        }
    }

    /// <summary>Completes when the system's remoting reports an association error.</summary>
    private static Task AssociationFailed(ActorSystem system)
    {
        var failed = new TaskCompletionSource();
        var watcher = system.ActorOf(Props.Create(() => new EventWatcher<AssociationErrorEvent>(failed)));
        system.EventStream.Subscribe(watcher, typeof(AssociationErrorEvent));
        return failed.Task;
    }

    private sealed class EventWatcher<T> : ReceiveActor
    {
        public EventWatcher(TaskCompletionSource seen) => Receive<T>(_ => seen.TrySetResult());
    }
}
