using System.Collections.Immutable;
using Akka.Configuration;
using Luban.Actors.Cluster;
using Luban.Actors.Scaling;
using Luban.Protocol;
using Luban.Tests.Support;

namespace Luban.Tests.Scaling;

/// <summary>The one table of <c>luban.scaling</c> keys: HOCON, <c>policy set</c> and <c>policy show</c> agree.</summary>
public sealed class PolicyTableSpecs
{
    private static readonly SupervisorSettings Defaults = new();

    [Fact]
    public void Every_key_of_the_shipped_seed_hocon_should_be_in_the_table_and_every_entry_in_the_file()
    {
        var shipped = LubanHocon.Load(Repo.HoconDirectory, ClusterRoles.Seed).GetConfig("luban.scaling").AsEnumerable()
            .Select(pair => pair.Key).Order(StringComparer.Ordinal).ToList();

        Assert.Equal(shipped, PolicyTable.Entries.Select(e => e.Name).Order(StringComparer.Ordinal).ToList());
    }

    [Fact]
    public void Shown_values_should_read_back_to_the_same_settings_through_hocon_and_through_policy_set()
    {
        var settings = Defaults with
        {
            Policy = Defaults.Policy with { TUpper = 0.7, TickInterval = TimeSpan.FromMinutes(5), PreferredHostOrder = [new("C"), new("B")] },
            DrainDeadline = TimeSpan.FromMilliseconds(1500),
        };
        var shown = PolicyTable.Show(settings);

        var hocon = string.Join("\n", shown.Select(v => $"luban.scaling.{v.Key} = {v.Value}"));
        var fromHocon = PolicyTable.Read(ConfigurationFactory.ParseString(hocon));
        var viaSet = shown.Where(v => v.Settable)
            .Aggregate(Defaults, (s, v) => PolicyTable.Apply(s, v.Key, v.Value, out _) ?? throw new Xunit.Sdk.XunitException(v.Key));

        foreach (var entry in PolicyTable.Entries)
        {
            Assert.Equal(entry.Show(settings), entry.Show(fromHocon));
            if (entry.OperatorMaySet) Assert.Equal(entry.Show(settings), entry.Show(viaSet));
        }
    }

    [Theory]
    [InlineData("t-upper", "0.7", "0.7")]
    [InlineData("luban.scaling.t-upper", "0.75", "0.75")]
    [InlineData("s-max", "120", "120")]
    [InlineData("tick-interval", "5m", "5m")]
    [InlineData("tick-interval", "300s", "5m")]
    [InlineData("drain-deadline", "500ms", "500ms")]
    [InlineData("preferred-hosts", "C,B", "[C, B]")]
    [InlineData("preferred-hosts", "[C, B]", "[C, B]")]
    public void Policy_set_should_parse_each_kind_itself(string key, string value, string shown)
    {
        var updated = PolicyTable.Apply(Defaults, key, value, out var problem);

        Assert.Null(problem);
        var name = key.Replace("luban.scaling.", "", StringComparison.Ordinal);
        Assert.Equal(shown, PolicyTable.Entries.Single(e => e.Name == name).Show(updated!));
    }

    [Theory]
    [InlineData("t-upper", "${?HOME}", "luban.scaling.t-upper")]
    [InlineData("t-upper", "0.6 # comment", "luban.scaling.t-upper")]
    [InlineData("s-max", "1e3", "luban.scaling.s-max")]
    [InlineData("tick-interval", "soon", "luban.scaling.tick-interval")]
    [InlineData("tick-interval", "0s", "luban.scaling.tick-interval")]
    [InlineData("drain-deadline", "-1s", "luban.scaling.drain-deadline")]
    [InlineData("preferred-hosts", "b,c", "luban.scaling.preferred-hosts")]
    [InlineData("preferred-hosts", "B,${?USER}", "luban.scaling.preferred-hosts")]
    [InlineData("t-lower", "0.6", "luban.scaling.t-lower")]
    [InlineData("start-timeout", "10s", "start-timeout")]
    [InlineData("no-such-key", "1", "no-such-key")]
    public void Policy_set_should_refuse_naming_the_key_and_never_read_substitutions(string key, string value, string named)
    {
        var updated = PolicyTable.Apply(Defaults, key, value, out var problem);

        Assert.Null(updated);
        Assert.Contains(named, problem);
        Assert.DoesNotContain(Environment.GetEnvironmentVariable("HOME") ?? "/root", problem!.Replace(value, "", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(5, "5s")]
    [InlineData(300, "5m")]
    [InlineData(90, "90s")]
    [InlineData(0.5, "500ms")]
    public void Durations_should_show_as_policy_set_takes_them(double seconds, string expected) =>
        Assert.Equal(expected, PolicyValues.FormatDuration(TimeSpan.FromSeconds(seconds)));

    [Fact]
    public void Host_lists_should_keep_their_order()
    {
        var parsed = (ImmutableArray<HostId>)PolicyValues.Parse(PolicyValueKind.HostList, "C, B, D-2")!;

        Assert.Equal(["C", "B", "D-2"], parsed.Select(h => h.Value));
    }
}
