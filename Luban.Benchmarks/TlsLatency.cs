using System.Diagnostics;
using System.Globalization;
using System.Net;
using Akka.Actor;
using Akka.Configuration;
using Luban.Actors.Cluster;
using Luban.Protocol;
using Luban.Protocol.Security;
using static Luban.Protocol.Hypervisor.HypervisorProtocol;

namespace Luban.Benchmarks;

/// <summary>
/// What mutual TLS costs the control plane: the time from a fresh actor system to its first answer from a peer (the
/// connection with its handshake; what a start-up or a rejoin pays), and the round trip of one HostReport (signed,
/// as every wire message is) with TLS on and off. Real sockets on loopback; medians of many runs.
/// </summary>
public static class TlsLatency
{
    private sealed class Echo : ReceiveActor
    {
        public Echo() => ReceiveAny(message => Sender.Tell(message));
    }

    public static async Task<int> RunAsync(int roundTrips, int connects)
    {
        var directory = Directory.CreateTempSubdirectory("luban-tls-bench-").FullName;
        try
        {
            var authority = CertificateIssuer.CreateAuthority("bench", DateTimeOffset.UtcNow);
            CertificateIssuer.Save(authority, NodeCredentials.AuthorityFile(directory));
            NodeCredentials Issue(IdentityRole role, string name)
            {
                var path = NodeCredentials.CertificateFile(directory, role, name);
                CertificateIssuer.Save(CertificateIssuer.Issue(authority, role, name, [IPAddress.Loopback], DateTimeOffset.UtcNow), path);
                return NodeCredentials.Load(path, NodeCredentials.KeyFile(path), NodeCredentials.AuthorityFile(directory), DateTimeOffset.UtcNow);
            }

            var seed = Issue(IdentityRole.Seed, "A");
            var agent = Issue(IdentityRole.Agent, "B");
            var report = new HostReport(new HostId("B"), 1, 3,
                [.. Enumerable.Range(1, 3).Select(i => new VmReport(VmId.For(new HostId("B"), i), Luban.Protocol.Scaling.VmState.InService,
                    $"http://127.0.0.1:2010{i}", 40 + i, DateTimeOffset.UtcNow))], DateTimeOffset.UtcNow);

            Console.WriteLine($"control-plane latency over loopback: {connects} fresh connections, {roundTrips} HostReport round trips (3 VMs), per mode");
            var figures = new List<string>();
            foreach (var tls in new[] { false, true })
            {
                var server = System(seed, tls);
                try
                {
                    server.ActorOf(Props.Create(() => new Echo()), "echo");
                    var port = ((ExtendedActorSystem)server).Provider.DefaultAddress.Port!.Value;
                    var path = $"{(tls ? "akka.ssl.tcp" : "akka.tcp")}://luban@127.0.0.1:{port}/user/echo";

                    var connectTimes = new List<double>();
                    for (var i = 0; i < connects; i++)
                    {
                        var client = System(agent, tls);
                        var clock = Stopwatch.StartNew();
                        await client.ActorSelection(path).Ask<HostReport>(report, TimeSpan.FromSeconds(20));
                        connectTimes.Add(clock.Elapsed.TotalMilliseconds);
                        await client.Terminate();
                    }

                    var steady = System(agent, tls);
                    var echo = await steady.ActorSelection(path).ResolveOne(TimeSpan.FromSeconds(20));
                    for (var i = 0; i < 200; i++) await echo.Ask<HostReport>(report, TimeSpan.FromSeconds(5));
                    var rounds = new List<double>();
                    for (var i = 0; i < roundTrips; i++)
                    {
                        var clock = Stopwatch.StartNew();
                        await echo.Ask<HostReport>(report, TimeSpan.FromSeconds(5));
                        rounds.Add(clock.Elapsed.TotalMilliseconds * 1000);
                    }

                    await steady.Terminate();
                    var mode = tls ? "tls" : "plain";
                    Console.WriteLine($"  {mode,-5}  first answer on a new connection: median {Median(connectTimes):0.0} ms (min {connectTimes.Min():0.0}, max {connectTimes.Max():0.0})" +
                                      $"; HostReport round trip: median {Median(rounds):0} µs, p99 {Percentile(rounds, 0.99):0} µs");
                    figures.Add(string.Create(CultureInfo.InvariantCulture, $"{mode}_connect_ms={Median(connectTimes):0.0} {mode}_roundtrip_us={Median(rounds):0}"));
                }
                finally
                {
                    await server.Terminate();
                }
            }

            Console.WriteLine(string.Join(' ', figures));
            return 0;
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>A remote-only actor system with the Luban serializer (every message signed), TLS on or off.</summary>
    private static ActorSystem System(NodeCredentials credentials, bool tls)
    {
        var config = ConfigurationFactory.ParseString($$"""
            akka { loglevel = OFF, stdout-loglevel = OFF }
            akka.remote.log-remote-lifecycle-events = off
            akka.actor.provider = remote
            akka.remote.dot-netty.tcp { hostname = 127.0.0.1, port = 0, enable-ssl = {{(tls ? "on" : "off")}} }
            """).WithFallback(LubanHocon.Load(Path.Combine(AppContext.BaseDirectory, "hocon"), ClusterRoles.Seed));
        var setup = BootstrapSetup.Create().WithConfig(config).And(new WireIdentitySetup(credentials));
        return ActorSystem.Create("luban", tls ? setup.And(ClusterTls.Setup(credentials, TimeProvider.System)) : setup);
    }

    private static double Median(List<double> values) => Percentile(values, 0.5);

    private static double Percentile(List<double> values, double p)
    {
        var sorted = values.Order().ToList();
        return sorted[(int)Math.Min(sorted.Count - 1, Math.Round(p * (sorted.Count - 1)))];
    }
}
