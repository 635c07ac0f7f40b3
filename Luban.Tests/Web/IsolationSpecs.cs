using System.Net;
using System.Net.Http.Json;
using Luban.Tests.FengShui;

namespace Luban.Tests.Web;

/// <summary>Two users: neither can list, open, rename, compare, share, export or delete the other's records.</summary>
public sealed class IsolationSpecs : IAsyncLifetime
{
    private LubanServer _server = null!;

    public async Task InitializeAsync() => _server = await LubanServer.StartAsync(LubanServer.TempSqlite(), "isolation");

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task A_record_should_not_exist_for_anyone_but_its_owner()
    {
        var (ann, _) = await _server.NewUserAsync();
        var (bob, _) = await _server.NewUserAsync();
        var annsRecord = await LubanServer.SaveAsync(ann, SampleHouses.HouseA() with { Label = "Ann's house" });
        var bobsRecord = await LubanServer.SaveAsync(bob, SampleHouses.HouseB() with { Label = "Bob's house" });

        var bobsList = await LubanServer.JsonAsync(await bob.GetAsync("/api/evaluations"));
        Assert.Equal(["Bob's house"], bobsList.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("label").GetString()));
        Assert.Equal(["Bob's house"], bobsList.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("label").GetString()));
        Assert.Empty((await LubanServer.JsonAsync(await bob.GetAsync("/api/evaluations?q=Ann"))).GetProperty("items").EnumerateArray());
        Assert.DoesNotContain(annsRecord, await bob.GetStringAsync("/api/evaluations/export.csv"));

        var attempts = new Dictionary<string, HttpResponseMessage>
        {
            ["open"] = await bob.GetAsync($"/api/evaluations/{annsRecord}"),
            ["export"] = await bob.GetAsync($"/api/evaluations/{annsRecord}/export.json"),
            ["rename"] = await bob.PatchAsJsonAsync($"/api/evaluations/{annsRecord}", new { label = "mine now" }),
            ["compare"] = await bob.GetAsync($"/api/compare?ids={bobsRecord},{annsRecord}"),
            ["share"] = await bob.PostAsync($"/api/evaluations/{annsRecord}/share", null),
            ["unshare"] = await bob.DeleteAsync($"/api/evaluations/{annsRecord}/share"),
            ["delete"] = await bob.DeleteAsync($"/api/evaluations/{annsRecord}"),
        };

        Assert.All(attempts, a => Assert.True(a.Value.StatusCode == HttpStatusCode.NotFound, $"{a.Key}: {a.Value.StatusCode}"));
        var intact = await LubanServer.JsonAsync(await ann.GetAsync($"/api/evaluations/{annsRecord}"));
        Assert.Equal(("Ann's house", 88.2m), (intact.GetProperty("label").GetString(), intact.GetProperty("total").GetDecimal()));
        Assert.Equal(1, (await LubanServer.JsonAsync(await ann.GetAsync("/api/evaluations"))).GetProperty("total").GetInt64());
    }

    [Fact]
    public async Task An_anonymous_visitor_should_find_no_record_and_be_asked_to_sign_in_for_lists()
    {
        var (ann, _) = await _server.NewUserAsync();
        var id = await LubanServer.SaveAsync(ann, SampleHouses.HouseA());
        var anonymous = _server.NewClient();

        // Routes naming a record: it is not the caller's, so it does not exist for them.
        foreach (var route in new[] { $"/api/evaluations/{id}", $"/api/evaluations/{id}/export.json", $"/api/compare?ids={id},x" })
        {
            Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync(route)).StatusCode);
        }
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.DeleteAsync($"/api/evaluations/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.PatchAsJsonAsync($"/api/evaluations/{id}", new { label = "x" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.PostAsync($"/api/evaluations/{id}/share", null)).StatusCode);
        // Routes over one's own records: sign in first.
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/evaluations")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/evaluations/export.csv")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await ann.GetAsync($"/api/evaluations/{id}")).StatusCode);
    }
}
