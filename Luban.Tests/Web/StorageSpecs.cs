using System.Net;
using Luban.Tests.FengShui;

namespace Luban.Tests.Web;

/// <summary>Several instances on one database: nothing lost, and one session valid on all of them.</summary>
public class StorageSpecs
{
    [Fact]
    public async Task Two_instances_writing_one_sqlite_file_should_lose_nothing()
    {
        var connection = LubanServer.TempSqlite();
        await using var first = await LubanServer.StartAsync(connection, "one");
        await using var second = await LubanServer.StartAsync(connection, "two");

        await WriteConcurrentlyAsync(first, second, 20);
    }

    [Fact]
    public async Task Two_instances_writing_one_postgres_database_should_lose_nothing()
    {
        var connection = LubanServer.Postgres();
        await using var first = await LubanServer.StartAsync(connection, "pg-one");
        await using var second = await LubanServer.StartAsync(connection, "pg-two");

        var (onFirst, onSecond) = await WriteConcurrentlyAsync(first, second, 20);

        var id = await LubanServer.SaveAsync(onSecond, SampleHouses.HouseB());
        var read = await LubanServer.JsonAsync(await onFirst.GetAsync($"/api/evaluations/{id}"));
        Assert.Equal(72.8m, read.GetProperty("total").GetDecimal());
    }

    // One person signed in once (on the first instance), writing through both at once: every write is stored once.
    private static async Task<(HttpClient OnFirst, HttpClient OnSecond)> WriteConcurrentlyAsync(LubanServer first, LubanServer second, int each)
    {
        var jar = new CookieContainer();
        var (onFirst, _) = await first.NewUserAsync(jar: jar);
        var onSecond = second.NewClient(jar);
        var posts = Enumerable.Range(0, each).SelectMany(i => new[]
        {
            LubanServer.PostAsync(onFirst, SampleHouses.HouseA() with { Label = $"one-{i}" }),
            LubanServer.PostAsync(onSecond, SampleHouses.HouseB() with { Label = $"two-{i}" }),
        });
        var responses = await Task.WhenAll(posts);
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));

        var page = await LubanServer.JsonAsync(await onSecond.GetAsync("/api/evaluations?pageSize=1"));
        Assert.Equal(2 * each, page.GetProperty("total").GetInt64());
        return (onFirst, onSecond);
    }
}
