using System.Text.Json;
using Luban.Cli;
using Luban.Tests.Bonding;
using Luban.Tests.Support;

namespace Luban.Tests.Cli;

/// <summary><c>luban bond status</c> against a seed watching bond0 on a real-format fixture tree.</summary>
public sealed class CliBondSpecs : IAsyncLifetime
{
    private readonly string _root = Directory.CreateTempSubdirectory("luban-cli-bond-").FullName;
    private TestCluster _cluster = null!;

    public async Task InitializeAsync()
    {
        var fixture = BondFixtures.Root("8023ad-healthy");
        foreach (var dir in Directory.GetDirectories(fixture, "*", SearchOption.AllDirectories))
            Directory.CreateDirectory(Path.Combine(_root, Path.GetRelativePath(fixture, dir)));
        foreach (var file in Directory.GetFiles(fixture, "*", SearchOption.AllDirectories))
            File.Copy(file, Path.Combine(_root, Path.GetRelativePath(fixture, file)));
        _cluster = await TestCluster.StartSeedAsync(o => o with { BondRoot = _root, Bonds = ["bond0"] });
    }

    public async Task DisposeAsync()
    {
        await _cluster.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task Bond_status_should_show_the_bonds_health_mode_and_links()
    {
        var seed = _cluster.SeedAddress.ToString();
        CliResult table;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        do
        {
            // The watcher's first poll may not have happened yet right after start-up.
            table = await CliRunner.RunAsync("bond", "status", "--seed", seed);
        } while (!table.Stdout.Contains("Healthy") && DateTime.UtcNow < deadline);

        var json = await CliRunner.RunAsync("bond", "status", "--json", "--seed", seed);

        Assert.True(table.Exit == CliApp.Ok, table.ToString());
        Assert.Matches(@"(?m)^BOND\s+HEALTH\s+MODE\s+MII\s+LINKS UP\s+REASONS$", table.Stdout);
        Assert.Matches(@"(?m)^bond0\s+Healthy\s+802\.3ad\s+Up\s+2/2\s+-$", table.Stdout);
        var health = JsonDocument.Parse(json.Stdout).RootElement.GetProperty("health")[0];
        Assert.Equal(("bond0", "Healthy"), (health.GetProperty("bond").GetString(), health.GetProperty("health").GetString()));
    }
}
