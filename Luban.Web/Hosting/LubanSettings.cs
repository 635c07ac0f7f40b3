using System.Globalization;
using System.Text.RegularExpressions;
using Npgsql;

namespace Luban.Web.Hosting;

public enum StoreKind { Sqlite, Postgres }

/// <summary>
/// Where the service runs: one machine (records may live in a local SQLite file) or a cluster (records live only in
/// the shared PostgreSQL database, so a VM never holds a record it would lose at scale-in).
/// </summary>
public enum RunMode { Single, Cluster }

/// <summary>A configuration value that stops start-up; Key names it in the one line printed.</summary>
public sealed class InvalidSettingException(string key, string reason) : Exception($"invalid configuration: {key}: {reason}")
{
    public string Key { get; } = key;
}

/// <summary>How many failed sign-ins in a row lock an account, and for how long.</summary>
public sealed record LockoutSettings(int MaxFailedAttempts, TimeSpan Duration)
{
    public static LockoutSettings Default { get; } = new(5, TimeSpan.FromMinutes(5));
}

/// <summary>
/// Settings from the command line (<c>--key value</c>), then the environment, then the default; see the README's
/// settings table. Each bad value throws <see cref="InvalidSettingException"/> naming its key.
/// </summary>
public sealed partial record LubanSettings(
    string Instance,
    RunMode Mode,
    StoreKind Store,
    string ConnectionString,
    LockoutSettings Lockout,
    Uri? PublicUrl,
    TimeSpan SessionCheck,
    int PasswordIterations = LubanSettings.DefaultPasswordIterations)
{
    /// <summary>ASP.NET Core Identity's own default (PBKDF2-HMAC-SHA512).</summary>
    public const int DefaultPasswordIterations = 100_000;

    public const string DefaultSqlite = "Data Source=luban.db";

    /// <summary>Seconds a client is told to wait (Retry-After) when the records database is unavailable.</summary>
    public const int DatabaseRetryAfterSeconds = 5;

    /// <summary>True when the service is reached over HTTPS, so the session cookie is always marked Secure.</summary>
    public bool PublicHttps => PublicUrl?.Scheme == Uri.UriSchemeHttps;

    /// <summary>The one line printed at start: where records live, so nobody mistakes a VM's SQLite for shared storage.</summary>
    public string StartupNotice => Store == StoreKind.Sqlite
        ? $"luban-web {Instance}: single-machine mode: records in SQLite ({ConnectionString}); not shared with other instances (use --mode cluster with PostgreSQL for a cluster)"
        : $"luban-web {Instance}: {(Mode == RunMode.Cluster ? "cluster" : "single-machine")} mode: records in PostgreSQL at {DescribePostgres(ConnectionString)}";

    public static LubanSettings From(IConfiguration configuration)
    {
        var instance = Value(configuration, "instance", "LUBAN_INSTANCE") ?? Environment.MachineName;
        if (!InstanceName().IsMatch(instance))
        {
            throw new InvalidSettingException("instance", "use 1–63 letters, digits, '.', '_' or '-'");
        }
        foreach (var url in (configuration["urls"] ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            try
            {
                Microsoft.AspNetCore.Http.BindingAddress.Parse(url);
            }
            catch (FormatException)
            {
                throw new InvalidSettingException("urls", $"'{url}' is not a URL such as http://0.0.0.0:8080");
            }
        }
        var mode = ReadMode(Value(configuration, "mode", "LUBAN_MODE"));
        var connection = ReadConnectionString(configuration);
        var store = connection is null ? StoreKind.Sqlite : KindOf(connection);
        if (mode == RunMode.Cluster && store != StoreKind.Postgres)
        {
            throw new InvalidSettingException("connection-string",
                "cluster mode keeps records only in the shared PostgreSQL database: give --connection-string-file (LUBAN_DB_FILE) " +
                "or --connection-string (LUBAN_DB) with Host=…");
        }
        var lockout = new LockoutSettings(
            Integer(configuration, "lockout-attempts", "LUBAN_LOCKOUT_ATTEMPTS", LockoutSettings.Default.MaxFailedAttempts, 1, 100),
            TimeSpan.FromSeconds(Integer(configuration, "lockout-seconds", "LUBAN_LOCKOUT_SECONDS", (int)LockoutSettings.Default.Duration.TotalSeconds, 1, 86_400)));
        // How often a session is checked against its account (a password change ends the other sessions within this).
        var sessionCheck = TimeSpan.FromSeconds(Integer(configuration, "session-check-seconds", "LUBAN_SESSION_CHECK_SECONDS", 30, 0, 3600));
        // Stored hashes keep their own count; a higher setting upgrades each at its owner's next sign-in.
        var iterations = Integer(configuration, "password-iterations", "LUBAN_PASSWORD_ITERATIONS", DefaultPasswordIterations, 10_000, 10_000_000);
        return new LubanSettings(instance, mode, store, connection ?? DefaultSqlite, lockout,
            ReadPublicUrl(Value(configuration, "public-url", "LUBAN_PUBLIC_URL")), sessionCheck, iterations);
    }

    private static string? Value(IConfiguration configuration, string flag, string variable) => configuration[flag] ?? configuration[variable];

    private static RunMode ReadMode(string? text) => text switch
    {
        null or "single" => RunMode.Single,
        "cluster" => RunMode.Cluster,
        _ => throw new InvalidSettingException("mode", $"'{text}'; allowed: single, cluster"),
    };

    // The string itself (--connection-string, LUBAN_DB) or a file holding it (--connection-string-file, LUBAN_DB_FILE),
    // so a password never has to appear on a command line or in a kernel command line.
    private static string? ReadConnectionString(IConfiguration configuration)
    {
        var inline = Value(configuration, "connection-string", "LUBAN_DB");
        var file = Value(configuration, "connection-string-file", "LUBAN_DB_FILE");
        if (inline is not null && file is not null)
        {
            throw new InvalidSettingException("connection-string", "give either a connection string or a connection-string file, not both");
        }
        if (file is not null)
        {
            string text;
            try
            {
                text = File.ReadAllText(file);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                throw new InvalidSettingException("connection-string-file", $"cannot read '{file}': {ex.Message}");
            }
            // One line: a trailing newline from `echo` or an editor is not part of the string.
            inline = text.Trim();
            if (inline.Length == 0 || inline.Contains('\n', StringComparison.Ordinal))
            {
                throw new InvalidSettingException("connection-string-file", $"'{file}' must hold one line, the connection string");
            }
        }
        if (inline is not null && string.IsNullOrWhiteSpace(inline))
        {
            throw new InvalidSettingException("connection-string", "empty");
        }
        return inline;
    }

    // "Data Source=…" is SQLite; anything else must be a PostgreSQL key=value string with a Host.
    private static StoreKind KindOf(string connection)
    {
        if (connection.StartsWith("Data Source=", StringComparison.OrdinalIgnoreCase))
        {
            return StoreKind.Sqlite;
        }
        try
        {
            var builder = new NpgsqlConnectionStringBuilder(connection);
            if (string.IsNullOrWhiteSpace(builder.Host))
            {
                throw new InvalidSettingException("connection-string", "PostgreSQL connection string needs Host=");
            }
            return StoreKind.Postgres;
        }
        catch (ArgumentException ex)
        {
            // The message names the offending keyword only, never the value (which may be a password).
            throw new InvalidSettingException("connection-string", ex.Message);
        }
    }

    /// <summary>Host, port, database and user only: a connection string is never printed whole (it may carry a password).</summary>
    public static string DescribePostgres(string connection)
    {
        var builder = new NpgsqlConnectionStringBuilder(connection);
        return $"{builder.Host}:{builder.Port}/{builder.Database} as {builder.Username}";
    }

    private static int Integer(IConfiguration configuration, string flag, string variable, int fallback, int min, int max)
    {
        var text = Value(configuration, flag, variable);
        if (text is null)
        {
            return fallback;
        }
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            throw new InvalidSettingException(flag, $"'{text}'; allowed: an integer {min}..{max}");
        }
        return value;
    }

    private static Uri? ReadPublicUrl(string? text)
    {
        if (text is null)
        {
            return null;
        }
        if (Uri.TryCreate(text, UriKind.Absolute, out var url) && url.Scheme is "http" or "https" && url.Query.Length == 0)
        {
            return url;
        }
        throw new InvalidSettingException("public-url", $"'{text}' is not an http:// or https:// URL such as https://luban.example.org");
    }

    [GeneratedRegex("^[A-Za-z0-9._-]{1,63}$")]
    private static partial Regex InstanceName();
}
