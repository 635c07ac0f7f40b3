using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Luban.Tests.FengShui;
using Luban.Web.Api;

namespace Luban.Tests.Web;

/// <summary>Exactly once: one Idempotency-Key, one record, whatever retries and races happen (SQLite and PostgreSQL).</summary>
public class IdempotencySpecs
{
    public static TheoryData<string> Stores => new() { "sqlite", "postgres" };

    private static Task<LubanServer> StartAsync(string store) =>
        LubanServer.StartAsync(store == "sqlite" ? LubanServer.TempSqlite() : LubanServer.Postgres(), $"idem-{store}");

    private static async Task<long> CountAsync(HttpClient user) =>
        (await LubanServer.JsonAsync(await user.GetAsync("/api/evaluations?pageSize=1"))).GetProperty("total").GetInt64();

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task A_repeated_key_should_answer_the_first_result_and_store_nothing_new(string store)
    {
        await using var server = await StartAsync(store);
        var (user, _) = await server.NewUserAsync();
        var key = Guid.NewGuid().ToString();

        var first = await LubanServer.PostAsync(user, SampleHouses.HouseA(), key);
        var second = await LubanServer.PostAsync(user, SampleHouses.HouseA(), key);

        Assert.Equal((HttpStatusCode.Created, HttpStatusCode.Created), (first.StatusCode, second.StatusCode));
        Assert.Equal((await LubanServer.JsonAsync(first)).GetProperty("id").GetString(), (await LubanServer.JsonAsync(second)).GetProperty("id").GetString());
        Assert.Equal("true", second.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(1, await CountAsync(user));
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task Concurrent_duplicates_should_store_one_row(string store)
    {
        await using var server = await StartAsync(store);
        var (user, _) = await server.NewUserAsync();
        var key = Guid.NewGuid().ToString();

        var responses = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => LubanServer.PostAsync(user, SampleHouses.HouseB(), key)));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
        var ids = await Task.WhenAll(responses.Select(async r => (await LubanServer.JsonAsync(r)).GetProperty("id").GetString()));
        Assert.Single(ids.Distinct());
        Assert.Equal(1, await CountAsync(user));
    }

    [Fact]
    public async Task A_key_reused_for_another_house_should_answer_422_and_a_deleted_record_409()
    {
        await using var server = await StartAsync("sqlite");
        var (user, _) = await server.NewUserAsync();
        var key = Guid.NewGuid().ToString();
        var id = (await LubanServer.JsonAsync(await LubanServer.PostAsync(user, SampleHouses.HouseA(), key))).GetProperty("id").GetString();

        var other = await LubanServer.PostAsync(user, SampleHouses.HouseB(), key);
        await user.DeleteAsync($"/api/evaluations/{id}");
        var afterDelete = await LubanServer.PostAsync(user, SampleHouses.HouseA(), key);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, other.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, afterDelete.StatusCode);
        Assert.Equal("Idempotency-Key", (await LubanServer.JsonAsync(afterDelete)).GetProperty("errors")[0].GetProperty("field").GetString());
        Assert.Equal(0, await CountAsync(user));
    }

    [Fact]
    public async Task Keys_should_belong_to_their_owner()
    {
        await using var server = await StartAsync("sqlite");
        var (ann, _) = await server.NewUserAsync();
        var (bob, _) = await server.NewUserAsync();

        var a = await LubanServer.PostAsync(ann, SampleHouses.HouseA(), "shared-key");
        var b = await LubanServer.PostAsync(bob, SampleHouses.HouseA(), "shared-key");

        Assert.Equal((HttpStatusCode.Created, HttpStatusCode.Created), (a.StatusCode, b.StatusCode));
        Assert.NotEqual((await LubanServer.JsonAsync(a)).GetProperty("id").GetString(), (await LubanServer.JsonAsync(b)).GetProperty("id").GetString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("with space")]
    public async Task A_malformed_key_should_answer_400_naming_the_header(string key)
    {
        await using var server = await StartAsync("sqlite");
        var (user, _) = await server.NewUserAsync();

        var response = await LubanServer.PostAsync(user, SampleHouses.HouseA(), key);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("Idempotency-Key", (await LubanServer.JsonAsync(response)).GetProperty("errors")[0].GetProperty("field").GetString());
    }

    /// <summary>The client sends the POST and drops the connection before the answer; its retry with the key is one row.</summary>
    [Theory]
    [MemberData(nameof(Stores))]
    public async Task A_retry_after_a_lost_response_should_leave_one_row(string store)
    {
        await using var server = await StartAsync(store);
        var (user, _) = await server.NewUserAsync();
        var cookie = string.Join("; ", server.CookiesFor(user));
        var key = Guid.NewGuid().ToString();
        var body = JsonSerializer.Serialize(SampleHouses.HouseA(), AppJsonContext.Default.EvaluationRequest);

        for (var i = 0; i < 3; i++)
        {
            using var socket = new TcpClient();
            await socket.ConnectAsync(server.Address.Host, server.Address.Port);
            var request = $"POST /api/evaluations HTTP/1.1\r\nHost: {server.Address.Authority}\r\nContent-Type: application/json\r\n" +
                          $"Idempotency-Key: {key}\r\nCookie: {cookie}\r\nContent-Length: {Encoding.UTF8.GetByteCount(body)}\r\n\r\n{body}";
            await socket.GetStream().WriteAsync(Encoding.UTF8.GetBytes(request));
            // Lost: the connection goes away before (or while) the answer comes.
            socket.Client.LingerState = new LingerOption(true, 0);
        }
        await Task.Delay(300);
        var retried = await LubanServer.PostAsync(user, SampleHouses.HouseA(), key);

        Assert.Equal(HttpStatusCode.Created, retried.StatusCode);
        Assert.Equal(1, await CountAsync(user));
    }
}
