using System.Net;
using Luban.Tests.FengShui;
using Luban.Web.Hosting;
using Microsoft.Extensions.Configuration;

namespace Luban.Tests.Web;

public class StorageSpecs
{
    [Fact]
    public async Task Two_instances_writing_one_sqlite_file_should_lose_nothing()
    {
        var connection = LubanServer.TempSqlite();
        await using var first = await LubanServer.StartAsync(connection, "one");
        await using var second = await LubanServer.StartAsync(connection, "two");

        await WriteConcurrentlyAsync(first, second, 20);

        await AssertCountAsync(first, 40);
    }

    [PostgresFact]
    public async Task Two_instances_writing_one_postgres_database_should_lose_nothing()
    {
        var connection = Environment.GetEnvironmentVariable("LUBAN_TEST_PG")!;
        await using var first = await LubanServer.StartAsync(connection, "pg-one");
        await using var second = await LubanServer.StartAsync(connection, "pg-two");
        var before = (await LubanServer.JsonAsync(await first.Client.GetAsync("/api/evaluations?pageSize=1"))).GetProperty("total").GetInt64();

        await WriteConcurrentlyAsync(first, second, 20);

        await AssertCountAsync(first, before + 40);
        var created = await LubanServer.JsonAsync(await second.PostAsync(SampleHouses.HouseB()));
        var read = await LubanServer.JsonAsync(await first.Client.GetAsync($"/api/evaluations/{created.GetProperty("id").GetString()}"));
        Assert.Equal(72.8m, read.GetProperty("total").GetDecimal());
    }

    [Theory]
    [InlineData("--instance", "bad name!", "instance")]
    [InlineData("--connection-string", "Foo=bar", "connection-string")]
    [InlineData("--connection-string", "Port=5432", "connection-string")]
    [InlineData("--urls", "nonsense", "urls")]
    public void Settings_should_reject_invalid_configuration_naming_the_key(string flag, string value, string key)
    {
        var configuration = new ConfigurationBuilder().AddCommandLine([flag, value]).Build();

        var error = Assert.Throws<InvalidSettingException>(() => LubanSettings.From(configuration));

        Assert.Equal(key, error.Key);
        Assert.StartsWith($"invalid configuration: {key}:", error.Message);
    }

    [Theory]
    [InlineData(null, StoreKind.Sqlite)]
    [InlineData("Data Source=/tmp/x.db", StoreKind.Sqlite)]
    [InlineData("Host=10.0.2.2;Username=luban;Database=luban", StoreKind.Postgres)]
    public void Settings_should_pick_the_store_from_the_connection_string(string? connection, StoreKind expected)
    {
        var values = new Dictionary<string, string?> { ["LUBAN_DB"] = connection, ["LUBAN_INSTANCE"] = "vm-1" };
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();

        var settings = LubanSettings.From(configuration);

        Assert.Equal((expected, "vm-1"), (settings.Store, settings.Instance));
    }

    private static async Task WriteConcurrentlyAsync(LubanServer first, LubanServer second, int each)
    {
        var posts = Enumerable.Range(0, each).SelectMany(i => new[]
        {
            first.PostAsync(SampleHouses.HouseA() with { Label = $"one-{i}" }),
            second.PostAsync(SampleHouses.HouseB() with { Label = $"two-{i}" }),
        });
        var responses = await Task.WhenAll(posts);
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
    }

    private static async Task AssertCountAsync(LubanServer server, long expected)
    {
        var page = await LubanServer.JsonAsync(await server.Client.GetAsync("/api/evaluations?pageSize=1"));
        Assert.Equal(expected, page.GetProperty("total").GetInt64());
    }
}
