using Akka.Configuration;
using Luban.Actors.Cluster;
using Luban.Seed;
using Luban.Seed.Dashboard;
using Luban.Tests.Support;

namespace Luban.Tests.Dashboard;

public sealed class DashboardSettingsSpecs
{
    [Theory]
    [InlineData("", 15 * 60)]
    [InlineData("luban.dashboard.history = 1m", 60)]
    [InlineData("luban.dashboard.history = 30m", 30 * 60)]
    [InlineData("luban.dashboard.history = 2h", 2 * 3600)]
    public void History_should_be_read_from_hocon(string hocon, int seconds)
    {
        var settings = DashboardSettings.Read(ConfigurationFactory.ParseString(hocon));

        Assert.Equal(TimeSpan.FromSeconds(seconds), settings.History);
    }

    [Fact]
    public void The_seed_file_should_keep_a_quarter_of_an_hour()
    {
        var settings = DashboardSettings.Read(LubanHocon.Load(Repo.HoconDirectory, ClusterRoles.Seed));

        Assert.Equal(TimeSpan.FromMinutes(15), settings.History);
    }

    [Theory]
    [InlineData("luban.dashboard.history = 0s")]
    [InlineData("luban.dashboard.history = 59s")]
    [InlineData("luban.dashboard.history = 3h")]
    [InlineData("luban.dashboard.history = soon")]
    [InlineData("luban.dashboard.history = infinite")]
    public void Invalid_history_should_stop_the_seed_naming_the_key(string hocon)
    {
        var options = TestCluster.SeedOptions();

        var error = Assert.Throws<ConfigurationError>(() =>
            SeedApp.Build(options, ConfigurationFactory.ParseString(hocon).WithFallback(TestCluster.TestOverrides)));

        Assert.Equal(DashboardSettings.HistoryKey, error.Key);
        Assert.Contains("luban.dashboard.history", error.Message, StringComparison.Ordinal);
        Assert.Contains("allowed: a duration from 1m to 2h", error.Message, StringComparison.Ordinal);
    }
}
