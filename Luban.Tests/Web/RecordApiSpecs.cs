using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Luban.Tests.FengShui;

namespace Luban.Tests.Web;

/// <summary>One's own records: search, filters, order, pages, rename, delete, share, export, compare.</summary>
public sealed class RecordApiSpecs : IAsyncLifetime
{
    private LubanServer _server = null!;
    private HttpClient _user = null!;

    public async Task InitializeAsync()
    {
        _server = await LubanServer.StartAsync(LubanServer.TempSqlite(), "records");
        (_user, _) = await _server.NewUserAsync();
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private async Task<JsonElement> ListAsync(string query)
    {
        var response = await _user.GetAsync($"/api/evaluations?{query}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await LubanServer.JsonAsync(response);
    }

    private static IEnumerable<string?> Labels(JsonElement page) => page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("label").GetString());

    [Fact]
    public async Task List_should_search_filter_sort_and_page()
    {
        await LubanServer.SaveAsync(_user, SampleHouses.HouseA() with { Label = "台北 公寓 A" });
        await LubanServer.SaveAsync(_user, SampleHouses.HouseB() with { Label = "台北 公寓 B" });
        await LubanServer.SaveAsync(_user, SampleHouses.HouseC() with { Label = "台中 透天 C" });
        await LubanServer.SaveAsync(_user, SampleHouses.HouseA() with { Label = "100% sure_a" });

        Assert.Equal(["台北 公寓 B", "台北 公寓 A"], Labels(await ListAsync("q=台北")));
        Assert.Equal(["100% sure_a"], Labels(await ListAsync("q=" + Uri.EscapeDataString("0% sure_"))));
        Assert.Empty(Labels(await ListAsync("q=" + Uri.EscapeDataString("_%"))));
        Assert.Equal(["台中 透天 C"], Labels(await ListAsync("houseType=TOWNHOUSE")));
        Assert.Equal(["100% sure_a", "台北 公寓 A"], Labels(await ListAsync("grade=B")));
        Assert.Equal(["100% sure_a", "台北 公寓 A", "台北 公寓 B"], Labels(await ListAsync("sort=score&houseType=APARTMENT")));
        Assert.Equal(["台北 公寓 A", "台北 公寓 B"], Labels(await ListAsync("sort=date_asc&pageSize=2")));
        var second = await ListAsync("sort=date_asc&pageSize=2&page=2");
        Assert.Equal(["台中 透天 C", "100% sure_a"], Labels(second));
        Assert.Equal((4, 2, 2), (second.GetProperty("total").GetInt64(), second.GetProperty("page").GetInt32(), second.GetProperty("pageSize").GetInt32()));
    }

    [Theory]
    [InlineData("page=0", "page")]
    [InlineData("page=1000000000000", "page")]
    [InlineData("pageSize=1000", "pageSize")]
    [InlineData("grade=Z", "grade")]
    [InlineData("sort=price", "sort")]
    public async Task List_should_answer_400_naming_a_bad_parameter(string query, string field)
    {
        var response = await _user.GetAsync($"/api/evaluations?{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(field, (await LubanServer.JsonAsync(response)).GetProperty("errors")[0].GetProperty("field").GetString());
    }

    [Fact]
    public async Task Rename_should_change_the_label_everywhere_and_refuse_a_long_one()
    {
        var id = await LubanServer.SaveAsync(_user, SampleHouses.HouseA());

        var renamed = await _user.PatchAsJsonAsync($"/api/evaluations/{id}", new { label = "  新家  " });
        var tooLong = await _user.PatchAsJsonAsync($"/api/evaluations/{id}", new { label = new string('x', 101) });

        Assert.Equal(HttpStatusCode.OK, renamed.StatusCode);
        Assert.Equal("新家", (await LubanServer.JsonAsync(renamed)).GetProperty("label").GetString());
        Assert.Equal("新家", (await LubanServer.JsonAsync(await _user.GetAsync($"/api/evaluations/{id}"))).GetProperty("label").GetString());
        Assert.Equal(["新家"], Labels(await ListAsync("")));
        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
        var error = (await LubanServer.JsonAsync(tooLong)).GetProperty("errors")[0];
        Assert.Equal(("label", "E_TOO_LONG"), (error.GetProperty("field").GetString(), error.GetProperty("code").GetString()));
    }

    [Fact]
    public async Task Delete_should_remove_the_record()
    {
        var id = await LubanServer.SaveAsync(_user, SampleHouses.HouseA());

        Assert.Equal(HttpStatusCode.NoContent, (await _user.DeleteAsync($"/api/evaluations/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _user.GetAsync($"/api/evaluations/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _user.DeleteAsync($"/api/evaluations/{id}")).StatusCode);
    }

    [Fact]
    public async Task Share_should_give_an_unguessable_read_only_link_until_revoked()
    {
        var id = await LubanServer.SaveAsync(_user, SampleHouses.HouseA() with { Label = "給家人看" });

        var shared = await LubanServer.JsonAsync(await _user.PostAsync($"/api/evaluations/{id}/share", null));
        var again = await LubanServer.JsonAsync(await _user.PostAsync($"/api/evaluations/{id}/share", null));
        var token = shared.GetProperty("token").GetString()!;
        var stranger = _server.NewClient();
        var seen = await stranger.GetAsync($"/api/shared/{token}");

        Assert.Equal(43, token.Length);
        Assert.Equal(token, again.GetProperty("token").GetString());
        Assert.Equal($"{_server.Address.ToString().TrimEnd('/')}/#/shared/{token}", shared.GetProperty("url").GetString());
        Assert.Equal(HttpStatusCode.OK, seen.StatusCode);
        var body = await LubanServer.JsonAsync(seen);
        Assert.Equal(("給家人看", 88.2m), (body.GetProperty("label").GetString(), body.GetProperty("total").GetDecimal()));
        Assert.False(body.TryGetProperty("id", out _));
        Assert.True((await LubanServer.JsonAsync(await _user.GetAsync("/api/evaluations"))).GetProperty("items")[0].GetProperty("shared").GetBoolean());
        // Read-only: the link grants no rename, delete or list.
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.DeleteAsync($"/api/evaluations/{id}")).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await _user.DeleteAsync($"/api/evaluations/{id}/share")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.GetAsync($"/api/shared/{token}")).StatusCode);
        var fresh = (await LubanServer.JsonAsync(await _user.PostAsync($"/api/evaluations/{id}/share", null))).GetProperty("token").GetString();
        Assert.NotEqual(token, fresh);
    }

    [Theory]
    [InlineData("short")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public async Task Shared_should_answer_404_for_an_unknown_token(string token)
    {
        Assert.Equal(HttpStatusCode.NotFound, (await _server.Client.GetAsync($"/api/shared/{token}")).StatusCode);
    }

    [Fact]
    public async Task Export_should_give_csv_of_all_and_json_of_one()
    {
        var a = await LubanServer.SaveAsync(_user, SampleHouses.HouseA() with { Label = "A, 3F" });
        await LubanServer.SaveAsync(_user, SampleHouses.HouseB());

        var csv = await _user.GetAsync("/api/evaluations/export.csv");
        var json = await _user.GetAsync($"/api/evaluations/{a}/export.json");

        Assert.Equal("text/csv", csv.Content.Headers.ContentType?.MediaType);
        Assert.Contains("attachment", csv.Content.Headers.ContentDisposition?.ToString() ?? csv.Headers.GetValues("Content-Disposition").First());
        var bytes = await csv.Content.ReadAsByteArrayAsync();
        Assert.Equal([0xEF, 0xBB, 0xBF], bytes[..3]);
        var lines = Encoding.UTF8.GetString(bytes[3..]).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.StartsWith($"{a},", lines[1]);
        Assert.Contains("\"A, 3F\",APARTMENT,LBC-FS-1.0,LUBAN_42_9,88.2,B", lines[1]);
        Assert.Equal(HttpStatusCode.OK, json.StatusCode);
        Assert.Equal(a, (await LubanServer.JsonAsync(json)).GetProperty("id").GetString());
        Assert.Contains("attachment", json.Content.Headers.ContentDisposition?.ToString());
    }

    [Fact]
    public async Task Compare_should_take_two_to_four_records_and_recompute_when_the_basis_differs()
    {
        var a = await LubanServer.SaveAsync(_user, SampleHouses.HouseA());
        var b = await LubanServer.SaveAsync(_user, SampleHouses.HouseB());
        var c = await LubanServer.SaveAsync(_user, SampleHouses.HouseC());

        var three = await LubanServer.JsonAsync(await _user.GetAsync($"/api/compare?ids={a},{b},{c}"));
        var recomputed = await LubanServer.JsonAsync(await _user.GetAsync($"/api/compare?ids={a},{c}&recompute=1"));

        Assert.Equal([a, b, c], three.GetProperty("records").EnumerateArray().Select(r => r.GetProperty("id").GetString()));
        Assert.Equal(2, three.GetProperty("deltas").GetArrayLength());
        Assert.Equal(-15.4m, three.GetProperty("totalDelta").GetDecimal());
        Assert.False(three.GetProperty("sameBasis").GetBoolean());
        Assert.Equal("W_BASIS_DIFFERS", three.GetProperty("warnings")[0].GetProperty("code").GetString());
        Assert.True(recomputed.GetProperty("sameBasis").GetBoolean());
        Assert.True(recomputed.GetProperty("recomputed").GetBoolean());
        Assert.Equal(["LUBAN_42_9"], recomputed.GetProperty("records").EnumerateArray().Select(r => r.GetProperty("rulerProfile").GetString()).Distinct());
        // Recomputing shows, it does not store: the record keeps its own ruler.
        Assert.Equal("LUBAN_43_2", (await LubanServer.JsonAsync(await _user.GetAsync($"/api/evaluations/{c}"))).GetProperty("rulerProfile").GetString());
    }

    [Theory]
    [InlineData("ids=x", "ids", "E_COUNT")]
    [InlineData("ids=a,b,c,d,e", "ids", "E_COUNT")]
    [InlineData("ids=a,a", "ids", "E_DUPLICATE")]
    [InlineData("ids=a,b&recompute=1&profile=DINGLAN_38_78", "profile", "E_ENUM")]
    public async Task Compare_should_answer_400_naming_a_bad_parameter(string query, string field, string code)
    {
        var response = await _user.GetAsync($"/api/compare?{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = (await LubanServer.JsonAsync(response)).GetProperty("errors")[0];
        Assert.Equal((field, code), (error.GetProperty("field").GetString(), error.GetProperty("code").GetString()));
    }

    [Fact]
    public async Task Examples_should_be_the_papers_two_houses()
    {
        var examples = await LubanServer.JsonAsync(await _server.Client.GetAsync("/api/examples"));

        Assert.Equal(["A", "B"], examples.EnumerateArray().Select(e => e.GetProperty("id").GetString()));
        var request = examples[0].GetProperty("request").GetRawText();
        var scored = await LubanServer.JsonAsync(await _server.PostRawAsync(request));
        Assert.Equal(88.2m, scored.GetProperty("total").GetDecimal());
    }

    [Fact]
    public async Task Ruler_should_list_the_nearest_lucky_ranges()
    {
        var body = await LubanServer.JsonAsync(await _server.Client.GetAsync("/api/ruler?cm=100&profile=DINGLAN_38_78"));

        Assert.Equal([97.3m, 93.4m, 105.1m], body.GetProperty("luckyRanges").EnumerateArray().Select(r => r.GetProperty("fromCm").GetDecimal()));
    }
}
