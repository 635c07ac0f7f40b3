using System.Data.Common;
using System.Globalization;
using System.Net.Sockets;
using Luban.Web.Hosting;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Luban.Web.Storage;

/// <summary>The records database cannot be reached or is shutting down: the caller answers 503 with Retry-After.</summary>
public sealed class DatabaseUnavailableException(Exception inner) : Exception("the records database is unavailable", inner);

/// <summary>
/// The one database every store uses, SQLite or PostgreSQL, through plain ADO.NET (the SQL in the stores is the common
/// subset of both). It tells a database that is away (connection refused, reset, shutting down: retry later) from a
/// bug, and never lets a pooled connection that died with the server be used twice.
/// </summary>
public abstract class LubanDatabase : IAsyncDisposable
{
    public abstract StoreKind Kind { get; }

    public static LubanDatabase Create(LubanSettings settings) => settings.Store == StoreKind.Postgres
        ? new PostgresDatabase(settings.ConnectionString)
        : new SqliteDatabase(settings.ConnectionString);

    protected abstract DbConnection CreateConnection();

    /// <summary>Drops every idle pooled connection, e.g. after the server restarted under them.</summary>
    public abstract void ClearPool();

    /// <summary>True for a failure of the connection or the server rather than of the statement.</summary>
    public abstract bool IsUnavailable(Exception error);

    public abstract bool IsUniqueViolation(DbException error);

    /// <summary>Runs the schema step once across every instance starting at the same time.</summary>
    public abstract Task InitializeAsync(Func<DbConnection, Task> schema, CancellationToken cancellationToken);

    protected virtual void Prepare(DbConnection connection)
    {
    }

    /// <summary>How many times <see cref="RunAsync{T}"/> tries a piece of work before the database counts as unavailable.</summary>
    public const int Attempts = 4;

    /// <summary>The pause before the next attempt grows by this much each time (50, 100, 150 ms): concurrent requests
    /// that met dead pooled connections together do not all race for the pool again at the same instant.</summary>
    public static readonly TimeSpan AttemptBackoff = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// Runs <paramref name="work"/> on an open connection. When the connection or server fails, the pool is cleared and
    /// the work runs again on a fresh connection (a pooled connection may have died with a restarted server), up to
    /// <see cref="Attempts"/> times in all: under concurrent requests another request may be handed a dead pooled
    /// connection between this one's failure and the pool's clearing. Then <see cref="DatabaseUnavailableException"/>.
    /// Work that writes must tolerate a replay (the stores write rows whose key the caller chose, so a replay of a
    /// committed insert is a key conflict).
    /// </summary>
    public async Task<T> RunAsync<T>(Func<DbConnection, Task<T>> work, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var connection = CreateConnection();
                await connection.OpenAsync(cancellationToken);
                Prepare(connection);
                return await work(connection);
            }
            catch (Exception error) when (IsUnavailable(error) && !cancellationToken.IsCancellationRequested)
            {
                ClearPool();
                if (attempt == Attempts)
                {
                    throw new DatabaseUnavailableException(error);
                }
            }

            await Task.Delay(AttemptBackoff * attempt, cancellationToken);
        }
    }

    public Task RunAsync(Func<DbConnection, Task> work, CancellationToken cancellationToken) =>
        RunAsync(async connection =>
        {
            await work(connection);
            return true;
        }, cancellationToken);

    /// <summary>The synchronous twin for callers that cannot await (the Data Protection key repository).</summary>
    public T Run<T>(Func<DbConnection, T> work)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                using var connection = CreateConnection();
                connection.Open();
                Prepare(connection);
                return work(connection);
            }
            catch (Exception error) when (IsUnavailable(error))
            {
                ClearPool();
                if (attempt == Attempts)
                {
                    throw new DatabaseUnavailableException(error);
                }
            }

            Thread.Sleep(AttemptBackoff * attempt);
        }
    }

    /// <summary>True when a trivial query answers now.</summary>
    public async Task<bool> PingAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await RunAsync(async c => await ScalarAsync(c, "SELECT 1", cancellationToken) is not null, cancellationToken);
        }
        catch (DatabaseUnavailableException)
        {
            return false;
        }
    }

    public virtual ValueTask DisposeAsync() => ValueTask.CompletedTask;

    public static DbCommand Command(DbConnection connection, string sql, params (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value ?? DBNull.Value;
            command.Parameters.Add(parameter);
        }
        return command;
    }

    public static async Task<int> ExecuteAsync(DbConnection connection, string sql, CancellationToken cancellationToken, params (string, object?)[] parameters)
    {
        await using var command = Command(connection, sql, parameters);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public static async Task<object?> ScalarAsync(DbConnection connection, string sql, CancellationToken cancellationToken, params (string, object?)[] parameters)
    {
        await using var command = Command(connection, sql, parameters);
        var value = await command.ExecuteScalarAsync(cancellationToken);
        return value is DBNull ? null : value;
    }

    /// <summary>Times are stored as fixed-width ISO-8601 UTC text, which sorts and compares in time order on both engines.</summary>
    public static string Time(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    public static DateTimeOffset ParseTime(string text) =>
        DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
}

public sealed class SqliteDatabase(string connectionString) : LubanDatabase
{
    // Writers wait for the lock instead of failing: several processes on one file lose nothing.
    private readonly string _connectionString = new SqliteConnectionStringBuilder(connectionString) { DefaultTimeout = 30, Pooling = true }.ToString();

    public override StoreKind Kind => StoreKind.Sqlite;

    protected override DbConnection CreateConnection() => new SqliteConnection(_connectionString);

    protected override void Prepare(DbConnection connection)
    {
        using var command = Command(connection, "PRAGMA busy_timeout = 30000");
        command.ExecuteNonQuery();
    }

    public override void ClearPool() => SqliteConnection.ClearAllPools();

    // Busy/locked past the timeout, cannot open the file, I/O error, disk full: the store is away, not the statement wrong.
    public override bool IsUnavailable(Exception error) =>
        error is SqliteException { SqliteErrorCode: 5 or 6 or 10 or 13 or 14 };

    public override bool IsUniqueViolation(DbException error) =>
        error is SqliteException { SqliteErrorCode: 19, SqliteExtendedErrorCode: 1555 or 2067 };

    public override async Task InitializeAsync(Func<DbConnection, Task> schema, CancellationToken cancellationToken)
    {
        await RunAsync(async connection =>
        {
            await ExecuteAsync(connection, "PRAGMA journal_mode = WAL", cancellationToken);
            await schema(connection);
        }, cancellationToken);
    }
}

public sealed class PostgresDatabase : LubanDatabase
{
    // Any fixed number will do, as long as every instance uses the same one for the schema step.
    private const long SchemaLock = 7406131;

    private readonly NpgsqlDataSource _dataSource;

    public PostgresDatabase(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        // An outage should answer 503 in seconds, not hold a request for the driver's 15 s default.
        if (!builder.ContainsKey("Timeout"))
        {
            builder.Timeout = 5;
        }
        if (!builder.ContainsKey("Command Timeout"))
        {
            builder.CommandTimeout = 15;
        }
        // The slim builder leaves out the reflection-heavy type plugins, which keeps the NativeAOT binary small and safe.
        _dataSource = new NpgsqlSlimDataSourceBuilder(builder.ConnectionString).Build();
    }

    public override StoreKind Kind => StoreKind.Postgres;

    protected override DbConnection CreateConnection() => _dataSource.CreateConnection();

    public override void ClearPool() => _dataSource.Clear();

    // Npgsql raises NpgsqlException (not PostgresException) for network failures; the server itself reports shutdown
    // (57P01–57P03), connection exceptions (class 08) and too many connections (53300).
    public override bool IsUnavailable(Exception error) => error switch
    {
        PostgresException pg => pg.SqlState.StartsWith("08", StringComparison.Ordinal) || pg.SqlState is "57P01" or "57P02" or "57P03" or "53300",
        NpgsqlException => true,
        SocketException or IOException or TimeoutException => true,
        _ => false,
    };

    public override bool IsUniqueViolation(DbException error) => error is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation };

    public override async Task InitializeAsync(Func<DbConnection, Task> schema, CancellationToken cancellationToken)
    {
        // Instances booting together would race on CREATE TABLE; an advisory lock serialises the schema step.
        await RunAsync(async connection =>
        {
            await ExecuteAsync(connection, "SELECT pg_advisory_lock(@key)", cancellationToken, ("@key", SchemaLock));
            try
            {
                await schema(connection);
            }
            finally
            {
                await ExecuteAsync(connection, "SELECT pg_advisory_unlock(@key)", CancellationToken.None, ("@key", SchemaLock));
            }
        }, cancellationToken);
    }

    public override ValueTask DisposeAsync() => _dataSource.DisposeAsync();
}
