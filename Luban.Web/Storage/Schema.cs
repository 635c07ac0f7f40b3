using System.Data.Common;

namespace Luban.Web.Storage;

/// <summary>
/// The tables, created with ordinary CREATE … IF NOT EXISTS in the connected database (no superuser rights needed).
/// One text form for both engines: times as fixed-width ISO-8601 UTC text, totals as integer tenths (882 = 88.2), so
/// sorting by date or score is the same on SQLite and PostgreSQL.
/// </summary>
public static class Schema
{
    private static readonly string[] Statements =
    [
        """
        CREATE TABLE IF NOT EXISTS accounts (
            id TEXT PRIMARY KEY,
            email TEXT NOT NULL UNIQUE,
            password_hash TEXT NOT NULL,
            security_stamp TEXT NOT NULL,
            created_at TEXT NOT NULL,
            failed_signins INTEGER NOT NULL DEFAULT 0,
            locked_until TEXT NULL)
        """,
        """
        CREATE TABLE IF NOT EXISTS records (
            id TEXT PRIMARY KEY,
            owner_id TEXT NOT NULL,
            created_at TEXT NOT NULL,
            label TEXT NULL,
            model TEXT NOT NULL,
            ruler_profile TEXT NOT NULL,
            house_type TEXT NOT NULL,
            total_tenths INTEGER NOT NULL,
            grade TEXT NOT NULL,
            instance TEXT NOT NULL,
            share_token TEXT NULL UNIQUE,
            document TEXT NOT NULL)
        """,
        "CREATE INDEX IF NOT EXISTS records_owner_created ON records (owner_id, created_at, id)",
        "CREATE INDEX IF NOT EXISTS records_owner_total ON records (owner_id, total_tenths, id)",
        // One row per (owner, Idempotency-Key): the primary key is what keeps two concurrent retries to one record.
        """
        CREATE TABLE IF NOT EXISTS record_requests (
            owner_id TEXT NOT NULL,
            idempotency_key TEXT NOT NULL,
            record_id TEXT NOT NULL,
            body_hash TEXT NOT NULL,
            created_at TEXT NOT NULL,
            PRIMARY KEY (owner_id, idempotency_key))
        """,
        "CREATE INDEX IF NOT EXISTS record_requests_created ON record_requests (created_at)",
        // The Data Protection key ring every instance shares (cookies and antiforgery tokens from any VM work on all).
        """
        CREATE TABLE IF NOT EXISTS data_protection_keys (
            friendly_name TEXT PRIMARY KEY,
            xml TEXT NOT NULL,
            created_at TEXT NOT NULL)
        """,
    ];

    public static async Task CreateAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        foreach (var sql in Statements)
        {
            await LubanDatabase.ExecuteAsync(connection, sql, cancellationToken);
        }
    }
}
