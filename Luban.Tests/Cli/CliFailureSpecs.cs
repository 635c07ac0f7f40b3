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
        // Bound, never listening: connections to it are refused, and nobody else can take the port meanwhile.
        using var nobody = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        nobody.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var seed = $"akka.ssl.tcp://luban@127.0.0.1:{((IPEndPoint)nobody.LocalEndPoint!).Port}";
        var clock = Stopwatch.StartNew();

        var result = await CliRunner.RunAsync([.. verb, "--seed", seed, "--timeout", "1"]);

        Assert.Equal(CliApp.SeedFailed, result.Exit);
        Assert.Empty(result.Stdout);
        Assert.Equal([$"luban: cannot reach the seed at {seed} within 1 s"], result.StderrLines);
        // The --timeout is real time in the CLI's own actor system (no clock to inject across the process edge): at
        // least the 1 s asked for, and 5 s of margin for a loaded 2-core machine before "it hung" is the answer.
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
}
