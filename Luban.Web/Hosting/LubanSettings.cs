using System.Text.RegularExpressions;
using Npgsql;

namespace Luban.Web.Hosting;

public enum StoreKind { Sqlite, Postgres }

/// <summary>A configuration value that stops start-up; Key names it in the one line printed.</summary>
public sealed class InvalidSettingException(string key, string reason) : Exception($"invalid configuration: {key}: {reason}")
{
    public string Key { get; } = key;
}

/// <summary>Settings from the command line (--connection-string, --instance, --urls) or env LUBAN_DB / LUBAN_INSTANCE.</summary>
public sealed partial record LubanSettings(string Instance, StoreKind Store, string ConnectionString)
{
    public const string DefaultSqlite = "Data Source=luban.db";

    public static LubanSettings From(IConfiguration configuration)
    {
        var instance = configuration["instance"] ?? configuration["LUBAN_INSTANCE"] ?? Environment.MachineName;
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
        var connection = configuration["connection-string"] ?? configuration["LUBAN_DB"];
        if (string.IsNullOrWhiteSpace(connection))
        {
            if (connection is not null)
            {
                throw new InvalidSettingException("connection-string", "empty");
            }
            return new LubanSettings(instance, StoreKind.Sqlite, DefaultSqlite);
        }
        return new LubanSettings(instance, KindOf(connection), connection);
    }

    // "Data Source=…" (or a bare *.db path) is SQLite; anything else must be a PostgreSQL key=value string with a Host.
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
            throw new InvalidSettingException("connection-string", ex.Message);
        }
    }

    [GeneratedRegex("^[A-Za-z0-9._-]{1,63}$")]
    private static partial Regex InstanceName();
}
