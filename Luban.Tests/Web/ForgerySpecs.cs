using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Luban.Tests.FengShui;
using Luban.Web.Api;

namespace Luban.Tests.Web;

/// <summary>
/// Request forgery and hardening over HTTP: scripts with JSON pass, cross-site form posts do not; the pages' token
/// works; every page carries a Content-Security-Policy; no error body names a framework type.
/// </summary>
public sealed partial class ForgerySpecs : IAsyncLifetime
{
    private LubanServer _server = null!;

    public async Task InitializeAsync() => _server = await LubanServer.StartAsync(LubanServer.TempSqlite(), "forgery");

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static HttpRequestMessage Post(string path, HttpContent? content, params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }
        return request;
    }

    private static StringContent HouseA(string mediaType = "application/json") =>
        new(JsonSerializer.Serialize(SampleHouses.HouseA(), AppJsonContext.Default.EvaluationRequest), Encoding.UTF8, mediaType);

    [Fact]
    public async Task A_script_posting_json_with_the_session_cookie_should_pass_without_a_token()
    {
        var (user, _) = await _server.NewUserAsync();

        Assert.Equal(HttpStatusCode.Created, (await user.SendAsync(Post("/api/evaluations", HouseA()))).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await user.SendAsync(Post("/api/account/logout", null))).StatusCode);
    }

    [Theory]
    [InlineData("text/plain", null, null)]
    [InlineData("application/x-www-form-urlencoded", null, null)]
    [InlineData("application/json", "cross-site", null)]
    [InlineData("application/json", null, "https://evil.example")]
    public async Task A_cross_site_post_without_a_token_should_be_refused(string mediaType, string? secFetchSite, string? origin)
    {
        var (user, _) = await _server.NewUserAsync();
        var headers = new List<(string, string)>();
        if (secFetchSite is not null) headers.Add(("Sec-Fetch-Site", secFetchSite));
        if (origin is not null) headers.Add(("Origin", origin));

        var response = await user.SendAsync(Post("/api/evaluations", HouseA(mediaType), [.. headers]));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("E_ANTIFORGERY", (await LubanServer.JsonAsync(response)).GetProperty("errors")[0].GetProperty("code").GetString());
        Assert.Equal(0, (await LubanServer.JsonAsync(await user.GetAsync("/api/evaluations"))).GetProperty("total").GetInt64());
    }

    [Fact]
    public async Task A_cross_site_form_should_not_sign_anyone_out()
    {
        var (user, _) = await _server.NewUserAsync();

        var forged = await user.SendAsync(Post("/api/account/logout", new FormUrlEncodedContent([]), ("Origin", "https://evil.example")));

        Assert.Equal(HttpStatusCode.Forbidden, forged.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await user.GetAsync("/api/account/me")).StatusCode);
    }

    [Fact]
    public async Task The_pages_token_should_be_required_valid_and_tied_to_the_session()
    {
        var (user, _) = await _server.NewUserAsync();
        var token = (await LubanServer.JsonAsync(await user.GetAsync("/api/account/antiforgery"))).GetProperty("token").GetString()!;
        var anonymousClient = _server.NewClient();
        var anonymousToken = (await LubanServer.JsonAsync(await anonymousClient.GetAsync("/api/account/antiforgery"))).GetProperty("token").GetString()!;

        var withToken = await user.SendAsync(Post("/api/evaluations", HouseA(), ("X-CSRF-TOKEN", token), ("Sec-Fetch-Site", "same-origin")));
        var forgedToken = await user.SendAsync(Post("/api/evaluations", HouseA(), ("X-CSRF-TOKEN", "forged")));
        // A token fetched before signing in belongs to the anonymous session: the pages fetch a new one after sign-in.
        await anonymousClient.PostAsJsonAsync("/api/account/register", new { email = $"late-{Guid.NewGuid():N}@example.org", password = "correct horse" });
        var staleToken = await anonymousClient.SendAsync(Post("/api/evaluations", HouseA(), ("X-CSRF-TOKEN", anonymousToken)));

        Assert.Equal(HttpStatusCode.Created, withToken.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, forgedToken.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, staleToken.StatusCode);
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/index.html")]
    [InlineData("/api/definitions")]
    [InlineData("/api/evaluations/nope")]
    public async Task Every_response_should_carry_the_content_security_policy(string path)
    {
        var response = await _server.Client.GetAsync(path);

        var csp = response.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("script-src 'self'", csp);
        Assert.Contains("frame-ancestors 'none'", csp);
        Assert.DoesNotContain("unsafe-inline", csp);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
    }

    [Theory]
    [InlineData("GET", "/api/evaluations?page=abc", null)]
    [InlineData("GET", "/api/evaluations?page=99999999999999999999", null)]
    [InlineData("GET", "/api/ruler?cm=1e999", null)]
    [InlineData("POST", "/api/evaluations", "{\"houseType\":5}")]
    [InlineData("POST", "/api/evaluations", "[1,2")]
    [InlineData("POST", "/api/evaluations", "{\"measurements\":{\"cm\":[]}}")]
    [InlineData("POST", "/api/account/login", "{\"email\":[1]}")]
    [InlineData("POST", "/api/account/register", "\"text\"")]
    [InlineData("PATCH", "/api/evaluations/x", "{\"label\":{}}")]
    public async Task Error_bodies_should_not_name_framework_types(string method, string path, string? body)
    {
        var (user, _) = await _server.NewUserAsync();
        var request = new HttpRequestMessage(new HttpMethod(method), path)
        {
            Content = body is null ? null : new StringContent(body, Encoding.UTF8, "application/json"),
        };

        var response = await user.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();

        Assert.True((int)response.StatusCode is >= 400 and < 500, $"{response.StatusCode}: {text}");
        Assert.False(TypeName().IsMatch(text), text);
    }

    [Fact]
    public async Task A_body_over_the_limit_should_answer_400_naming_the_body()
    {
        var (user, _) = await _server.NewUserAsync();

        var response = await user.PatchAsync("/api/evaluations/x", new StringContent("{\"label\":\"" + new string('x', 300_000) + "\"}", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = (await LubanServer.JsonAsync(response)).GetProperty("errors")[0];
        Assert.Equal(("$", "E_TOO_LARGE"), (error.GetProperty("field").GetString(), error.GetProperty("code").GetString()));
    }

    [GeneratedRegex(@"System\.|Microsoft\.|Luban\.|Exception|Nullable|Int32|String\b")]
    private static partial Regex TypeName();
}
