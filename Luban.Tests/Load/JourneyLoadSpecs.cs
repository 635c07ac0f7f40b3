using System.Text.Json;
using Luban.Load;
using Luban.Load.Journeys;
using Luban.Load.Running;
using Luban.Tests.Web;

namespace Luban.Tests.Load;

/// <summary>The journey mix against a real Luban.Web (Kestrel, SQLite): users save, list and compare; nothing fails.</summary>
public sealed class JourneyLoadSpecs
{
    [Fact]
    public async Task Journey_clients_should_save_list_and_compare_without_a_failure()
    {
        await using var server = await LubanServer.StartAsync(LubanServer.TempSqlite(), "journey");
        var users = 0;
        await using var load = new ClosedLoopLoad(server.Address,
            journeys: () => new UserJourney($"j{Interlocked.Increment(ref users)}@load.luban.test", "journey passphrase", signInEvery: 3));

        await load.SetClientsAsync(4);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (load.Snapshot().ByStep.GetValueOrDefault("login") < 4 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }
        var result = await load.StopAsync();

        Assert.True(result.Failed == 0, result.ToString());
        Assert.Equal(4, result.ByStep["register"]);
        Assert.All(new[] { "save", "list", "compare", "login" }, step => Assert.True(result.ByStep.GetValueOrDefault(step) > 0, $"no {step}: {result}"));
        Assert.Equal("journey", Assert.Single(result.ByInstance).Key);
    }

    [Fact]
    public async Task Luban_load_mix_journey_should_report_requests_per_step()
    {
        await using var server = await LubanServer.StartAsync(LubanServer.TempSqlite(), "journey-app");
        var stdout = new StringWriter();
        var stderr = new StringWriter();

        var exit = await LoadApp.RunAsync(
            ["--mix", "journey", "--url", server.Address.ToString(), "--admin-url", "http://127.0.0.1:1", "--profile", "hold 3 3s", "--json"],
            new RunContext(stdout, stderr, false, _ => null, TimeProvider.System), CancellationToken.None);

        Assert.True(exit == ExitCodes.Ok, stderr.ToString());
        using var summary = JsonDocument.Parse(stdout.ToString());
        var steps = summary.RootElement.GetProperty("byStep");
        Assert.Equal(3, steps.GetProperty("register").GetInt64());
        Assert.True(steps.GetProperty("save").GetInt64() > 0);
        Assert.True(summary.RootElement.GetProperty("stepP50Ms").GetProperty("save").GetDouble() > 0);
        Assert.Equal(0, summary.RootElement.GetProperty("failed").GetInt64());
    }
}
