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

    private LubanServer(WebApplication app, HttpClient client, string connectionString)
    {
        _app = app;
        Client = client;
        _connectionString = connectionString;
    }

    public HttpClient Client { get; }

    public static async Task<LubanServer> StartAsync(string connectionString, string instance)
    {
        var app = LubanApp.Build(["--urls", "http://127.0.0.1:0", "--connection-string", connectionString, "--instance", instance]);
        await LubanApp.StartAsync(app);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new LubanServer(app, new HttpClient { BaseAddress = new Uri(address) }, connectionString);
    }

    public static string TempSqlite() =>
        $"Data Source={Path.Combine(Path.GetTempPath(), $"luban-test-{Guid.NewGuid():N}.db")}";

    public Task<HttpResponseMessage> PostAsync(EvaluationRequest request) =>
        Client.PostAsync("/api/evaluations", new StringContent(
            JsonSerializer.Serialize(request, AppJsonContext.Default.EvaluationRequest), Encoding.UTF8, "application/json"));

    public Task<HttpResponseMessage> PostRawAsync(string body) =>
        Client.PostAsync("/api/evaluations", new StringContent(body, Encoding.UTF8, "application/json"));

    public static async Task<JsonElement> JsonAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonDocument>())!.RootElement;

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
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

/// <summary>Runs only when env LUBAN_TEST_PG holds a reachable PostgreSQL connection string.</summary>
public sealed class PostgresFactAttribute : FactAttribute
{
    public PostgresFactAttribute()
    {
        if (string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("LUBAN_TEST_PG")))
        {
            Skip = "SKIPPED: env LUBAN_TEST_PG is not set, so no PostgreSQL server is reachable; the PostgreSQL round trip did not run";
        }
    }
}
