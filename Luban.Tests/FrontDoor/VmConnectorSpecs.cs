using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Akka.Configuration;
using Luban.Actors.Cluster;
using Luban.Seed.FrontDoor;
using Luban.Tests.Support;

namespace Luban.Tests.FrontDoor;

/// <summary>
/// The front door's connector against real loopback sockets: a listener that never accepts and has a backlog of 1 —
/// what a VM's port forward under QEMU user-mode networking looks like when its emulator is busy — drops the SYNs of
/// further connects, which a plain handler would retry for half a minute.
/// </summary>
public sealed class VmConnectorSpecs : IDisposable
{
    private readonly Socket _stuck = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly List<Socket> _queued = [];

    public VmConnectorSpecs()
    {
        _stuck.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _stuck.Listen(1);
        // Fill the accept queue (a backlog of 1 holds two); nothing ever accepts them.
        for (var i = 0; i < 2; i++)
        {
            var filler = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            filler.Connect(_stuck.LocalEndPoint!);
            _queued.Add(filler);
        }
    }

    private int StuckPort => ((IPEndPoint)_stuck.LocalEndPoint!).Port;

    [Fact]
    public async Task A_connect_that_gets_no_connection_in_time_fails_as_a_connect_failure_the_forwarder_retries()
    {
        var connector = new VmConnector(TimeSpan.FromMilliseconds(300), concurrency: 2);
        using var client = new HttpClient(new SocketsHttpHandler { ConnectCallback = connector.ConnectAsync, UseProxy = false });
        var clock = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync($"http://127.0.0.1:{StuckPort}/"));

        // Without the connector the SYN retransmits would keep this request waiting for well over ten seconds (the
        // kernel gives up after about two minutes). Real sockets, so real time: 300 ms expected, 10 s of margin.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
        Assert.Equal(HttpRequestError.ConnectionError, error.HttpRequestError);
        Assert.Contains(Chain(error), e => e is SocketException { SocketErrorCode: SocketError.TimedOut });
    }

    [Fact]
    public async Task At_most_the_configured_number_of_attempts_connect_to_one_VM_at_once()
    {
        var connector = new VmConnector(TimeSpan.FromMilliseconds(400), concurrency: 1);
        using var handler = new SocketsHttpHandler { ConnectCallback = connector.ConnectAsync, UseProxy = false };
        using var client = new HttpClient(handler);

        var requests = Enumerable.Range(0, 4).Select(_ => client.GetAsync($"http://127.0.0.1:{StuckPort}/")).ToList();
        foreach (var request in requests) await Assert.ThrowsAsync<HttpRequestException>(() => request);

        Assert.Equal(1, connector.PeakConnecting);
    }

    [Fact]
    public async Task A_VM_that_accepts_is_reached_normally()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(8);
        var connector = new VmConnector(TimeSpan.FromSeconds(5), concurrency: 2);
        var context = await ContextFor(((IPEndPoint)listener.LocalEndPoint!).Port);

        await using var stream = await connector.ConnectAsync(context, CancellationToken.None);
        using var accepted = await listener.AcceptAsync();

        Assert.True(accepted.Connected);
    }

    [Theory]
    [InlineData("luban.frontdoor.connect-timeout = 0s", "luban.frontdoor.connect-timeout")]
    [InlineData("luban.frontdoor.connect-timeout = soon", "luban.frontdoor.connect-timeout")]
    [InlineData("luban.frontdoor.connect-concurrency = 0", "luban.frontdoor.connect-concurrency")]
    public void Invalid_connect_settings_stop_start_up_naming_the_key(string hocon, string key)
    {
        var error = Assert.Throws<ConfigurationError>(() => FrontDoorSettings.Read(ConfigurationFactory.ParseString(hocon), Options));

        Assert.Equal(key, error.Key);
        Assert.Contains(key, error.Message);
    }

    [Fact]
    public void The_connect_settings_default_to_four_seconds_and_two_attempts()
    {
        var settings = FrontDoorSettings.Read(ConfigurationFactory.ParseString(""), Options);

        Assert.Equal(TimeSpan.FromSeconds(4), settings.ConnectTimeout);
        Assert.Equal(2, settings.ConnectConcurrency);
    }

    private static readonly ClusterNodeOptions Options = TestCluster.SeedOptions();

    /// <summary>The context a handler passes its callback, captured from a real handler.</summary>
    private static async Task<SocketsHttpConnectionContext> ContextFor(int port)
    {
        SocketsHttpConnectionContext? captured = null;
        using var client = new HttpClient(new SocketsHttpHandler
        {
            UseProxy = false,
            ConnectCallback = (context, _) =>
            {
                captured = context;
                throw new SocketException((int)SocketError.ConnectionRefused);
            },
        });
        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync($"http://127.0.0.1:{port}/"));
        return captured!;
    }

    private static IEnumerable<Exception> Chain(Exception error)
    {
        for (Exception? e = error; e is not null; e = e.InnerException) yield return e;
    }

    public void Dispose()
    {
        foreach (var socket in _queued) socket.Dispose();
        _stuck.Dispose();
    }
}
