using Luban.Load.Running;

namespace Luban.Tests.Load;

/// <summary>The command line of <c>luban load</c> alone: defaults, the environment, Figure 15, and usage errors.</summary>
public sealed class LoadArgumentsSpecs
{
    private static readonly Func<string, string?> NoEnvironment = _ => null;

    [Fact]
    public void Parser_should_default_to_the_one_machine_cluster_and_a_ramp_hold_fall()
    {
        var options = Run([]);

        Assert.Equal(new Uri("http://127.0.0.1:8080/api/ruler?cm=100&profile=LUBAN_42_9"), options.Target);
        Assert.Equal(new Uri("http://127.0.0.1:8090"), options.AdminUrl);
        Assert.Equal("ramp 0-50 30s, hold 50 60s, fall 50-0 30s", options.Profile.ToString());
        Assert.False(options.Figure15);
        Assert.False(options.Json);
        Assert.Equal("docs", options.OutDirectory);
    }

    [Fact]
    public void Parser_should_take_urls_from_the_environment_unless_given()
    {
        Func<string, string?> environment = name => name switch
        {
            "LUBAN_PUBLIC_URL" => "http://10.0.0.1:8080",
            "LUBAN_ADMIN_URL" => "http://10.0.0.1:8090",
            _ => null,
        };

        var fromEnvironment = Run([], environment);
        var fromFlags = Run(["--url", "http://h:1", "--admin-url=http://h:2", "--path", "/work"], environment);

        Assert.Equal(("http://10.0.0.1:8080/", "http://10.0.0.1:8090/"), (fromEnvironment.Url.ToString(), fromEnvironment.AdminUrl.ToString()));
        Assert.Equal(("http://h:1/work", "http://h:2/"), (fromFlags.Target.ToString(), fromFlags.AdminUrl.ToString()));
    }

    [Theory]
    [InlineData("--clients 10 --ramp 1s --hold 2s --fall 500ms", "ramp 0-10 1s, hold 10 2s, fall 10-0 0.5s")]
    [InlineData("--clients=10 --ramp=0s --fall=0s", "ramp 0-10 0s, hold 10 60s, fall 10-0 0s")]
    [InlineData("--profile \"hold 3 1s, ramp 3-6 1s\"", "hold 3 1s, ramp 3-6 1s")]
    [InlineData("--figure15", "ramp 0-160 20s, hold 160 70s, fall 160-0 5s, hold 0 60s")]
    [InlineData("--figure15 --clients 40 --hold 30s", "ramp 0-40 20s, hold 40 30s, fall 40-0 5s, hold 0 60s")]
    [InlineData("--figure15 --profile \"ramp 0-4 1s, fall 4-0 1s\"", "ramp 0-4 1s, fall 4-0 1s")]
    [InlineData("--figure15 --paper", "ramp 0-160 180s, hold 160 540s, fall 160-0 30s, hold 0 450s")]
    [InlineData("--figure15 --paper --clients 120", "ramp 0-120 180s, hold 120 540s, fall 120-0 30s, hold 0 450s")]
    public void Parser_should_build_the_profile(string line, string expected)
    {
        Assert.Equal(expected, Run(Split(line)).Profile.ToString());
    }

    [Fact]
    public void Parser_should_read_the_figure15_switches()
    {
        var options = Run(["--figure15", "--out", "/tmp/f15", "--json"]);

        Assert.True(options.Figure15);
        Assert.True(options.Json);
        Assert.Equal("/tmp/f15", options.OutDirectory);
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    [InlineData("--clients 3 --help")]
    public void Parser_should_answer_help_with_the_usage(string line)
    {
        var help = Assert.IsType<LoadCommandLine.Help>(LoadArguments.Parse(Split(line), NoEnvironment));

        Assert.StartsWith("usage: luban load", help.Text);
        Assert.Contains("default http://127.0.0.1:8080", help.Text);
        Assert.Contains("exit status", help.Text);
    }

    [Theory]
    [InlineData("--clients x", "--clients must be a whole number")]
    [InlineData("--clients 0", "--clients must be a whole number from 1")]
    [InlineData("--ramp 5", "--ramp must be a duration")]
    [InlineData("--hold soon", "--hold must be a duration")]
    [InlineData("--fall -1s", "--fall must be a duration")]
    [InlineData("--ramp 0s --hold 0s --fall 0s", "the run would last 0 s")]
    [InlineData("--url ftp://h", "--url must be an http:// or https:// URL")]
    [InlineData("--admin-url nowhere", "--admin-url must be an http:// or https:// URL")]
    [InlineData("--path api/ruler", "--path must start with '/'")]
    [InlineData("--profile \"ramp 0-4\"", "--profile: phase 1 'ramp 0-4'")]
    [InlineData("--profile \"hold 1 1s\" --clients 3", "--profile cannot be combined with --clients")]
    [InlineData("--bogus", "unknown option '--bogus'")]
    [InlineData("--url", "--url needs a value")]
    [InlineData("--json=yes", "--json takes no value")]
    [InlineData("--clients 1 --clients 2", "--clients is given twice")]
    [InlineData("load", "unexpected argument 'load'")]
    [InlineData("--paper", "--paper goes with --figure15")]
    public void Parser_should_name_the_option_in_a_usage_error(string line, string expected)
    {
        var error = Assert.IsType<LoadCommandLine.UsageError>(LoadArguments.Parse(Split(line), NoEnvironment));

        Assert.Contains(expected, error.Message);
    }

    private static LoadOptions Run(string[] args, Func<string, string?>? environment = null) =>
        Assert.IsType<LoadCommandLine.Run>(LoadArguments.Parse(args, environment ?? NoEnvironment)).Options;

    /// <summary>Splits like a shell: on spaces, except inside double quotes.</summary>
    private static string[] Split(string line)
    {
        var args = new List<string>();
        var current = new System.Text.StringBuilder();
        var quoted = false;
        foreach (var c in line)
        {
            if (c == '"') quoted = !quoted;
            else if (c == ' ' && !quoted)
            {
                if (current.Length > 0) args.Add(current.ToString());
                current.Clear();
            }
            else current.Append(c);
        }

        if (current.Length > 0) args.Add(current.ToString());
        return [.. args];
    }

    [Fact]
    public void Parser_should_read_the_journey_mix_alone_or_with_figure15()
    {
        var plain = Run([]);
        var journey = Run(["--mix", "journey", "--url", "http://10.77.0.1:8080"]);
        var figure = Run(["--figure15", "--mix=journey"]);

        Assert.Equal(LoadMix.Path, plain.Mix);
        Assert.Equal((LoadMix.Journey, "http://10.77.0.1:8080/"), (journey.Mix, journey.Target.ToString()));
        Assert.True(figure.Figure15);
        Assert.Equal(LoadMix.Journey, figure.Mix);
        Assert.Equal(10, journey.SignInEvery);
        Assert.Equal(0, Run(["--mix", "journey", "--sign-in-every", "0"]).SignInEvery);
    }

    [Theory]
    [InlineData("--figure15 --paper", LoadMix.People, "figure15-paper.csv figure15-paper-events.csv figure15-paper.svg figure15-paper-summary.txt")]
    [InlineData("--figure15 --paper --mix path", LoadMix.Path, "figure15-paper.csv figure15-paper-events.csv figure15-paper.svg figure15-paper-summary.txt")]
    [InlineData("--figure15", LoadMix.Path, "figure15.csv figure15-events.csv figure15.svg figure15-summary.txt")]
    public void Parser_should_give_the_paper_run_its_journeys_and_its_own_files(string line, LoadMix mix, string files)
    {
        var options = Run(Split(line));

        Assert.Equal(mix, options.Mix);
        Assert.Equal(files, string.Join(' ', Luban.Load.Figure15.Figure15Files.NamesFor(options.Paper)));
    }

    [Theory]
    [InlineData("--mix random", "--mix must be path, journey or people")]
    [InlineData("--mix people --path /x", "--path cannot be combined with --mix people")]
    [InlineData("--mix journey --path /x", "--path cannot be combined with --mix journey")]
    [InlineData("--sign-in-every 3", "--sign-in-every needs --mix journey or people")]
    [InlineData("--mix journey --sign-in-every -1", "--sign-in-every must be a whole number")]
    public void Parser_should_refuse_a_bad_mix(string line, string message)
    {
        var error = Assert.IsType<LoadCommandLine.UsageError>(LoadArguments.Parse(Split(line), NoEnvironment));

        Assert.StartsWith(message, error.Message);
    }
}
