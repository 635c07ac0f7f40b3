using System.Data.Common;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Luban.FengShui.Scoring;
using Luban.Web.Api;
using Luban.Web.Storage;

namespace Luban.Web.Records;

/// <summary>One row of the records list.</summary>
public sealed record EvaluationSummary(
    string Id, DateTimeOffset CreatedAt, string? Label, string Model, string RulerProfile, string HouseType, decimal Total, string Grade,
    string Instance, bool Shared);

public sealed record EvaluationPage(IReadOnlyList<EvaluationSummary> Items, int Page, int PageSize, long Total);

public enum SaveStatus
{
    /// <summary>Stored now.</summary>
    Created,

    /// <summary>The key was used before within the window: the first result, nothing stored.</summary>
    Replayed,

    /// <summary>The key was used before for a different request.</summary>
    KeyReused,

    /// <summary>The key's record has since been deleted by its owner.</summary>
    KeyRecordDeleted,
}

public sealed record SaveOutcome(SaveStatus Status, EvaluationResult? Record);

/// <summary>
/// The records of §7.7, each belonging to one account: every read and write names the owner, so another account's
/// record is indistinguishable from a missing one. The record is one JSON document (source-generated serializer) with
/// list columns beside it; the label lives in its column (rename touches nothing else).
/// </summary>
public sealed class RecordStore(LubanDatabase database, TimeProvider clock)
{
    private const string SummaryColumns = "id, created_at, label, model, ruler_profile, house_type, total_tenths, grade, instance, share_token";

    /// <summary>
    /// Stores <paramref name="record"/> (its Id chosen by the caller) for <paramref name="owner"/>, honouring an
    /// Idempotency-Key: a key seen within the window answers the first record, and two concurrent requests with one key
    /// store one row (the key's primary key makes the second wait for the first and then find its row).
    /// </summary>
    public Task<SaveOutcome> SaveAsync(
        string owner, EvaluationResult record, string instance, string? key, string? bodyHash, CancellationToken cancellationToken) =>
        database.RunAsync(async connection =>
        {
            // Twice at most: a key row older than the window is removed and the insert tried again.
            for (var round = 0; ; round++)
            {
                await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
                var now = clock.GetUtcNow();
                if (key is not null)
                {
                    await using var claim = LubanDatabase.Command(connection,
                        "INSERT INTO record_requests (owner_id, idempotency_key, record_id, body_hash, created_at) " +
                        "VALUES (@owner, @key, @record, @hash, @created) ON CONFLICT DO NOTHING",
                        ("@owner", owner), ("@key", key), ("@record", record.Id), ("@hash", bodyHash ?? ""), ("@created", LubanDatabase.Time(now)));
                    claim.Transaction = transaction;
                    if (await claim.ExecuteNonQueryAsync(cancellationToken) == 0)
                    {
                        await transaction.RollbackAsync(cancellationToken);
                        var earlier = await EarlierAsync(connection, owner, key, record.Id, bodyHash, now, cancellationToken);
                        if (earlier is not null || round > 0)
                        {
                            return earlier ?? new SaveOutcome(SaveStatus.KeyReused, null);
                        }
                        continue;
                    }
                }
                await using var insert = LubanDatabase.Command(connection,
                    $"INSERT INTO records ({SummaryColumns}, owner_id, document) " +
                    "VALUES (@id, @created, @label, @model, @profile, @house, @total, @grade, @instance, NULL, @owner, @document)",
                    ("@id", record.Id), ("@created", LubanDatabase.Time(record.CreatedAt!.Value)), ("@label", record.Label),
                    ("@model", record.Model), ("@profile", record.RulerProfile.ToString()), ("@house", record.HouseType.ToString()),
                    ("@total", Tenths(record.Total)), ("@grade", record.Grade.ToString()), ("@instance", instance), ("@owner", owner),
                    ("@document", JsonSerializer.Serialize(record with { Saved = null }, AppJsonContext.Default.EvaluationResult)));
                insert.Transaction = transaction;
                try
                {
                    await insert.ExecuteNonQueryAsync(cancellationToken);
                }
                catch (DbException error) when (database.IsUniqueViolation(error))
                {
                    // Only this request knows the new id: a conflict on it is this request's own earlier attempt, which
                    // committed before its connection failed (see LubanDatabase.RunAsync).
                    await transaction.RollbackAsync(cancellationToken);
                    return new SaveOutcome(SaveStatus.Created, record with { Saved = true });
                }
                await transaction.CommitAsync(cancellationToken);
                return new SaveOutcome(SaveStatus.Created, record with { Saved = true });
            }
        }, cancellationToken);

    // The key is taken: answer from the first request, or null when that key row has expired (and is now removed).
    private async Task<SaveOutcome?> EarlierAsync(
        DbConnection connection, string owner, string key, string? ownId, string? bodyHash, DateTimeOffset now, CancellationToken cancellationToken)
    {
        string recordId, hash, created;
        await using (var find = LubanDatabase.Command(connection,
            "SELECT record_id, body_hash, created_at FROM record_requests WHERE owner_id = @owner AND idempotency_key = @key",
            ("@owner", owner), ("@key", key)))
        await using (var reader = await find.ExecuteReaderAsync(cancellationToken))
        {
            if (!await reader.ReadAsync(cancellationToken))
            {
                return null;
            }
            (recordId, hash, created) = (reader.GetString(0), reader.GetString(1), reader.GetString(2));
        }
        if (LubanDatabase.ParseTime(created) <= now - IdempotencyKey.Window)
        {
            await LubanDatabase.ExecuteAsync(connection,
                "DELETE FROM record_requests WHERE owner_id = @owner AND idempotency_key = @key AND created_at = @created",
                cancellationToken, ("@owner", owner), ("@key", key), ("@created", created));
            return null;
        }
        if (hash != (bodyHash ?? "") && recordId != ownId)
        {
            return new SaveOutcome(SaveStatus.KeyReused, null);
        }
        var first = await ReadOneAsync(connection, "id = @id AND owner_id = @owner", cancellationToken, ("@id", recordId), ("@owner", owner));
        return first is null
            ? new SaveOutcome(SaveStatus.KeyRecordDeleted, null)
            : new SaveOutcome(recordId == ownId ? SaveStatus.Created : SaveStatus.Replayed, first.Value.Record);
    }

    public Task<(EvaluationResult Record, bool Shared)?> GetAsync(string owner, string id, CancellationToken cancellationToken) =>
        database.RunAsync(c => ReadOneAsync(c, "id = @id AND owner_id = @owner", cancellationToken, ("@id", id), ("@owner", owner)), cancellationToken);

    /// <summary>A shared record by its token, for anyone holding the link.</summary>
    public async Task<EvaluationResult?> GetSharedAsync(string token, CancellationToken cancellationToken) =>
        (await database.RunAsync(c => ReadOneAsync(c, "share_token = @token", cancellationToken, ("@token", token)), cancellationToken))?.Record;

    public Task<EvaluationPage> ListAsync(string owner, RecordQuery query, CancellationToken cancellationToken) =>
        database.RunAsync(async connection =>
        {
            var where = new StringBuilder("owner_id = @owner");
            var parameters = new List<(string, object?)> { ("@owner", owner) };
            if (query.Search is { } search)
            {
                where.Append(@" AND LOWER(label) LIKE @search ESCAPE '\'");
                parameters.Add(("@search", "%" + EscapeLike(search.ToLowerInvariant()) + "%"));
            }
            if (query.Grade is { } grade)
            {
                where.Append(" AND grade = @grade");
                parameters.Add(("@grade", grade.ToString()));
            }
            if (query.HouseType is { } houseType)
            {
                where.Append(" AND house_type = @house");
                parameters.Add(("@house", houseType.ToString()));
            }
            var total = Convert.ToInt64(
                await LubanDatabase.ScalarAsync(connection, $"SELECT COUNT(*) FROM records WHERE {where}", cancellationToken, [.. parameters]),
                CultureInfo.InvariantCulture);
            var order = query.Sort switch
            {
                RecordSort.DateAsc => "created_at ASC, id ASC",
                RecordSort.ScoreDesc => "total_tenths DESC, created_at DESC, id DESC",
                RecordSort.ScoreAsc => "total_tenths ASC, created_at DESC, id DESC",
                _ => "created_at DESC, id DESC",
            };
            parameters.Add(("@limit", query.PageSize));
            parameters.Add(("@offset", query.Offset));
            await using var command = LubanDatabase.Command(connection,
                $"SELECT {SummaryColumns} FROM records WHERE {where} ORDER BY {order} LIMIT @limit OFFSET @offset", [.. parameters]);
            var items = new List<EvaluationSummary>();
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                items.Add(new EvaluationSummary(
                    reader.GetString(0), LubanDatabase.ParseTime(reader.GetString(1)), reader.IsDBNull(2) ? null : reader.GetString(2),
                    reader.GetString(3), reader.GetString(4), reader.GetString(5),
                    Convert.ToInt64(reader.GetValue(6), CultureInfo.InvariantCulture) / 10m, reader.GetString(7), reader.GetString(8),
                    !reader.IsDBNull(9)));
            }
            return new EvaluationPage(items, query.Page, query.PageSize, total);
        }, cancellationToken);

    /// <summary>Every record of the owner, oldest first, for the CSV export.</summary>
    public Task<List<(EvaluationResult Record, bool Shared)>> ExportAsync(string owner, CancellationToken cancellationToken) =>
        database.RunAsync(async connection =>
        {
            await using var command = LubanDatabase.Command(connection,
                "SELECT document, label, share_token FROM records WHERE owner_id = @owner ORDER BY created_at, id", ("@owner", owner));
            var rows = new List<(EvaluationResult, bool)>();
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                rows.Add(Read(reader));
            }
            return rows;
        }, cancellationToken);

    public async Task<bool> RenameAsync(string owner, string id, string? label, CancellationToken cancellationToken) =>
        await database.RunAsync(c => LubanDatabase.ExecuteAsync(c, "UPDATE records SET label = @label WHERE id = @id AND owner_id = @owner",
            cancellationToken, ("@label", label), ("@id", id), ("@owner", owner)), cancellationToken) > 0;

    /// <summary>Deletes the record (a replay after a lost reply finds it gone and still answers "deleted").</summary>
    public async Task<bool> DeleteAsync(string owner, string id, CancellationToken cancellationToken) =>
        await database.RunAsync(c => LubanDatabase.ExecuteAsync(c, "DELETE FROM records WHERE id = @id AND owner_id = @owner",
            cancellationToken, ("@id", id), ("@owner", owner)), cancellationToken) > 0;

    /// <summary>The record's share token: the existing one, or <paramref name="newToken"/> now; null when not the owner's.</summary>
    public Task<string?> ShareAsync(string owner, string id, string newToken, CancellationToken cancellationToken) =>
        database.RunAsync(async connection =>
        {
            await LubanDatabase.ExecuteAsync(connection,
                "UPDATE records SET share_token = @token WHERE id = @id AND owner_id = @owner AND share_token IS NULL",
                cancellationToken, ("@token", newToken), ("@id", id), ("@owner", owner));
            return await LubanDatabase.ScalarAsync(connection, "SELECT share_token FROM records WHERE id = @id AND owner_id = @owner",
                cancellationToken, ("@id", id), ("@owner", owner)) as string;
        }, cancellationToken);

    /// <summary>Revokes the link: the old token reads nothing from now on. False when the record is not the owner's.</summary>
    public async Task<bool> UnshareAsync(string owner, string id, CancellationToken cancellationToken) =>
        await database.RunAsync(c => LubanDatabase.ExecuteAsync(c, "UPDATE records SET share_token = NULL WHERE id = @id AND owner_id = @owner",
            cancellationToken, ("@id", id), ("@owner", owner)), cancellationToken) > 0;

    /// <summary>Forgets Idempotency-Keys older than the window.</summary>
    public Task<int> PurgeRequestsAsync(CancellationToken cancellationToken) =>
        database.RunAsync(c => LubanDatabase.ExecuteAsync(c, "DELETE FROM record_requests WHERE created_at < @cutoff",
            cancellationToken, ("@cutoff", LubanDatabase.Time(clock.GetUtcNow() - IdempotencyKey.Window))), cancellationToken);

    private static async Task<(EvaluationResult Record, bool Shared)?> ReadOneAsync(
        DbConnection connection, string where, CancellationToken cancellationToken, params (string, object?)[] parameters)
    {
        await using var command = LubanDatabase.Command(connection, $"SELECT document, label, share_token FROM records WHERE {where}", parameters);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Read(reader) : null;
    }

    private static (EvaluationResult, bool) Read(DbDataReader reader)
    {
        var record = JsonSerializer.Deserialize(reader.GetString(0), AppJsonContext.Default.EvaluationResult)!;
        return (record with { Label = reader.IsDBNull(1) ? null : reader.GetString(1), Saved = true }, !reader.IsDBNull(2));
    }

    private static long Tenths(decimal total) => (long)decimal.Round(total * 10m, 0, MidpointRounding.AwayFromZero);

    private static string EscapeLike(string text) =>
        text.Replace(@"\", @"\\", StringComparison.Ordinal).Replace("%", @"\%", StringComparison.Ordinal).Replace("_", @"\_", StringComparison.Ordinal);
}
