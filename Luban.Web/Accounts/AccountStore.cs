using System.Data.Common;
using System.Globalization;
using Luban.Web.Storage;

namespace Luban.Web.Accounts;

/// <summary>An account as stored: the password only as its hash (ASP.NET Core Identity's PasswordHasher format).</summary>
public sealed record Account(string Id, string Email, string PasswordHash, string SecurityStamp, SignInState SignIn);

public sealed class AccountStore(LubanDatabase database)
{
    private const string Columns = "id, email, password_hash, security_stamp, failed_signins, locked_until";

    /// <summary>False when the e-mail address is taken (the unique index decides, so two VMs cannot both register it).</summary>
    public Task<bool> CreateAsync(Account account, DateTimeOffset now, CancellationToken cancellationToken) =>
        database.RunAsync(async connection =>
        {
            try
            {
                await LubanDatabase.ExecuteAsync(connection,
                    "INSERT INTO accounts (id, email, password_hash, security_stamp, created_at) VALUES (@id, @email, @hash, @stamp, @created)",
                    cancellationToken, ("@id", account.Id), ("@email", account.Email), ("@hash", account.PasswordHash),
                    ("@stamp", account.SecurityStamp), ("@created", LubanDatabase.Time(now)));
                return true;
            }
            catch (DbException error) when (database.IsUniqueViolation(error))
            {
                // A replay of our own committed insert (same id) is success; anyone else's row means the address is taken.
                var owner = await LubanDatabase.ScalarAsync(connection, "SELECT id FROM accounts WHERE email = @email", cancellationToken, ("@email", account.Email));
                return owner as string == account.Id;
            }
        }, cancellationToken);

    public Task<Account?> FindByEmailAsync(string email, CancellationToken cancellationToken) =>
        database.RunAsync(c => ReadAsync(c, "email = @key", email, cancellationToken), cancellationToken);

    public Task<Account?> FindAsync(string id, CancellationToken cancellationToken) =>
        database.RunAsync(c => ReadAsync(c, "id = @key", id, cancellationToken), cancellationToken);

    public async Task<string?> SecurityStampAsync(string id, CancellationToken cancellationToken) =>
        await database.RunAsync(c => LubanDatabase.ScalarAsync(c, "SELECT security_stamp FROM accounts WHERE id = @id", cancellationToken, ("@id", id)),
            cancellationToken) as string;

    /// <summary>Counts one more failed sign-in atomically (instances on other VMs count the same row); the new count.</summary>
    public async Task<int> CountFailureAsync(string id, CancellationToken cancellationToken) =>
        Convert.ToInt32(await database.RunAsync(c => LubanDatabase.ScalarAsync(c,
            "UPDATE accounts SET failed_signins = failed_signins + 1 WHERE id = @id RETURNING failed_signins", cancellationToken, ("@id", id)),
            cancellationToken), CultureInfo.InvariantCulture);

    public Task SetSignInStateAsync(string id, SignInState state, CancellationToken cancellationToken) =>
        database.RunAsync(c => LubanDatabase.ExecuteAsync(c, "UPDATE accounts SET failed_signins = @failed, locked_until = @until WHERE id = @id",
            cancellationToken, ("@failed", state.FailedAttempts), ("@until", state.LockedUntil is { } until ? LubanDatabase.Time(until) : null), ("@id", id)),
            cancellationToken);

    /// <summary>A new hash; a new security stamp ends the account's other sessions (a rehash keeps the stamp).</summary>
    public Task SetPasswordAsync(string id, string hash, string stamp, CancellationToken cancellationToken) =>
        database.RunAsync(c => LubanDatabase.ExecuteAsync(c, "UPDATE accounts SET password_hash = @hash, security_stamp = @stamp WHERE id = @id",
            cancellationToken, ("@hash", hash), ("@stamp", stamp), ("@id", id)), cancellationToken);

    private static async Task<Account?> ReadAsync(DbConnection connection, string where, string key, CancellationToken cancellationToken)
    {
        await using var command = LubanDatabase.Command(connection, $"SELECT {Columns} FROM accounts WHERE {where}", ("@key", key));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }
        var lockedUntil = reader.IsDBNull(5) ? (DateTimeOffset?)null : LubanDatabase.ParseTime(reader.GetString(5));
        return new Account(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
            new SignInState(Convert.ToInt32(reader.GetValue(4), CultureInfo.InvariantCulture), lockedUntil));
    }
}
