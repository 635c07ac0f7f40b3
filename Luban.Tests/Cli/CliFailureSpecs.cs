using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Luban.Cli;

namespace Luban.Tests.Cli;

/// <summary>No seed to talk to, or nothing sensible asked: one clear line on stderr and a non-zero exit.</summary>
public sealed class CliFailureSpecs
{
    [Theory]
    [InlineData("status")]
    [InlineData("vm", "stop", "luban-b-1")]
    public async Task Unreachable_seed_should_fail_with_one_line_naming_the_seed_and_the_timeout(params string[] verb)
    {
        var seed = $"akka.ssl.tcp://luban@127.0.0.1:{PortNobodyListensOn()}";
        var clock = Stopwatch.StartNew();

        var result = await CliRunner.RunAsync([.. verb, "--seed", seed, "--timeout", "1"]);

        Assert.Equal(CliApp.SeedFailed, result.Exit);
        Assert.Empty(result.Stdout);
        Assert.Equal([$"luban: cannot reach the seed at {seed} within 1 s"], result.StderrLines);
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(6));
    }

    [Theory]
    [InlineData("vm", "stop")]
    [InlineData("policy", "set", "t-upper")]
    [InlineData("reboot")]
    [InlineData("status", "--timeout", "forever")]
    public async Task Usage_error_should_exit_2_with_one_line_and_contact_no_seed(params string[] args)
    {
        var result = await CliRunner.RunAsync(args);

        Assert.Equal(CliApp.UsageError, result.Exit);
        Assert.Empty(result.Stdout);
        Assert.StartsWith("luban: ", Assert.Single(result.StderrLines));
    }

    [Fact]
    public async Task Help_should_go_to_stdout_and_exit_0()
    {
        var result = await CliRunner.RunAsync("--help");

        Assert.Equal(CliApp.Ok, result.Exit);
        Assert.StartsWith("usage: luban <verb> [options]", result.Stdout);
        Assert.Empty(result.Stderr);
    }

    private static int PortNobodyListensOn()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
