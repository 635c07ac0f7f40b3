using System.Text;
using Akka.Actor;
using Akka.Configuration;
using Luban.Actors.Cluster;
using Luban.Protocol;
using Luban.Protocol.Security;
using Luban.Protocol.Serialization;
using Luban.Tests.Support;
using static Luban.Protocol.Hypervisor.HypervisorProtocol;
using static Luban.Protocol.Scaling.ScalingProtocol;

namespace Luban.Tests.Serialization;

/// <summary>
/// Only Luban's own messages, each signed by a certificate of the cluster's CA: a foreign type name is refused before
/// anything is constructed, and a forged, tampered, stale or stranger-signed message is refused.
/// </summary>
public sealed class WireSecuritySpecs : IAsyncLifetime
{
    private static readonly HostId B = new("B");
    private ActorSystem _agentB = null!;
    private ActorSystem _seed = null!;

    public Task InitializeAsync()
    {
        _agentB = SystemAs(TestCertificates.For(IdentityRole.Agent, "B"));
        _seed = SystemAs(TestCertificates.For(IdentityRole.Seed, "A"));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _agentB.Terminate();
        await _seed.Terminate();
    }

    private static ActorSystem SystemAs(NodeCredentials credentials) =>
        ActorSystem.Create("wire", BootstrapSetup.Create()
            .WithConfig(ConfigurationFactory.ParseString("akka.actor.provider = local")
                .WithFallback(LubanHocon.Load(Repo.HoconDirectory, ClusterRoles.Seed)))
            .And(new WireIdentitySetup(credentials)));

    private static LubanJsonSerializer SerializerOf(ActorSystem system) => new((ExtendedActorSystem)system);

    /// <summary>Counts how often something constructed it or set its property: it must stay 0.</summary>
    public sealed class Trap : ILubanWireMessage
    {
        public static int Touched;

        public Trap() => Interlocked.Increment(ref Touched);

        public string Payload
        {
            get => "";
            set => Interlocked.Increment(ref Touched);
        }
    }

    [Fact]
    public void A_message_should_arrive_with_the_certificate_that_signed_it()
    {
        var report = new HostReport(B, 1, 3, [], DateTimeOffset.UtcNow);
        var sender = SerializerOf(_agentB);

        var back = SerializerOf(_seed).FromBinary(sender.ToBinary(report), sender.Manifest(report));

        Assert.Equal("agent B", MessageSigners.Of(back)?.Subject);
        Assert.Equal(IdentityRole.Agent, MessageSigners.Of(back)!.Role);
    }

    [Theory]
    [InlineData("System.IO.FileInfo, System.IO.FileSystem")]
    [InlineData("System.Diagnostics.Process, System.Diagnostics.Process")]
    [InlineData("Luban.Protocol.Hypervisor.HypervisorProtocol+HostReport, Luban.Protocol")]
    [InlineData("hypervisor.host-report.v2")]
    [InlineData("")]
    public void A_manifest_that_is_not_a_luban_wire_name_should_be_refused(string manifest)
    {
        var bytes = Encoding.UTF8.GetBytes("{\"Payload\":\"x\"}");

        var error = Assert.Throws<SerializationException>(() => SerializerOf(_seed).FromBinary(bytes, manifest));

        Assert.Contains("not a Luban wire message", error.Message);
    }

    [Fact]
    public void A_type_with_side_effects_named_in_a_manifest_should_never_be_constructed()
    {
        var manifest = typeof(Trap).AssemblyQualifiedName!;
        var before = Volatile.Read(ref Trap.Touched);
        var signed = SerializerOf(_agentB).ToBinary(new RegisterAgent(B, "127.0.0.1"));

        Assert.Throws<SerializationException>(() => SerializerOf(_seed).FromBinary(signed, manifest));
        Assert.Throws<SerializationException>(() => SerializerOf(_seed).Manifest(new Trap()));

        // One construction by the test itself (new Trap() above); none by the serializer.
        Assert.Equal(before + 1, Volatile.Read(ref Trap.Touched));
    }

    [Fact]
    public void A_payload_changed_after_signing_should_be_refused()
    {
        var sender = SerializerOf(_agentB);
        var bytes = sender.ToBinary(new RegisterAgent(B, "127.0.0.1"));
        // The JSON payload is the frame's tail: make its host C.
        var tampered = bytes.ToArray();
        var host = tampered.AsSpan().LastIndexOf("\"B\""u8);
        tampered[host + 1] = (byte)'C';

        var error = Assert.Throws<SerializationException>(() => SerializerOf(_seed).FromBinary(tampered, "scaling.register-agent"));

        Assert.Contains("signature of agent B does not match", error.Message);
    }

    [Fact]
    public void A_message_signed_by_another_ca_should_be_refused()
    {
        var strangerDirectory = TestCertificates.StrangerDirectory;
        var stranger = NodeCredentials.Load(NodeCredentials.CertificateFile(strangerDirectory, IdentityRole.Agent, "B"),
            NodeCredentials.KeyFile(NodeCredentials.CertificateFile(strangerDirectory, IdentityRole.Agent, "B")),
            NodeCredentials.AuthorityFile(strangerDirectory), DateTimeOffset.UtcNow);
        var bytes = new WireSignature(stranger).Sign("scaling.register-agent", "{\"Host\":\"B\",\"ForwardAddress\":\"127.0.0.1\"}"u8, DateTimeOffset.UtcNow);

        var error = Assert.Throws<SerializationException>(() => SerializerOf(_seed).FromBinary(bytes, "scaling.register-agent"));

        Assert.Contains("not signed by the cluster's CA", error.Message);
    }

    [Theory]
    [InlineData(-6)]
    [InlineData(6)]
    public void A_message_signed_far_from_now_should_be_refused(int minutes)
    {
        var signature = new WireSignature(TestCertificates.For(IdentityRole.Agent, "B"));
        var now = DateTimeOffset.UtcNow;
        var frame = signature.Sign("scaling.register-agent", "{}"u8, now.AddMinutes(minutes));

        var refusal = Assert.Throws<WireRefusal>(() => signature.Verify("scaling.register-agent", frame, now));

        Assert.Contains("minutes from now", refusal.Message);
    }

    [Fact]
    public void A_message_signed_for_one_manifest_should_not_pass_as_another()
    {
        var signature = new WireSignature(TestCertificates.For(IdentityRole.Agent, "B"));
        var frame = signature.Sign("scaling.register-agent", "{}"u8, DateTimeOffset.UtcNow);

        Assert.Throws<WireRefusal>(() => signature.Verify("operator.set-autoscale", frame, DateTimeOffset.UtcNow));
    }

    [Fact]
    public void An_unsigned_message_should_be_refused_by_a_node_with_a_certificate()
    {
        var bytes = new byte[] { 0 }.Concat(Encoding.UTF8.GetBytes("{\"Host\":\"B\",\"ForwardAddress\":\"127.0.0.1\"}")).ToArray();

        var error = Assert.Throws<SerializationException>(() => SerializerOf(_seed).FromBinary(bytes, "scaling.register-agent"));

        Assert.Contains("not signed", error.Message);
    }

    [Fact]
    public void A_networked_actor_system_without_a_certificate_should_not_start()
    {
        var config = ConfigurationFactory.ParseString("akka.actor.provider = remote\nakka.remote.dot-netty.tcp.port = 0\nakka.remote.dot-netty.tcp.hostname = 127.0.0.1")
            .WithFallback(LubanHocon.Load(Repo.HoconDirectory, ClusterRoles.Seed));
        var error = Assert.ThrowsAny<Exception>(() => ActorSystem.Create("no-cert", config));

        Assert.Contains("needs its node certificate", error.ToString());
    }
}
