using Luban.Web.Hosting;
using Microsoft.Extensions.Configuration;

namespace Luban.Tests.Web;

public class SettingsSpecs
{
    private static LubanSettings Read(params string[] args) =>
        LubanSettings.From(new ConfigurationBuilder().AddCommandLine(args).Build());

    private static LubanSettings ReadEnvironment(Dictionary<string, string?> variables) =>
        LubanSettings.From(new ConfigurationBuilder().AddInMemoryCollection(variables).Build());

    [Theory]
    [InlineData("--instance", "bad name!", "instance")]
    [InlineData("--connection-string", "Foo=bar", "connection-string")]
    [InlineData("--connection-string", "Port=5432", "connection-string")]
    [InlineData("--connection-string", " ", "connection-string")]
    [InlineData("--urls", "nonsense", "urls")]
    [InlineData("--mode", "swarm", "mode")]
    [InlineData("--mode", "cluster", "connection-string")]
    [InlineData("--lockout-attempts", "0", "lockout-attempts")]
    [InlineData("--lockout-seconds", "five", "lockout-seconds")]
    [InlineData("--session-check-seconds", "-1", "session-check-seconds")]
    [InlineData("--public-url", "ftp://x", "public-url")]
    [InlineData("--password-iterations", "9999", "password-iterations")]
    [InlineData("--connection-string-file", "/nonexistent/luban-db", "connection-string-file")]
    public void Settings_should_reject_invalid_configuration_naming_the_key(string flag, string value, string key)
    {
        var error = Assert.Throws<InvalidSettingException>(() => Read(flag, value));

        Assert.Equal(key, error.Key);
        Assert.StartsWith($"invalid configuration: {key}:", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Theory]
    [InlineData(null, StoreKind.Sqlite)]
    [InlineData("Data Source=/tmp/x.db", StoreKind.Sqlite)]
    [InlineData("Host=10.0.2.2;Username=luban;Database=luban", StoreKind.Postgres)]
    public void Settings_should_pick_the_store_from_the_connection_string(string? connection, StoreKind expected)
    {
        var settings = ReadEnvironment(new() { ["LUBAN_DB"] = connection, ["LUBAN_INSTANCE"] = "vm-1" });

        Assert.Equal((expected, "vm-1", RunMode.Single), (settings.Store, settings.Instance, settings.Mode));
    }

    [Fact]
    public void Cluster_mode_should_refuse_sqlite_and_say_why()
    {
        var error = Assert.Throws<InvalidSettingException>(() => ReadEnvironment(new() { ["LUBAN_MODE"] = "cluster", ["LUBAN_DB"] = "Data Source=x.db" }));

        Assert.Contains("PostgreSQL", error.Message);
    }

    [Fact]
    public void Cluster_mode_should_read_the_connection_string_from_a_file_and_never_print_its_password()
    {
        var file = Path.GetTempFileName();
        File.WriteAllText(file, "Host=10.0.2.100;Port=5432;Username=luban;Password=s3cret-pw;Database=luban\n");
        try
        {
            var settings = ReadEnvironment(new() { ["LUBAN_MODE"] = "cluster", ["LUBAN_DB_FILE"] = file, ["LUBAN_INSTANCE"] = "vm-1" });

            Assert.Equal((RunMode.Cluster, StoreKind.Postgres), (settings.Mode, settings.Store));
            Assert.Contains("Password=s3cret-pw", settings.ConnectionString);
            Assert.Equal("luban-web vm-1: cluster mode: records in PostgreSQL at 10.0.2.100:5432/luban as luban", settings.StartupNotice);
            Assert.DoesNotContain("s3cret", settings.StartupNotice);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void A_connection_string_and_a_connection_string_file_together_should_be_refused()
    {
        var error = Assert.Throws<InvalidSettingException>(() => Read("--connection-string", "Data Source=x.db", "--connection-string-file", "/etc/hostname"));

        Assert.Equal("connection-string", error.Key);
    }

    [Fact]
    public void Single_machine_mode_with_sqlite_should_say_so_at_start()
    {
        var settings = Read("--instance", "dev");

        Assert.Equal(StoreKind.Sqlite, settings.Store);
        Assert.StartsWith("luban-web dev: single-machine mode: records in SQLite", settings.StartupNotice);
        Assert.Contains("not shared", settings.StartupNotice);
    }

    [Fact]
    public void Defaults_should_be_five_attempts_five_minutes_and_a_30_second_session_check()
    {
        var settings = Read();

        Assert.Equal((5, TimeSpan.FromMinutes(5)), (settings.Lockout.MaxFailedAttempts, settings.Lockout.Duration));
        Assert.Equal(TimeSpan.FromSeconds(30), settings.SessionCheck);
        Assert.Equal(100_000, settings.PasswordIterations);
        Assert.Null(settings.PublicUrl);
        Assert.False(settings.PublicHttps);
    }

    [Fact]
    public void An_https_public_url_should_make_cookies_secure()
    {
        Assert.True(Read("--public-url", "https://luban.example.org").PublicHttps);
    }
}
