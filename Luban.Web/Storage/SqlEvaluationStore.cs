using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using Luban.FengShui.Scoring;
using Luban.Web.Api;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Luban.Web.Storage;

/// <summary>
/// Plain ADO.NET over either provider: the SQL below is the common subset of SQLite and PostgreSQL, and the record
/// itself is one JSON document (source-generated serializer), with list columns beside it.
/// </summary>
public abstract class SqlEvaluationStore : IEvaluationStore
{
    private const string Columns = "id, created_at, label, model, ruler_profile, house_type, total, grade, instance";

    protected abstract DbConnection CreateConnection();

    protected abstract string CreateTableSql { get; }

    protected virtual Task PrepareAsync(DbConnection connection, CancellationToken cancellationToken) => Task.CompletedTask;

    public virtual async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await ExecuteAsync(connection, CreateTableSql, cancellationToken);
        await ExecuteAsync(connection, "CREATE INDEX IF NOT EXISTS evaluations_created ON evaluations (created_at DESC, id DESC)", cancellationToken);
    }

    public async Task AddAsync(EvaluationResult record, string instance, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText =
            $"INSERT INTO evaluations ({Columns}, document) VALUES (@id, @created, @label, @model, @profile, @house, @total, @grade, @instance, @document)";
        Add(command, "@id", record.Id);
        Add(command, "@created", record.CreatedAt!.Value.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
        Add(command, "@label", record.Label);
        Add(command, "@model", record.Model);
        Add(command, "@profile", record.RulerProfile.ToString());
        Add(command, "@house", record.HouseType.ToString());
        Add(command, "@total", record.Total.ToString(CultureInfo.InvariantCulture));
        Add(command, "@grade", record.Grade.ToString());
        Add(command, "@instance", instance);
        Add(command, "@document", JsonSerializer.Serialize(record, AppJsonContext.Default.EvaluationResult));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<EvaluationResult?> GetAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT document FROM evaluations WHERE id = @id";
        Add(command, "@id", id);
        return await command.ExecuteScalarAsync(cancellationToken) is not string document ? null : JsonSerializer.Deserialize(document, AppJsonContext.Default.EvaluationResult);
    }

    public async Task<EvaluationPage> ListAsync(int page, int pageSize, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        long total;
        await using (var count = connection.CreateCommand())
        {
            count.CommandText = "SELECT COUNT(*) FROM evaluations";
            total = Convert.ToInt64(await count.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
        }
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM evaluations ORDER BY created_at DESC, id DESC LIMIT @limit OFFSET @offset";
        Add(command, "@limit", pageSize);
        Add(command, "@offset", (page - 1) * pageSize);
        var items = new List<EvaluationSummary>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            items.Add(new EvaluationSummary(
                reader.GetString(0),
                DateTimeOffset.Parse(reader.GetString(1), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal),
                reader.IsDBNull(2) ? null : reader.GetString(2),
                reader.GetString(3), reader.GetString(4), reader.GetString(5),
                decimal.Parse(reader.GetString(6), CultureInfo.InvariantCulture),
                reader.GetString(7), reader.GetString(8)));
        }
        return new EvaluationPage(items, page, pageSize, total);
    }

    public async Task<bool> PingAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await OpenAsync(cancellationToken);
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT COUNT(*) FROM evaluations WHERE 1 = 0";
            await command.ExecuteScalarAsync(cancellationToken);
            return true;
        }
        catch (DbException)
        {
            return false;
        }
    }

    private async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = CreateConnection();
        await connection.OpenAsync(cancellationToken);
        await PrepareAsync(connection, cancellationToken);
        return connection;
    }

    protected static async Task ExecuteAsync(DbConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static void Add(DbCommand command, string name, object? value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value ?? DBNull.Value;
        command.Parameters.Add(parameter);
    }

    // Text columns for time and total keep one schema for both engines; ISO-8601 UTC text sorts in time order.
    protected const string TableBody =
        "(id TEXT PRIMARY KEY, created_at TEXT NOT NULL, label TEXT, model TEXT NOT NULL, ruler_profile TEXT NOT NULL, " +
        "house_type TEXT NOT NULL, total TEXT NOT NULL, grade TEXT NOT NULL, instance TEXT NOT NULL, document TEXT NOT NULL)";
}

public sealed class SqliteEvaluationStore(string connectionString) : SqlEvaluationStore
{
    // Writers wait for the lock instead of failing: several processes on one file lose nothing.
    private readonly string _connectionString = new SqliteConnectionStringBuilder(connectionString) { DefaultTimeout = 30, Pooling = true }.ToString();

    protected override string CreateTableSql => "CREATE TABLE IF NOT EXISTS evaluations " + TableBody;

    protected override DbConnection CreateConnection() => new SqliteConnection(_connectionString);

    protected override Task PrepareAsync(DbConnection connection, CancellationToken cancellationToken) =>
        ExecuteAsync(connection, "PRAGMA busy_timeout = 30000", cancellationToken);

    public override async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await using (var connection = CreateConnection())
        {
            await connection.OpenAsync(cancellationToken);
            await ExecuteAsync(connection, "PRAGMA journal_mode = WAL", cancellationToken);
        }
        await base.InitializeAsync(cancellationToken);
    }
}

public sealed class PostgresEvaluationStore(string connectionString) : SqlEvaluationStore, IAsyncDisposable
{
    // The slim builder leaves out the reflection-heavy type plugins, which keeps the NativeAOT binary small and safe.
    private readonly NpgsqlDataSource _dataSource = new NpgsqlSlimDataSourceBuilder(connectionString).Build();

    protected override string CreateTableSql => "CREATE TABLE IF NOT EXISTS evaluations " + TableBody;

    protected override DbConnection CreateConnection() => _dataSource.CreateConnection();

    public override async Task InitializeAsync(CancellationToken cancellationToken)
    {
        // Instances booting together would race on CREATE TABLE; an advisory lock serialises the schema step.
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await ExecuteAsync(connection, "SELECT pg_advisory_lock(7406131)", cancellationToken);
        try
        {
            await ExecuteAsync(connection, CreateTableSql, cancellationToken);
            await ExecuteAsync(connection, "CREATE INDEX IF NOT EXISTS evaluations_created ON evaluations (created_at DESC, id DESC)", cancellationToken);
        }
        finally
        {
            await ExecuteAsync(connection, "SELECT pg_advisory_unlock(7406131)", cancellationToken);
        }
    }

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();
}
