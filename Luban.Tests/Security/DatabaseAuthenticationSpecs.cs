using Luban.Tests.Web;
using Npgsql;

namespace Luban.Tests.Security;

/// <summary>
/// The records database as <c>./luban test</c> (and <c>./luban up</c>) runs it: real authentication (scram-sha-256),
/// a <c>luban</c> role that is no superuser and owns only its database, durable writes.
/// </summary>
public sealed class DatabaseAuthenticationSpecs
{
    private static NpgsqlConnectionStringBuilder Luban() => new(LubanServer.Postgres());

    private static async Task<string?> RefusalAsync(NpgsqlConnectionStringBuilder connection)
    {
        connection.Pooling = false;
        try
        {
            await using var opened = new NpgsqlConnection(connection.ConnectionString);
            await opened.OpenAsync();
            return null;
        }
        catch (Exception error) when (error is NpgsqlException or PostgresException or InvalidOperationException)
        {
            return error.Message;
        }
    }

    [Theory]
    [InlineData("postgres", null)]
    [InlineData("postgres", "postgres")]
    [InlineData("luban", null)]
    [InlineData("luban", "not-the-password")]
    public async Task A_connection_without_the_password_should_be_refused(string user, string? password)
    {
        var connection = Luban();
        connection.Username = user;
        connection.Password = password;

        Assert.NotNull(await RefusalAsync(connection));
    }

    [Fact]
    public async Task The_luban_role_should_be_no_superuser_and_writes_durable()
    {
        await using var connection = new NpgsqlConnection(Luban().ConnectionString);
        await connection.OpenAsync();

        Assert.Equal("on", await ScalarAsync(connection, "SHOW fsync"));
        Assert.Equal("on", await ScalarAsync(connection, "SHOW synchronous_commit"));
        Assert.Equal("scram-sha-256", await ScalarAsync(connection, "SHOW password_encryption"));
        Assert.Equal("False", await ScalarAsync(connection, "SELECT rolsuper OR rolcreaterole OR rolcreatedb FROM pg_roles WHERE rolname = current_user"));
        Assert.Equal("luban", await ScalarAsync(connection, "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database()"));
        // What a superuser could do (a shell on the database host) is refused.
        var shell = await Assert.ThrowsAsync<PostgresException>(() => ScalarAsync(connection, "COPY (SELECT 1) TO PROGRAM 'id'"));
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, shell.SqlState);
    }

    private static async Task<string?> ScalarAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return (await command.ExecuteScalarAsync())?.ToString();
    }
}
