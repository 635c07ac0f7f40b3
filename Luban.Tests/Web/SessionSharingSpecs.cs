using System.Net;
using System.Net.Http.Json;
using Luban.Tests.FengShui;

namespace Luban.Tests.Web;

/// <summary>
/// Instances sharing one database share the Data Protection key ring in it: a session cookie or antiforgery token
/// issued by one is accepted by the others, and outlives the instance that issued it.
/// </summary>
public sealed class SessionSharingSpecs
{
    public static TheoryData<string> Stores => new() { "sqlite", "postgres" };

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task A_session_from_one_instance_should_work_on_another_and_outlive_the_first(string store)
    {
        // A file of its own (not TempSqlite, which goes with the server that made it): it must outlive the first instance.
        var file = Path.Combine(Path.GetTempPath(), $"luban-shared-{Guid.NewGuid():N}.db");
        var database = store == "sqlite" ? $"Data Source={file}" : LubanServer.Postgres();
        try
        {
            await RunAsync(database);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            foreach (var path in new[] { file, file + "-wal", file + "-shm" })
            {
                File.Delete(path);
            }
        }
    }

    private static async Task RunAsync(string database)
    {
        var first = await LubanServer.StartAsync(database, "first");
        await using var second = await LubanServer.StartAsync(database, "second");
        var (onFirst, email) = await first.NewUserAsync();
        var jar = first.JarOf(onFirst);
        var token = (await LubanServer.JsonAsync(await onFirst.GetAsync("/api/account/antiforgery"))).GetProperty("token").GetString()!;
        var id = await LubanServer.SaveAsync(onFirst, SampleHouses.HouseA());
        var onSecond = second.NewClient(jar);

        var me = await onSecond.GetAsync("/api/account/me");
        var record = await onSecond.GetAsync($"/api/evaluations/{id}");
        var withFirstsToken = new HttpRequestMessage(HttpMethod.Post, "/api/evaluations") { Content = JsonContent.Create(new { }) };
        withFirstsToken.Headers.Add("X-CSRF-TOKEN", token);
        var tokenAccepted = await onSecond.SendAsync(withFirstsToken);

        Assert.Equal(email, (await LubanServer.JsonAsync(me)).GetProperty("email").GetString());
        Assert.Equal("second", me.Headers.GetValues("X-Luban-Instance").Single());
        Assert.Equal(HttpStatusCode.OK, record.StatusCode);
        // Past the forgery check (403 otherwise); the empty house is then a validation error.
        Assert.Equal(HttpStatusCode.BadRequest, tokenAccepted.StatusCode);

        // The first instance stops (a scale-in); a third starts later: the cookie still works on both that remain.
        await first.DisposeAsync();
        await using var third = await LubanServer.StartAsync(database, "third");
        Assert.Equal(HttpStatusCode.OK, (await onSecond.GetAsync("/api/account/me")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await third.NewClient(jar).GetAsync($"/api/evaluations/{id}")).StatusCode);
    }
}
