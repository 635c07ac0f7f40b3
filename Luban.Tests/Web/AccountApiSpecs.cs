using System.Net;
using System.Net.Http.Json;
using Microsoft.Data.Sqlite;

namespace Luban.Tests.Web;

/// <summary>Register, sign in and out, lockout, password change, and what is stored of a password.</summary>
public sealed class AccountApiSpecs : IAsyncLifetime
{
    private readonly string _database = LubanServer.TempSqlite();
    private LubanServer _server = null!;

    public async Task InitializeAsync() =>
        _server = await LubanServer.StartAsync(_database, "accounts", "--lockout-attempts", "3", "--lockout-seconds", "60", "--session-check-seconds", "0");

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static Task<HttpResponseMessage> PostJson(HttpClient client, string path, object body) => client.PostAsJsonAsync(path, body);

    [Fact]
    public async Task Register_should_sign_in_with_an_httponly_lax_cookie_and_logout_should_end_it()
    {
        var client = _server.NewClient();

        var registered = await PostJson(client, "/api/account/register", new { email = " Ann@Example.org", password = "correct horse" });

        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        Assert.Equal("ann@example.org", (await LubanServer.JsonAsync(registered)).GetProperty("email").GetString());
        var cookie = Assert.Single(registered.Headers.GetValues("Set-Cookie"), c => c.StartsWith("luban-session=", StringComparison.Ordinal));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=lax", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("secure", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Equal("ann@example.org", (await LubanServer.JsonAsync(await client.GetAsync("/api/account/me"))).GetProperty("email").GetString());

        Assert.Equal(HttpStatusCode.NoContent, (await client.PostAsync("/api/account/logout", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/account/me")).StatusCode);
        var login = await PostJson(client, "/api/account/login", new { email = "ANN@example.org", password = "correct horse" });
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/account/me")).StatusCode);
    }

    [Theory]
    [InlineData("not-an-address", "correct horse", "email", "E_EMAIL")]
    [InlineData("bob@example.org", "short", "password", "E_PASSWORD")]
    [InlineData("bob@example.org", null, "password", "E_PASSWORD")]
    public async Task Register_should_name_a_bad_field(string email, string? password, string field, string code)
    {
        var response = await PostJson(_server.NewClient(), "/api/account/register", new { email, password });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = (await LubanServer.JsonAsync(response)).GetProperty("errors")[0];
        Assert.Equal((field, code), (error.GetProperty("field").GetString(), error.GetProperty("code").GetString()));
    }

    [Fact]
    public async Task Register_should_refuse_a_taken_address_whatever_its_case()
    {
        await PostJson(_server.NewClient(), "/api/account/register", new { email = "carol@example.org", password = "correct horse" });

        var again = await PostJson(_server.NewClient(), "/api/account/register", new { email = "Carol@Example.org", password = "other horse" });

        Assert.Equal(HttpStatusCode.BadRequest, again.StatusCode);
        Assert.Equal("E_TAKEN", (await LubanServer.JsonAsync(again)).GetProperty("errors")[0].GetProperty("code").GetString());
    }

    [Fact]
    public async Task Login_should_answer_401_for_a_wrong_password_or_an_unknown_address()
    {
        var (_, email) = await _server.NewUserAsync();

        var wrong = await PostJson(_server.NewClient(), "/api/account/login", new { email, password = "wrong password" });
        var unknown = await PostJson(_server.NewClient(), "/api/account/login", new { email = "nobody@example.org", password = "wrong password" });

        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);
        Assert.Equal("E_CREDENTIALS", (await LubanServer.JsonAsync(wrong)).GetProperty("errors")[0].GetProperty("code").GetString());
        Assert.False(wrong.Headers.Contains("Set-Cookie") && wrong.Headers.GetValues("Set-Cookie").Any(c => c.StartsWith("luban-session=", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Repeated_wrong_passwords_should_lock_the_account_with_the_time_left()
    {
        var (_, email) = await _server.NewUserAsync(password: "right password");
        var attacker = _server.NewClient();

        var first = await PostJson(attacker, "/api/account/login", new { email, password = "guess 1" });
        var second = await PostJson(attacker, "/api/account/login", new { email, password = "guess 2" });
        var third = await PostJson(attacker, "/api/account/login", new { email, password = "guess 3" });
        var evenRight = await PostJson(_server.NewClient(), "/api/account/login", new { email, password = "right password" });

        Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized], new[] { first.StatusCode, second.StatusCode });
        foreach (var locked in new[] { third, evenRight })
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, locked.StatusCode);
            var retryAfter = locked.Headers.RetryAfter!.Delta!.Value.TotalSeconds;
            Assert.InRange(retryAfter, 1, 60);
            var body = await LubanServer.JsonAsync(locked);
            Assert.Equal("E_LOCKED", body.GetProperty("errors")[0].GetProperty("code").GetString());
            Assert.Equal(retryAfter, body.GetProperty("retryAfterSeconds").GetInt32());
            Assert.Contains($"{retryAfter} 秒", body.GetProperty("errors")[0].GetProperty("messageZh").GetString());
        }
    }

    [Fact]
    public async Task Passwords_should_be_stored_only_as_identity_hashes()
    {
        const string password = "a very particular passphrase";
        var (_, email) = await _server.NewUserAsync(password);

        await using var connection = new SqliteConnection(_database);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT * FROM accounts WHERE email = $email";
        command.Parameters.AddWithValue("$email", email);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        var row = Enumerable.Range(0, reader.FieldCount).ToDictionary(reader.GetName, i => reader.IsDBNull(i) ? "" : Convert.ToString(reader.GetValue(i))!);
        Assert.DoesNotContain(row.Values, v => v.Contains(password, StringComparison.Ordinal) || v.Contains("particular", StringComparison.Ordinal));
        // Identity's v3 format: version byte 0x01, PRF HMAC-SHA512, 100 000 iterations, 16-byte salt, 32-byte subkey.
        var hash = Convert.FromBase64String(row["password_hash"]);
        Assert.Equal((61, 0x01), (hash.Length, (int)hash[0]));
        Assert.Equal(100_000, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(hash.AsSpan(5)));
    }

    [Fact]
    public async Task Changing_the_password_should_end_the_other_sessions_and_keep_this_one()
    {
        var (here, email) = await _server.NewUserAsync("first password");
        var elsewhere = _server.NewClient();
        Assert.Equal(HttpStatusCode.OK, (await PostJson(elsewhere, "/api/account/login", new { email, password = "first password" })).StatusCode);

        var wrongCurrent = await PostJson(here, "/api/account/password", new { currentPassword = "not it", newPassword = "second password" });
        var changed = await PostJson(here, "/api/account/password", new { currentPassword = "first password", newPassword = "second password" });

        Assert.Equal(HttpStatusCode.Unauthorized, wrongCurrent.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, changed.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await here.GetAsync("/api/account/me")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await elsewhere.GetAsync("/api/account/me")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await PostJson(_server.NewClient(), "/api/account/login", new { email, password = "first password" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await PostJson(_server.NewClient(), "/api/account/login", new { email, password = "second password" })).StatusCode);
    }

    [Fact]
    public async Task Password_change_should_need_a_session_and_a_valid_new_password()
    {
        var (user, _) = await _server.NewUserAsync("first password");

        var anonymous = await PostJson(_server.NewClient(), "/api/account/password", new { currentPassword = "x", newPassword = "second password" });
        var weak = await PostJson(user, "/api/account/password", new { currentPassword = "first password", newPassword = "short" });

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, weak.StatusCode);
        Assert.Equal("newPassword", (await LubanServer.JsonAsync(weak)).GetProperty("errors")[0].GetProperty("field").GetString());
    }

    [Fact]
    public async Task A_hash_made_with_fewer_iterations_should_be_upgraded_at_the_next_sign_in()
    {
        // A file of its own: TempSqlite's goes with the first server, and this one must outlive it.
        var file = Path.Combine(Path.GetTempPath(), $"luban-rehash-{Guid.NewGuid():N}.db");
        var database = $"Data Source={file}";
        try
        {
            await UpgradeAsync(database);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            foreach (var path in new[] { file, file + "-wal", file + "-shm" })
            {
                File.Delete(path);
            }
        }
    }

    private static async Task UpgradeAsync(string database)
    {
        string email;
        await using (var cheap = await LubanServer.StartAsync(database, "cheap", "--password-iterations", "20000"))
        {
            (_, email) = await cheap.NewUserAsync("the passphrase");
        }
        var before = await IterationsAsync(database, email);
        await using var standard = await LubanServer.StartAsync(database, "standard");

        var login = await PostJson(standard.NewClient(), "/api/account/login", new { email, password = "the passphrase" });

        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        Assert.Equal((20_000, 100_000), (before, await IterationsAsync(database, email)));
    }

    private static async Task<int> IterationsAsync(string database, string email)
    {
        await using var connection = new SqliteConnection(database);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT password_hash FROM accounts WHERE email = $email";
        command.Parameters.AddWithValue("$email", email);
        var hash = Convert.FromBase64String((string)(await command.ExecuteScalarAsync())!);
        return System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(hash.AsSpan(5));
    }
}
