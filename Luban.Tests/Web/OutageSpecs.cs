using System.Net;
using Luban.Tests.FengShui;
using Npgsql;

namespace Luban.Tests.Web;

/// <summary>
/// The records database goes away (a relay in front of the real PostgreSQL cuts every connection and refuses new
/// ones) and comes back: reads keep answering, writes answer 503 with Retry-After, never 500; readiness does not follow
/// the database; writes work again at once, on the same process, with no dead pooled connection reused.
/// </summary>
public sealed class OutageSpecs
{
    [Fact]
    public async Task A_database_outage_should_degrade_writes_to_503_and_recover_without_a_restart()
    {
        var target = new NpgsqlConnectionStringBuilder(LubanServer.Postgres());
        await using var relay = new TcpRelay("127.0.0.1", target.Port);
        var throughRelay = new NpgsqlConnectionStringBuilder(target.ConnectionString) { Host = "127.0.0.1", Port = relay.Port }.ConnectionString;
        await using var server = await LubanServer.StartAsync(throughRelay, "outage", "--session-check-seconds", "0");
        var (user, _) = await server.NewUserAsync();
        var before = await LubanServer.SaveAsync(user, SampleHouses.HouseA());
        // Fill the pool with connections that will all be dead after the cut.
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => user.GetAsync("/api/evaluations")));

        relay.Cut();
        var reads = new Dictionary<string, HttpResponseMessage>
        {
            ["/"] = await user.GetAsync("/"),
            ["/app.js"] = await user.GetAsync("/app.js"),
            ["/healthz"] = await user.GetAsync("/healthz"),
            ["/readyz"] = await user.GetAsync("/readyz"),
            ["/api/definitions"] = await user.GetAsync("/api/definitions"),
            ["/api/ruler"] = await user.GetAsync("/api/ruler?cm=90"),
            ["/api/examples"] = await user.GetAsync("/api/examples"),
            ["/api/account/me"] = await user.GetAsync("/api/account/me"),
            ["evaluate anonymously"] = await server.PostAsync(SampleHouses.HouseB()),
        };
        var save = await LubanServer.PostAsync(user, SampleHouses.HouseB(), Guid.NewGuid().ToString());
        var list = await user.GetAsync("/api/evaluations");
        var rename = await user.PatchAsync($"/api/evaluations/{before}", new StringContent("{\"label\":\"x\"}", System.Text.Encoding.UTF8, "application/json"));
        var login = await server.NewClient().PostAsync("/api/account/login",
            new StringContent("{\"email\":\"a@b.tw\",\"password\":\"whatever1\"}", System.Text.Encoding.UTF8, "application/json"));
        var dbz = await user.GetAsync("/dbz");

        Assert.All(reads, r => Assert.True(r.Value.IsSuccessStatusCode, $"{r.Key} answered {r.Value.StatusCode} during the outage"));
        foreach (var (what, response) in new[] { ("save", save), ("list", list), ("rename", rename), ("login", login) })
        {
            Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, $"{what} answered {response.StatusCode}");
            Assert.Equal(TimeSpan.FromSeconds(5), response.Headers.RetryAfter?.Delta);
            Assert.Equal("E_DATABASE", (await LubanServer.JsonAsync(response)).GetProperty("errors")[0].GetProperty("code").GetString());
        }
        Assert.Equal(HttpStatusCode.ServiceUnavailable, dbz.StatusCode);

        relay.Restore();
        var after = await LubanServer.PostAsync(user, SampleHouses.HouseB());
        var listed = await user.GetAsync("/api/evaluations");

        Assert.Equal(HttpStatusCode.Created, after.StatusCode);
        Assert.Equal(HttpStatusCode.OK, listed.StatusCode);
        Assert.Equal(2, (await LubanServer.JsonAsync(listed)).GetProperty("total").GetInt64());
        Assert.Equal(HttpStatusCode.OK, (await user.GetAsync("/dbz")).StatusCode);
    }

    [Fact]
    public async Task Pooled_connections_that_died_with_the_server_should_not_fail_the_next_requests()
    {
        var target = new NpgsqlConnectionStringBuilder(LubanServer.Postgres());
        await using var relay = new TcpRelay("127.0.0.1", target.Port);
        var throughRelay = new NpgsqlConnectionStringBuilder(target.ConnectionString) { Host = "127.0.0.1", Port = relay.Port }.ConnectionString;
        await using var server = await LubanServer.StartAsync(throughRelay, "restart");
        var (user, _) = await server.NewUserAsync();
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => user.GetAsync("/api/evaluations")));

        // A restart between two requests: every idle pooled connection is now dead, and nothing has noticed yet.
        relay.Cut();
        relay.Restore();
        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => i % 2 == 0
            ? user.GetAsync("/api/evaluations")
            : LubanServer.PostAsync(user, SampleHouses.HouseA())));

        Assert.All(responses, r => Assert.True(r.IsSuccessStatusCode, $"{r.RequestMessage!.Method} answered {r.StatusCode}"));
    }
}
