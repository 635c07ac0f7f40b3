using Luban.Load.Profiles;

namespace Luban.Tests.Load;

/// <summary>The profile grammar and the client count it gives at each moment.</summary>
public sealed class ProfileParserSpecs
{
    [Theory]
    [InlineData("ramp 0-150 20s, hold 60s, fall 150-0 5s, hold 40s", "ramp 0-150 20s, hold 150 60s, fall 150-0 5s, hold 0 40s")]
    [InlineData("RAMP 0-4 1s,hold 1s,  fall 4-0 1s", "ramp 0-4 1s, hold 4 1s, fall 4-0 1s")]
    [InlineData("hold 10 500ms", "hold 10 0.5s")]
    [InlineData("ramp 0-10 1.5m", "ramp 0-10 90s")]
    [InlineData("ramp 0-5 0s, hold 2s", "ramp 0-5 0s, hold 5 2s")]
    [InlineData("hold 3s", "hold 0 3s")]
    [InlineData("ramp 7-7 1s, fall 7-7 1s", "ramp 7-7 1s, fall 7-7 1s")]
    public void Parser_should_read_phases_and_fill_in_hold_counts(string text, string expected)
    {
        var parsed = Assert.IsType<ProfileParse.Parsed>(ProfileParser.Parse(text));

        Assert.Equal(expected, parsed.Profile.ToString());
    }

    [Theory]
    [InlineData("", "the profile is empty")]
    [InlineData("ramp 0-150", "phase 1 'ramp 0-150': expected 'ramp A-B T'")]
    [InlineData("ramp 0-150 20s,", "phase 2 is empty")]
    [InlineData("ramp 0-4 1s, hold sixty", "phase 2 'hold sixty': 'sixty' is not a duration")]
    [InlineData("ramp 0-10 20", "phase 1 'ramp 0-10 20': '20' is not a duration")]
    [InlineData("hold 1 2 3s", "phase 1 'hold 1 2 3s': expected 'hold T' or 'hold N T'")]
    [InlineData("hold x 3s", "'x' is not a client count")]
    [InlineData("jump 0-1 1s", "phase 1 'jump 0-1 1s': unknown phase 'jump'")]
    [InlineData("ramp 150-0 5s", "a ramp goes up; to go from 150 down to 0, write 'fall 150-0 5s'")]
    [InlineData("fall 0-150 5s", "a fall goes down")]
    [InlineData("ramp a-b 1s", "'a-b' is not a client range")]
    [InlineData("ramp -1-5 1s", "'-1-5' is not a client range")]
    [InlineData("ramp 0-20000 1s", "'0-20000' is not a client range")]
    [InlineData("ramp 0-10 0s, hold 0s", "the profile lasts 0 s")]
    public void Parser_should_name_the_bad_part(string text, string expected)
    {
        var invalid = Assert.IsType<ProfileParse.Invalid>(ProfileParser.Parse(text));

        Assert.Contains(expected, invalid.Error);
    }

    [Theory]
    [InlineData(-1.0, 0)]
    [InlineData(0.0, 0)]
    [InlineData(5.0, 50)]
    [InlineData(9.99, 100)]
    [InlineData(10.0, 100)]
    [InlineData(14.9, 100)]
    [InlineData(15.0, 100)]
    [InlineData(20.0, 50)]
    [InlineData(24.0, 10)]
    [InlineData(25.0, 0)]
    [InlineData(1000.0, 0)]
    public void Profile_should_give_the_client_count_along_its_phases(double seconds, int expected)
    {
        var profile = Parse("ramp 0-100 10s, hold 5s, fall 100-0 10s");

        Assert.Equal(expected, profile.ClientsAt(TimeSpan.FromSeconds(seconds)));
    }

    [Theory]
    [InlineData("ramp 0-10 0s, hold 2s", 0.0, 10)]
    [InlineData("hold 4 1s, ramp 20-30 1s", 1.0, 20)]
    [InlineData("hold 4 1s, fall 4-0 0s", 1.0, 0)]
    public void Profile_should_step_through_zero_length_phases(string text, double seconds, int expected)
    {
        Assert.Equal(expected, Parse(text).ClientsAt(TimeSpan.FromSeconds(seconds)));
    }

    [Fact]
    public void Profile_should_know_its_length_peak_and_current_phase()
    {
        var profile = Parse("ramp 0-150 20s, hold 60s, fall 150-0 5s, hold 40s");

        Assert.Equal(TimeSpan.FromSeconds(125), profile.Duration);
        Assert.Equal(150, profile.PeakClients);
        Assert.Equal("ramp 0-150", profile.PhaseAt(TimeSpan.Zero)?.Label);
        Assert.Equal("hold 150", profile.PhaseAt(TimeSpan.FromSeconds(20))?.Label);
        Assert.Equal("fall 150-0", profile.PhaseAt(TimeSpan.FromSeconds(82))?.Label);
        Assert.Null(profile.PhaseAt(TimeSpan.FromSeconds(125)));
    }

    [Fact]
    public void Profile_should_read_back_what_it_writes()
    {
        var profile = LoadProfile.RampHoldFall(150, TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(70),
            TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(60));

        Assert.Equal("ramp 0-150 20s, hold 150 70s, fall 150-0 5s, hold 0 60s", profile.ToString());
        Assert.Equal(profile.ToString(), Parse(profile.ToString()).ToString());
    }

    private static LoadProfile Parse(string text) => Assert.IsType<ProfileParse.Parsed>(ProfileParser.Parse(text)).Profile;
}
