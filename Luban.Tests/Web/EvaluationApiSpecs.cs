using System.Net;
using Luban.Tests.FengShui;
using Luban.Web.Hosting;

namespace Luban.Tests.Web;

/// <summary>The JSON API over loopback against a fresh SQLite file per test class.</summary>
public sealed class EvaluationApiSpecs : IAsyncLifetime
{
    private LubanServer _server = null!;

    public async Task InitializeAsync() => _server = await LubanServer.StartAsync(LubanServer.TempSqlite(), "test-sqlite");

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Post_should_score_house_A_and_store_it_for_a_signed_in_user()
    {
        var (user, _) = await _server.NewUserAsync();
        var response = await LubanServer.PostAsync(user, SampleHouses.HouseA());

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await LubanServer.JsonAsync(response);
        Assert.Equal(88.2m, body.GetProperty("total").GetDecimal());
        Assert.Equal("B", body.GetProperty("grade").GetString());
        Assert.Equal("LBC-FS-1.0", body.GetProperty("model").GetString());
        Assert.Equal("LUBAN_42_9", body.GetProperty("rulerProfile").GetString());
        var categories = body.GetProperty("categories");
        Assert.Equal(["ENV", "WATER_ROAD", "EXTERIOR", "INTERIOR", "LUBAN"], categories.EnumerateObject().Select(p => p.Name));
        Assert.Equal(74.3m, categories.GetProperty("WATER_ROAD").GetProperty("score").GetDecimal());
        var measurement = body.GetProperty("measurements")[0];
        Assert.Equal(["財", "迎福", "吉"], new[] { "section", "subSection", "luck" }.Select(p => measurement.GetProperty(p).GetString()));
        Assert.Contains(body.GetProperty("warnings").EnumerateArray(), w => w.GetProperty("code").GetString() == "NEAR_BOUNDARY");

        Assert.True(body.GetProperty("saved").GetBoolean());

        var id = body.GetProperty("id").GetString();
        var stored = await LubanServer.JsonAsync(await user.GetAsync($"/api/evaluations/{id}"));
        Assert.Equal(88.2m, stored.GetProperty("total").GetDecimal());
        Assert.Equal("APARTMENT", stored.GetProperty("input").GetProperty("houseType").GetString());
    }

    [Fact]
    public async Task Post_should_evaluate_for_an_anonymous_visitor_without_saving()
    {
        var response = await _server.PostAsync(SampleHouses.HouseA());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await LubanServer.JsonAsync(response);
        Assert.False(body.GetProperty("saved").GetBoolean());
        Assert.False(body.TryGetProperty("id", out _));
        Assert.Equal(88.2m, body.GetProperty("total").GetDecimal());
        Assert.Equal("APARTMENT", body.GetProperty("input").GetProperty("houseType").GetString());
        Assert.Equal(HttpStatusCode.Unauthorized, (await _server.Client.GetAsync("/api/evaluations")).StatusCode);
    }

    [Fact]
    public async Task List_should_return_newest_first_and_compare_should_give_the_spec_delta()
    {
        var (user, _) = await _server.NewUserAsync();
        var a = await LubanServer.SaveAsync(user, SampleHouses.HouseA());
        var b = await LubanServer.SaveAsync(user, SampleHouses.HouseB());

        var list = await LubanServer.JsonAsync(await user.GetAsync("/api/evaluations?page=1&pageSize=10"));
        var comparison = await LubanServer.JsonAsync(await user.GetAsync($"/api/compare?a={a}&b={b}"));

        Assert.Equal([b, a], list.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetString()));
        Assert.Equal(-15.4m, comparison.GetProperty("totalDelta").GetDecimal());
        var interior = comparison.GetProperty("categories").EnumerateArray().Single(c => c.GetProperty("category").GetString() == "INTERIOR");
        Assert.Equal(-10.875m, interior.GetProperty("weightedDelta").GetDecimal());
    }

    [Fact]
    public async Task List_should_page()
    {
        var (user, _) = await _server.NewUserAsync();
        for (var i = 0; i < 3; i++)
        {
            await LubanServer.SaveAsync(user, SampleHouses.HouseA() with { Label = $"house {i}" });
        }

        var page = await LubanServer.JsonAsync(await user.GetAsync("/api/evaluations?page=2&pageSize=2"));

        Assert.Equal(3, page.GetProperty("total").GetInt64());
        Assert.Equal(["house 0"], page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("label").GetString()));
    }

    [Theory]
    [MemberData(nameof(ValidationCases.Names), MemberType = typeof(ValidationCases))]
    public async Task Post_should_answer_400_naming_each_field_error(string name)
    {
        var (request, field, code) = ValidationCases.Get(name);

        var response = await _server.PostAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var errors = (await LubanServer.JsonAsync(response)).GetProperty("errors").EnumerateArray();
        Assert.Contains(errors, e => e.GetProperty("field").GetString() == field && e.GetProperty("code").GetString() == code);
    }

    // Bodies that must never reach a 500: broken syntax, wrong JSON types, numbers as words, unknown enums.
    [Theory]
    [InlineData("{\"houseType\":", "E_JSON")]
    [InlineData("not json", "E_JSON")]
    [InlineData("[]", "E_JSON")]
    [InlineData("{\"houseType\":5}", "E_JSON")]
    [InlineData("{\"env\":\"POLE\"}", "E_JSON")]
    [InlineData("{\"measurements\":{\"cm\":90}}", "E_JSON")]
    [InlineData("{\"waterRoad\":[1,2]}", "E_JSON")]
    [InlineData("{\"floor\":true,\"houseType\":\"APARTMENT\"}", "E_NOT_NUMBER")]
    [InlineData("{\"floor\":{\"a\":1},\"houseType\":\"APARTMENT\"}", "E_NOT_NUMBER")]
    [InlineData("{\"houseType\":\"PALACE\"}", "E_ENUM")]
    [InlineData("{\"measurements\":[{\"element\":\"MAIN_DOOR\",\"dimension\":\"WIDTH\",\"cm\":1e400}]}", "E_NOT_NUMBER")]
    [InlineData("", "E_BODY")]
    [InlineData("null", "E_BODY")]
    public async Task Post_should_answer_400_for_bad_bodies(string body, string code)
    {
        var response = await _server.PostRawAsync(body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await LubanServer.JsonAsync(response)).GetProperty("errors").EnumerateArray();
        Assert.Contains(errors, e => e.GetProperty("code").GetString() == code);
    }

    [Fact]
    public async Task Post_should_answer_400_for_a_huge_body()
    {
        var huge = "{\"label\":\"" + new string('x', 2 * 1024 * 1024) + "\"}";

        var response = await _server.PostRawAsync(huge);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("E_TOO_LARGE", (await LubanServer.JsonAsync(response)).GetProperty("errors")[0].GetProperty("code").GetString());
    }

    [Theory]
    [InlineData("cm=210", "本", "財至", "PROFILE_SENSITIVE")]
    [InlineData("cm=210&profile=LUBAN_43_2", "害", "口舌", null)]
    [InlineData("cm=128.7", "財", "財德", null)]
    [InlineData("cm=100&profile=DINGLAN_38_78", "官", "順科", null)]
    public async Task Ruler_should_read_lengths(string query, string section, string sub, string? flag)
    {
        var body = await LubanServer.JsonAsync(await _server.Client.GetAsync($"/api/ruler?{query}"));

        Assert.Equal((section, sub), (body.GetProperty("section").GetString(), body.GetProperty("subSection").GetString()));
        Assert.Equal(flag is not null, body.GetProperty("flags").EnumerateArray().Any(f => f.GetString() == flag));
    }

    [Fact]
    public async Task Ruler_should_suggest_for_an_element()
    {
        var body = await LubanServer.JsonAsync(await _server.Client.GetAsync("/api/ruler?cm=100&element=MAIN_DOOR"));

        Assert.Equal([102.2m, 86.1m], body.GetProperty("suggestions").EnumerateArray().Select(s => s.GetProperty("fromCm").GetDecimal()));
    }

    [Theory]
    [InlineData("cm=abc", "cm", "E_NOT_NUMBER")]
    [InlineData("", "cm", "E_REQUIRED")]
    [InlineData("cm=90.123", "cm", "E_PRECISION")]
    [InlineData("cm=-5", "cm", "E_RANGE")]
    [InlineData("cm=90&profile=luban", "profile", "E_ENUM")]
    [InlineData("cm=90&element=DOOR", "element", "E_ENUM")]
    public async Task Ruler_should_answer_400_for_bad_queries(string query, string field, string code)
    {
        var response = await _server.Client.GetAsync($"/api/ruler?{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = (await LubanServer.JsonAsync(response)).GetProperty("errors")[0];
        Assert.Equal((field, code), (error.GetProperty("field").GetString(), error.GetProperty("code").GetString()));
    }

    [Fact]
    public async Task Definitions_should_list_terms_in_both_languages()
    {
        var body = await LubanServer.JsonAsync(await _server.Client.GetAsync("/api/definitions"));

        var sky = body.GetProperty("terms").EnumerateArray().Single(t => t.GetProperty("id").GetString() == "SKY_SLASH");
        Assert.Equal(("天斬煞", "sky-slash"), (sky.GetProperty("zh").GetString(), sky.GetProperty("en").GetString()));
        Assert.False(string.IsNullOrEmpty(sky.GetProperty("explanation").GetString()));
        Assert.StartsWith("本結果依傳統民俗規則", body.GetProperty("disclaimer").GetString());
    }

    [Theory]
    [InlineData("/healthz", HttpStatusCode.OK)]
    [InlineData("/readyz", HttpStatusCode.OK)]
    [InlineData("/", HttpStatusCode.OK)]
    [InlineData("/app.js", HttpStatusCode.OK)]
    [InlineData("/chart.umd.min.js", HttpStatusCode.OK)]
    [InlineData("/api/evaluations/nope", HttpStatusCode.NotFound)]
    [InlineData("/dbz", HttpStatusCode.OK)]
    [InlineData("/no-such-page", HttpStatusCode.NotFound)]
    public async Task Every_response_should_name_the_instance(string path, HttpStatusCode status)
    {
        var response = await _server.Client.GetAsync(path);

        Assert.Equal(status, response.StatusCode);
        Assert.Equal("test-sqlite", Assert.Single(response.Headers.GetValues(LubanApp.InstanceHeader)));
    }

    [Fact]
    public async Task Compare_should_answer_400_without_ids_and_404_for_unknown_ids()
    {
        var (user, _) = await _server.NewUserAsync();

        Assert.Equal(HttpStatusCode.BadRequest, (await user.GetAsync("/api/compare?a=x")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await user.GetAsync("/api/compare?a=x&b=y")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _server.Client.GetAsync("/api/compare?a=x&b=y")).StatusCode);
    }
}
