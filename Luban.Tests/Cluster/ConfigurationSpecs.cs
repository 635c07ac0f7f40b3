using System.Diagnostics;
using Luban.Actors.Cluster;
using Luban.Tests.Support;

namespace Luban.Tests.Cluster;

public sealed class ConfigurationSpecs
{
    private static readonly IReadOnlyDictionary<string, string?> NoEnvironment = new Dictionary<string, string?>();

    public static TheoryData<string, string[], string> BadValues => new()
    {
        { ClusterRoles.Agent, ["--host-id", "b"], "--host-id" },
        { ClusterRoles.Agent, ["--host-id", "B C"], "--host-id" },
        { ClusterRoles.Agent, ["--bind", "not a host!"], "--bind" },
        { ClusterRoles.Agent, ["--port", "70000"], "--port" },
        { ClusterRoles.Agent, ["--port", "-1"], "--port" },
        { ClusterRoles.Agent, ["--port", "abc"], "--port" },
        { ClusterRoles.Agent, ["--public-host", "::bad::"], "--public-host" },
        { ClusterRoles.Agent, ["--seed", "akka.ssl.tcp://other@127.0.0.1:4053"], "--seed" },
        { ClusterRoles.Agent, ["--seed", "127.0.0.1:4053"], "--seed" },
        { ClusterRoles.Agent, ["--hocon-dir", "/nonexistent"], "--hocon-dir" },
        { ClusterRoles.Seed, ["--admin-url", "https://127.0.0.1:8090"], "--admin-url" },
        { ClusterRoles.Seed, ["--admin-url", "127.0.0.1:8090"], "--admin-url" },
        { ClusterRoles.Seed, ["--admin-url", "http://127.0.0.1"], "--admin-url" },
        { ClusterRoles.Seed, ["--public-url", "http://127.0.0.1"], "--public-url" },
        { ClusterRoles.Seed, ["--backend", "ftp://127.0.0.1:21"], "--backend" },
        { ClusterRoles.Agent, ["--bond", "../etc"], "--bond" },
        { ClusterRoles.Agent, ["--bond-interface", "way-too-long-interface-name"], "--bond-interface" },
        { ClusterRoles.Agent, ["--bond-root", "/nonexistent"], "--bond-root" },
        { ClusterRoles.Seed, ["--port", "4053", "--port", "4054"], "--port" },
        { ClusterRoles.Seed, ["--no-such-option", "1"], "--no-such-option" },
        { ClusterRoles.Seed, ["--port"], "--port" },
    };

    [Theory]
    [MemberData(nameof(BadValues))]
    public void Bad_value_should_be_rejected_naming_its_key(string role, string[] args, string key)
    {
        var error = Assert.Throws<ConfigurationError>(() => Parse(role, args, NoEnvironment));

        Assert.Equal(key, error.Key);
        Assert.StartsWith(key, error.Message);
    }

    [Theory]
    [InlineData("LUBAN_PORT", "99999")]
    [InlineData("LUBAN_HOST_ID", "lower")]
    [InlineData("LUBAN_SEEDS", "akka.ssl.tcp://luban@127.0.0.1:4053,nonsense")]
    [InlineData("LUBAN_BIND", "")]
    public void Bad_environment_value_should_be_rejected_naming_the_variable(string variable, string value)
    {
        var env = new Dictionary<string, string?> { [variable] = value };

        var error = Assert.Throws<ConfigurationError>(() => Parse(ClusterRoles.Agent, [], env));

        Assert.Equal(variable, error.Key);
    }

    [Fact]
    public void Defaults_should_describe_one_machine()
    {
        var agent = Parse(ClusterRoles.Agent, [], NoEnvironment);
        var seed = Parse(ClusterRoles.Seed, [], NoEnvironment);

        Assert.Equal(("B", "127.0.0.1", 0), (agent.HostId, agent.BindHost, agent.Port));
        Assert.Equal(["akka.ssl.tcp://luban@127.0.0.1:4053"], agent.Seeds);
        Assert.Equal(("A", 4053), (seed.HostId, seed.Port));
        Assert.Empty(seed.Seeds);
        Assert.Equal(new Uri("http://127.0.0.1:8090"), seed.AdminUrl);
    }

    [Fact]
    public void Command_line_should_win_over_environment()
    {
        var env = new Dictionary<string, string?> { ["LUBAN_HOST_ID"] = "C", ["LUBAN_PORT"] = "5000" };

        var options = Parse(ClusterRoles.Agent, ["--port", "6000", "--seed", "akka.ssl.tcp://luban@10.1.0.1:4053",
            "--seed=akka.ssl.tcp://luban@10.1.0.2:4053"], env);

        Assert.Equal(("C", 6000), (options.HostId, options.Port));
        Assert.Equal(["akka.ssl.tcp://luban@10.1.0.1:4053", "akka.ssl.tcp://luban@10.1.0.2:4053"], options.Seeds);
    }

    [Theory]
    // A front-end host listed first by its own list moves behind the other seed: it can then only join, never found
    // a second cluster while cut off.
    [InlineData("10.1.0.1", "10.1.0.1,10.1.0.10", "10.1.0.10,10.1.0.1")]
    // Not first: the list stays.
    [InlineData("10.1.0.10", "10.1.0.1,10.1.0.10", "10.1.0.1,10.1.0.10")]
    // The only seed: it founds the cluster again, as on its first start.
    [InlineData("10.1.0.1", "10.1.0.1", "10.1.0.1")]
    // No seed listed (joins itself): unchanged.
    [InlineData("10.1.0.1", "", "")]
    public void Rejoin_should_never_let_a_downed_seed_found_a_cluster_alone_beside_another_seed(string self, string seeds, string expected)
    {
        static string Address(string host) => $"akka.ssl.tcp://luban@{host}:4053";
        var args = new List<string> { "--bind", self };
        foreach (var seed in seeds.Split(',', StringSplitOptions.RemoveEmptyEntries)) args.AddRange(["--seed", Address(seed)]);

        var options = Parse(ClusterRoles.Seed, [.. args], NoEnvironment).ForRejoin();

        Assert.Equal(expected.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(Address), options.Seeds);
    }

    [Theory]
    [InlineData("Luban.Seed.dll", "--port", "abc", "--port")]
    [InlineData("Luban.Node.dll", "--host-id", "x", "--host-id")]
    public async Task Process_with_a_bad_value_should_exit_non_zero_with_one_line_naming_the_key(
        string program, string flag, string value, string key)
    {
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, program), flag, value])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        using var process = Process.Start(start)!;
        var stderr = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();

        Assert.Equal(2, process.ExitCode);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(key, line);
        Assert.Contains("allowed", line);
    }

    private static ClusterNodeOptions Parse(string role, string[] args, IReadOnlyDictionary<string, string?> env)
    {
        var withHocon = args.Contains("--hocon-dir") ? args : ["--hocon-dir", Repo.HoconDirectory, .. args];
        withHocon = withHocon.Contains("--certs") || env.ContainsKey("LUBAN_CERTS") ? withHocon : ["--certs", TestCertificates.Directory, .. withHocon];
        return ClusterNodeOptions.From(CommandLine.Parse(withHocon, ClusterNodeOptions.SpecsFor(role), env), role);
    }
}
