using System.Diagnostics;
using Akka.Actor;
using Luban.Actors.Bonding;
using Luban.Protocol.Bonding;
using Xunit.Abstractions;
using static Luban.Protocol.Bonding.BondProtocol;

namespace Luban.Tests.Bonding;

/// <summary>
/// Real link changes. sysfs shows the namespace of whoever mounted it, not of the reader, so the watched end of the
/// veth pair stays in the root namespace and the test pulls the "cable" by setting its peer down inside the namespace.
/// Needs root and iproute2 (as <c>./luban test</c> runs it); without them it fails naming what is missing.
/// </summary>
public sealed class BondWatcherNetnsSpecs : Akka.TestKit.Xunit2.TestKit
{
    private readonly ITestOutputHelper _output;

    public BondWatcherNetnsSpecs(ITestOutputHelper output) : base(output: output)
    {
        _output = output;
    }

    [Fact]
    public void BondWatcher_should_report_a_real_veth_link_going_down_and_up()
    {
        RequireRootAndIproute2();
        using var pair = new VethPair();
        var watcher = Sys.ActorOf(BondWatcher.Props(BondWatcherSettings.For([], [pair.RootEnd]), TestActor));
        watcher.Tell(GetBondStatus.Instance);
        Assert.Equal(OperState.Up, ExpectMsg<BondStatusReport>().Interfaces.Single().OperState);

        var down = pair.SetPeer(up: false);
        var lost = ExpectInterfaceChange(pair.RootEnd);
        _output.WriteLine($"down reported {(Stopwatch.GetElapsedTime(down)).TotalMilliseconds:F0} ms after 'ip link set down'");

        var up = pair.SetPeer(up: true);
        var back = ExpectInterfaceChange(pair.RootEnd);
        _output.WriteLine($"up reported {(Stopwatch.GetElapsedTime(up)).TotalMilliseconds:F0} ms after 'ip link set up'");

        Assert.Equal("up", lost.Before);
        Assert.NotEqual("up", lost.After);
        Assert.Equal("up", back.After);
    }

    private static void RequireRootAndIproute2()
    {
        Assert.True(Environment.IsPrivilegedProcess,
            "needs root to create a network namespace and a veth pair: run the tests as root (./luban test under sudo, as CI runs)");
        Assert.True(new[] { "/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip" }.Any(File.Exists),
            "needs iproute2 ('ip'): install it with apt-get install iproute2 (./luban test installs it)");
    }

    private BondEvent ExpectInterfaceChange(string name)
    {
        var changed = ExpectMsg<BondStatusChanged>(TimeSpan.FromSeconds(3));
        return Assert.Single(changed.Events, e => e.Kind == BondEventKind.InterfaceOperStateChanged && e.Subject == name);
    }

    /// <summary>veth pair: one end in the root namespace (watched), its peer in a namespace made and removed here.</summary>
    private sealed class VethPair : IDisposable
    {
        private readonly string _namespace;
        private readonly string _peer;

        public VethPair()
        {
            var id = Guid.NewGuid().ToString("N")[..6];
            _namespace = $"luban-bw-{id}";
            RootEnd = $"lbw{id}a";
            _peer = $"lbw{id}b";
            Ip($"netns add {_namespace}");
            try
            {
                Ip($"link add {RootEnd} type veth peer name {_peer} netns {_namespace}");
                Ip($"link set {RootEnd} up");
                SetPeer(up: true);
                WaitFor(OperState.Up);
            }
            catch
            {
                Dispose();
                throw;
            }
        }

        public string RootEnd { get; }

        /// <summary>Sets the namespace end down or up; returns the timestamp just before the command ran.</summary>
        public long SetPeer(bool up)
        {
            var before = Stopwatch.GetTimestamp();
            Ip($"-n {_namespace} link set {_peer} {(up ? "up" : "down")}");
            return before;
        }

        public void Dispose()
        {
            // Deleting the namespace deletes the peer, and a veth end never outlives its peer.
            Ip($"netns del {_namespace}", check: false);
            Ip($"link del {RootEnd}", check: false);
        }

        private void WaitFor(OperState state)
        {
            var path = $"/sys/class/net/{RootEnd}/operstate";
            var deadline = Stopwatch.StartNew();
            while (SysfsLinkParser.ParseOperState(File.ReadAllText(path)) != state)
            {
                if (deadline.Elapsed > TimeSpan.FromSeconds(5))
                {
                    throw new TimeoutException($"{RootEnd} did not become {state.Name()}");
                }

                Thread.Sleep(10);
            }
        }

        private static void Ip(string arguments, bool check = true)
        {
            using var process = Process.Start(new ProcessStartInfo("ip", arguments) { RedirectStandardError = true, RedirectStandardOutput = true })!;
            var error = process.StandardError.ReadToEnd();
            process.WaitForExit();
            if (check && process.ExitCode != 0)
            {
                throw new InvalidOperationException($"ip {arguments} failed ({process.ExitCode}): {error.Trim()}");
            }
        }
    }
}
