using System.Net.Http.Json;
using System.Text.Json;
using Luban.Protocol.Scaling;
using Luban.Tests.Support;

namespace Luban.Tests.Bonding;

/// <summary>The seed started with <c>--bond-root</c> on a fixture tree: status, metrics and the event log.</summary>
public sealed class SeedBondEndpointSpecs : IAsyncLifetime
{
    private readonly string _root = Directory.CreateTempSubdirectory("luban-bond-seed-").FullName;
    private TestCluster _cluster = null!;

    public async Task InitializeAsync()
    {
        CopyTree(BondFixtures.Root("8023ad-healthy"), _root);
        _cluster = await TestCluster.StartSeedAsync(o => o with { BondRoot = _root, Bonds = ["bond0"] });
    }

    public async Task DisposeAsync()
    {
        await _cluster.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task Seed_should_show_the_bond_in_status_and_metrics_and_log_a_lost_partner()
    {
        using var http = new HttpClient { BaseAddress = _cluster.AdminUrl };
        var healthy = await EventuallyAsync(http, doc => Health(doc) == "Healthy");
        Assert.Equal("bond0", healthy.GetProperty("bond").GetProperty("health")[0].GetProperty("bond").GetString());

        var metrics = await http.GetStringAsync("/metrics");
        Assert.Contains("luban_bond_", metrics);
        Assert.Contains("bond=\"bond0\"", metrics);

        // The partner disappears on disk, as the kernel would show it.
        var lost = File.ReadAllText(Path.Combine(BondFixtures.Root("8023ad-partner-lost"), "proc", "net", "bonding", "bond0"));
        var target = Path.Combine(_root, "proc", "net", "bonding", "bond0");
        File.WriteAllText(target + ".new", lost);
        File.Move(target + ".new", target, overwrite: true);

        var degraded = await EventuallyAsync(http, doc => Health(doc) != "Healthy"
            && doc.GetProperty("events").EnumerateArray().Any(e => e.GetProperty("kind").GetString() == ScaleEventKinds.Bond));
        Assert.Contains(degraded.GetProperty("events").EnumerateArray(),
            e => e.GetProperty("rule").GetString()!.StartsWith("bond/", StringComparison.Ordinal)
                 && e.GetProperty("host").GetString() == "A");
    }

    private static string? Health(JsonElement doc) =>
        doc.GetProperty("bond").ValueKind == JsonValueKind.Null
            ? null
            : doc.GetProperty("bond").GetProperty("health")[0].GetProperty("health").GetString();

    private static async Task<JsonElement> EventuallyAsync(HttpClient http, Func<JsonElement, bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        JsonElement doc;
        do
        {
            doc = await http.GetFromJsonAsync<JsonElement>("/api/status");
            if (condition(doc)) return doc;
            await Task.Delay(100);
        } while (DateTime.UtcNow < deadline);

        throw new Xunit.Sdk.XunitException("status never matched; last: " + doc);
    }

    private static void CopyTree(string from, string to)
    {
        foreach (var dir in Directory.GetDirectories(from, "*", SearchOption.AllDirectories))
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, dir)));
        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
            File.Copy(file, Path.Combine(to, Path.GetRelativePath(from, file)));
    }
}
