using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Luban.FengShui.Input;
using Luban.Web.Api;
using Luban.Web.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Luban.Tests.Web;

/// <summary>A real Kestrel instance of Luban.Web on a loopback port chosen by the OS.</summary>
public sealed class LubanServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly string _connectionString;
    private readonly List<HttpClient> _clients = [];
    private readonly Dictionary<HttpClient, CookieContainer> _jars = [];

    private LubanServer(WebApplication app, Uri address, string connectionString)
    {
        _app = app;
        Address = address;
        _connectionString = connectionString;
        Client = NewClient();
    }

    public Uri Address { get; }

    /// <summary>An anonymous visitor's client (it keeps cookies, so it can sign in too).</summary>
    public HttpClient Client { get; }

    public IServiceProvider Services => _app.Services;

    /// <param name="extraArgs">More command-line settings, e.g. <c>--lockout-attempts 3</c>.</param>
    public static async Task<LubanServer> StartAsync(string connectionString, string instance, params string[] extraArgs)
    {
        var app = LubanApp.Build(["--urls", "http://127.0.0.1:0", "--connection-string", connectionString, "--instance", instance, .. extraArgs]);
        await LubanApp.StartAsync(app);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new LubanServer(app, new Uri(address), connectionString);
    }

    public static string TempSqlite() =>
        $"Data Source={Path.Combine(Path.GetTempPath(), $"luban-test-{Guid.NewGuid():N}.db")}";

    /// <summary>The PostgreSQL of the test run; a test that needs it fails (never skips) when it is not configured.</summary>
    public static string Postgres() =>
        Environment.GetEnvironmentVariable("LUBAN_TEST_PG") is { Length: > 0 } pg
            ? pg
            : throw new InvalidOperationException(
                "env LUBAN_TEST_PG is not set: this test needs a PostgreSQL server (./luban test starts one and sets it)");

    /// <summary>
    /// A new browser-like client with its own cookie jar: one person. Given another client's <paramref name="jar"/>, the
    /// same person on this server (cookies are per host, not per port, so the session cookie goes along).
    /// </summary>
    public HttpClient NewClient(CookieContainer? jar = null)
    {
        jar ??= new CookieContainer();
        var client = new HttpClient(new SocketsHttpHandler { CookieContainer = jar, UseCookies = true, AllowAutoRedirect = false })
        {
            BaseAddress = Address,
        };
        _clients.Add(client);
        _jars[client] = jar;
        return client;
    }

    /// <summary>The cookies a client would send here, as name=value pairs (for hand-made requests).</summary>
    public IEnumerable<string> CookiesFor(HttpClient client) =>
        _jars[client].GetCookies(Address).Select(c => $"{c.Name}={c.Value}");

    /// <summary>A client's cookie jar, to carry the same person to another server.</summary>
    public CookieContainer JarOf(HttpClient client) => _jars[client];

    /// <summary>A client registered (and so signed in) as a fresh account; its e-mail address comes back too.</summary>
    public async Task<(HttpClient Client, string Email)> NewUserAsync(string password = "correct horse battery", CookieContainer? jar = null)
    {
        var client = NewClient(jar);
        var email = $"user-{Guid.NewGuid():N}@example.org";
        var response = await client.PostAsJsonAsync("/api/account/register", new { email, password });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (client, email);
    }

    public Task<HttpResponseMessage> PostAsync(EvaluationRequest request) => PostAsync(Client, request);

    public static Task<HttpResponseMessage> PostAsync(HttpClient client, EvaluationRequest request, string? idempotencyKey = null)
    {
        var message = new HttpRequestMessage(HttpMethod.Post, "/api/evaluations")
        {
            Content = new StringContent(JsonSerializer.Serialize(request, AppJsonContext.Default.EvaluationRequest), Encoding.UTF8, "application/json"),
        };
        if (idempotencyKey is not null)
        {
            message.Headers.Add("Idempotency-Key", idempotencyKey);
        }
        return client.SendAsync(message);
    }

    /// <summary>Saves a house as the client's user and returns the new record's id.</summary>
    public static async Task<string> SaveAsync(HttpClient client, EvaluationRequest request)
    {
        var response = await PostAsync(client, request);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await JsonAsync(response)).GetProperty("id").GetString()!;
    }

    public Task<HttpResponseMessage> PostRawAsync(string body) =>
        Client.PostAsync("/api/evaluations", new StringContent(body, Encoding.UTF8, "application/json"));

    public static async Task<JsonElement> JsonAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonDocument>())!.RootElement;

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients)
        {
            client.Dispose();
        }
        await _app.StopAsync();
        await _app.DisposeAsync();
        // Temp databases made by TempSqlite go with the last server using them (deleting twice is harmless).
        if (_connectionString.StartsWith($"Data Source={Path.Combine(Path.GetTempPath(), "luban-test-")}", StringComparison.Ordinal))
        {
            SqliteConnection.ClearAllPools();
            var file = _connectionString["Data Source=".Length..];
            foreach (var path in new[] { file, file + "-wal", file + "-shm" })
            {
                File.Delete(path);
            }
        }
    }
}
