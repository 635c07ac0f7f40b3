using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Luban.Tests.EndToEnd;
using Luban.Tests.FengShui;
using Luban.Tests.Support;
using Xunit.Abstractions;

namespace Luban.Tests.Web;

/// <summary>
/// Issue 16 on real VMs: the whole system as <c>./luban up --detach --netns</c> starts it (hosts in network namespaces
/// of their own, names and subnet apart from the other end-to-end specs, round-robin balancing), one browser-like
/// client through the front door. A session issued by one VM is accepted by every VM, sees the same records, and
/// outlives the VM that issued it.
/// </summary>
public sealed class CrossVmSessionSpecs(ITestOutputHelper output)
{
    private const string Prefix = "lubanw";
    private const string Subnet = "10.79.0";
    private static readonly Uri PublicUrl = new($"http://{Subnet}.1:8080");
    private static readonly Uri AdminUrl = new($"http://{Subnet}.1:8090");

    [EndToEndFact]
    public async Task A_session_should_be_seen_by_every_vm_and_outlive_the_vm_that_issued_it()
    {
        var runDir = Directory.CreateTempSubdirectory("luban-web-e2e-").FullName;
        // The run's own PostgreSQL lives below it and runs as the postgres user.
        if (OperatingSystem.IsLinux()) File.SetUnixFileMode(runDir, (UnixFileMode)0b111_101_101);
        var env = new Dictionary<string, string>
        {
            ["LUBAN_RUN_DIR"] = runDir,
            ["LUBAN_NETNS_PREFIX"] = Prefix,
            ["LUBAN_NETNS_SUBNET"] = Subnet,
            ["LUBAN_PG_PORT"] = "55437",
            ["LUBAN_PG_DIR"] = Path.Combine(runDir, "pg"),
            ["LUBAN_UP_TIMEOUT"] = "300",
        };
        using var admin = new HttpClient { BaseAddress = AdminUrl, Timeout = TimeSpan.FromSeconds(5) };
        var (upCode, upOutput) = await LubanScript.RunAsync(env, "up", "--detach", "--netns", "--no-build");
        try
        {
            Assert.True(upCode == 0, $"./luban up --netns failed ({upCode}):\n{upOutput}");
            var jar = new CookieContainer();
            using var client = new HttpClient(new SocketsHttpHandler { CookieContainer = jar, UseProxy = false }) { BaseAddress = PublicUrl };

            // No automatic decisions (an idle third VM would be scaled in); a third VM (B-2), so that one can be stopped
            // with each host keeping its minimum of one.
            var (pauseCode, pauseOutput) = await LubanScript.RunAsync(env, "autoscale", "pause");
            Assert.True(pauseCode == 0, pauseOutput);
            var (startCode, startOutput) = await LubanScript.RunAsync(env, "vm", "start", "--host", "B");
            Assert.True(startCode == 0, startOutput);
            Assert.True(await UntilAsync(admin, s => InService(s).Count == 3, TimeSpan.FromSeconds(240)), "no third VM in service within 240 s");

            // Sign in until the VM answering is the one to be stopped: the cookie is then that VM's.
            var email = $"cross-vm-{Guid.NewGuid():N}@example.org";
            var registered = await client.PostAsJsonAsync("/api/account/register", new { email, password = "correct horse battery" });
            Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
            var issuer = Instance(registered);
            for (var i = 0; i < 12 && issuer != "luban-b-2"; i++)
            {
                var login = await client.PostAsJsonAsync("/api/account/login", new { email, password = "correct horse battery" });
                Assert.Equal(HttpStatusCode.OK, login.StatusCode);
                issuer = Instance(login);
            }
            output.WriteLine($"session issued by {issuer}");
            var id = await LubanServer.SaveAsync(client, SampleHouses.HouseA());

            // 20 requests through the front door: every VM answers, all see the session and the record.
            var seen = await SeeSessionAsync(client, email, id, 20);
            output.WriteLine($"20 requests answered by: {string.Join(", ", seen.Select(s => $"{s.Key} {s.Value}"))}");
            Assert.True(seen.Count >= 2, $"only {string.Join(", ", seen.Keys)} answered");

            // Stop the issuing VM (drained, then shut off); the session keeps working on the others.
            var (stopCode, stopOutput) = await LubanScript.RunAsync(env, "vm", "stop", issuer);
            Assert.True(stopCode == 0, stopOutput);
            Assert.True(await UntilAsync(admin, s => !InService(s).Contains(issuer), TimeSpan.FromSeconds(120)), $"{issuer} still in service");
            var after = await SeeSessionAsync(client, email, id, 10);
            output.WriteLine($"after stopping {issuer}: {string.Join(", ", after.Select(s => $"{s.Key} {s.Value}"))}");
            Assert.DoesNotContain(issuer, after.Keys);
            var saved = await LubanServer.PostAsync(client, SampleHouses.HouseB());
            Assert.Equal(HttpStatusCode.Created, saved.StatusCode);
        }
        finally
        {
            var (downCode, downOutput) = await LubanScript.RunAsync(env, "down");
            var logs = Directory.CreateDirectory(Path.Combine(Repo.Root, "artifacts", "e2e-web")).FullName;
            foreach (var log in Directory.GetFiles(runDir, "*.log").Concat(Directory.Exists(Path.Combine(runDir, "vm")) ? Directory.GetFiles(Path.Combine(runDir, "vm")) : []))
            {
                File.Copy(log, Path.Combine(logs, Path.GetFileName(log)), overwrite: true);
            }
            Directory.Delete(runDir, recursive: true);
            Assert.True(downCode == 0, $"./luban down failed ({downCode}):\n{downOutput}");
        }
    }

    // Each request: who am I, and my record; all must be 200 with this account's data. Counts answers per VM.
    private static async Task<Dictionary<string, int>> SeeSessionAsync(HttpClient client, string email, string id, int requests)
    {
        var seen = new Dictionary<string, int>();
        for (var i = 0; i < requests; i++)
        {
            var me = await client.GetAsync("/api/account/me");
            Assert.Equal(HttpStatusCode.OK, me.StatusCode);
            Assert.Equal(email, (await LubanServer.JsonAsync(me)).GetProperty("email").GetString());
            var record = await client.GetAsync($"/api/evaluations/{id}");
            Assert.Equal(HttpStatusCode.OK, record.StatusCode);
            foreach (var response in new[] { me, record })
            {
                var instance = Instance(response);
                seen[instance] = seen.GetValueOrDefault(instance) + 1;
            }
        }
        return seen;
    }

    private static string Instance(HttpResponseMessage response) => response.Headers.GetValues("X-Luban-Instance").Single();

    private static List<string> InService(JsonElement status) =>
        NetnsCluster.VmsOf(status).Where(v => v.State == "InService").Select(v => v.Id).ToList();

    private static async Task<bool> UntilAsync(HttpClient admin, Func<JsonElement, bool> done, TimeSpan within)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < within)
        {
            try
            {
                if (done(await admin.GetFromJsonAsync<JsonElement>("/api/status"))) return true;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException)
            {
                // The seed is busy or restarting; ask again.
            }
            await Task.Delay(500);
        }
        return false;
    }
}
