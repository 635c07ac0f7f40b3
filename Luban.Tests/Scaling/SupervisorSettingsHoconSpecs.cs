using Akka.Configuration;
using Luban.Actors.Cluster;
using Luban.Actors.Scaling;
using Luban.Tests.Support;

namespace Luban.Tests.Scaling;

public sealed class SupervisorSettingsHoconSpecs
{
    private static Config Seed(string overrides) =>
        ConfigurationFactory.ParseString(overrides).WithFallback(LubanHocon.Load(Repo.HoconDirectory, ClusterRoles.Seed));

    [Fact]
    public void Shipped_seed_hocon_should_read_as_the_papers_defaults()
    {
        var settings = PolicyTable.Read(Seed(""));

        Assert.Equal((100, 0.60, 0.10, 2, 6), (settings.Policy.SMax, settings.Policy.TUpper, settings.Policy.TLower,
            settings.Policy.MinTotalVms, settings.Policy.MaxTotalVms));
        Assert.Equal((1, 3), (settings.Policy.DefaultHostMinVms, settings.Policy.DefaultHostMaxVms));
        Assert.Equal("B", settings.Policy.PreferredHostOrder[0].Value);
        Assert.Equal(TimeSpan.FromSeconds(5), settings.Policy.TickInterval);
    }

    [Fact]
    public void The_papers_five_minute_interval_should_be_one_line_away()
    {
        var settings = PolicyTable.Read(Seed("luban.scaling.tick-interval = 5m"));

        Assert.Equal(TimeSpan.FromMinutes(5), settings.Policy.TickInterval);
    }

    [Theory]
    [InlineData("luban.scaling.t-lower = 0.7", "luban.scaling.t-lower")]
    [InlineData("luban.scaling.t-upper = 1.5", "luban.scaling.t-upper")]
    [InlineData("luban.scaling.min-vms = 7", "luban.scaling.min-vms")]
    [InlineData("luban.scaling.host-min-vms = 4", "luban.scaling.host-min-vms")]
    [InlineData("luban.scaling.s-max = lots", "luban.scaling.s-max")]
    [InlineData("luban.scaling.tick-interval = soon", "luban.scaling.tick-interval")]
    [InlineData("luban.scaling.tick-interval = 0s", "luban.scaling.tick-interval")]
    [InlineData("luban.scaling.drain-deadline = -1s", "luban.scaling.drain-deadline")]
    [InlineData("luban.scaling.event-log-size = 0", "luban.scaling.event-log-size")]
    public void Invalid_value_should_stop_start_up_naming_its_key(string line, string key)
    {
        var error = Assert.Throws<ConfigurationError>(() => PolicyTable.Read(Seed(line)));

        Assert.Equal(key, error.Key);
        Assert.Contains(key, error.Message);
    }

    [Fact]
    public void Seed_process_with_an_invalid_policy_should_exit_non_zero_naming_the_key()
    {
        var hocon = Directory.CreateTempSubdirectory("luban-hocon-").FullName;
        foreach (var file in Directory.GetFiles(Repo.HoconDirectory)) File.Copy(file, Path.Combine(hocon, Path.GetFileName(file)));
        File.AppendAllText(Path.Combine(hocon, "seed.hocon"), "\nluban.scaling { t-lower = 0.6, t-upper = 0.6 }\n");
        using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("dotnet",
            [Path.Combine(AppContext.BaseDirectory, "Luban.Seed.dll"), "--hocon-dir", hocon, "--certs", TestCertificates.Directory, "--port", "0",
                "--admin-url", "http://127.0.0.1:0", "--public-url", "http://127.0.0.1:0"])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        })!;
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();

        Assert.Equal(2, process.ExitCode);
        Assert.Contains("luban.scaling.t-lower", stderr);
    }
}
