using Luban.Cli.Arguments;
using Luban.Cli.Output;

namespace Luban.Tests.Cli;

/// <summary>The command line alone: verbs, options anywhere, defaults, the environment, and usage errors.</summary>
public sealed class CliArgumentsSpecs
{
    private static readonly Func<string, string?> NoEnvironment = _ => null;

    [Theory]
    [InlineData("status", Verb.Status)]
    [InlineData("events --follow", Verb.Events)]
    [InlineData("vm start", Verb.VmStart)]
    [InlineData("vm start --host C", Verb.VmStart)]
    [InlineData("vm stop luban-b-2", Verb.VmStop)]
    [InlineData("policy show --json", Verb.PolicyShow)]
    [InlineData("--json policy set t-upper 0.7", Verb.PolicySet)]
    [InlineData("autoscale pause", Verb.AutoscalePause)]
    [InlineData("autoscale resume", Verb.AutoscaleResume)]
    [InlineData("bond status --timeout=2s", Verb.BondStatus)]
    public void Parser_should_read_every_verb(string line, Verb expected)
    {
        var run = Assert.IsType<ParsedCommandLine.Run>(CliArguments.Parse(line.Split(' '), NoEnvironment));

        Assert.Equal(expected, run.Verb);
    }

    [Fact]
    public void Parser_should_default_to_the_one_machine_seed_and_five_seconds()
    {
        var run = Assert.IsType<ParsedCommandLine.Run>(CliArguments.Parse(["status"], NoEnvironment));

        Assert.Equal(["akka.ssl.tcp://luban@127.0.0.1:4053"], run.Options.Seeds);
        Assert.Equal(TimeSpan.FromSeconds(5), run.Options.Timeout);
        Assert.False(run.Options.Json);
    }

    [Fact]
    public void Parser_should_take_seeds_from_LUBAN_SEEDS_unless_given_on_the_command_line()
    {
        Func<string, string?> environment = name => name == "LUBAN_SEEDS"
            ? "akka.ssl.tcp://luban@10.0.0.1:4053, akka.ssl.tcp://luban@10.0.0.2:4053"
            : null;

        var fromEnvironment = Assert.IsType<ParsedCommandLine.Run>(CliArguments.Parse(["status"], environment));
        var fromFlag = Assert.IsType<ParsedCommandLine.Run>(
            CliArguments.Parse(["status", "--seed", "akka.ssl.tcp://luban@h:1"], environment));

        Assert.Equal(["akka.ssl.tcp://luban@10.0.0.1:4053", "akka.ssl.tcp://luban@10.0.0.2:4053"], fromEnvironment.Options.Seeds);
        Assert.Equal(["akka.ssl.tcp://luban@h:1"], fromFlag.Options.Seeds);
    }

    [Fact]
    public void Parser_should_carry_operands_and_the_host()
    {
        var set = Assert.IsType<ParsedCommandLine.Run>(CliArguments.Parse(["policy", "set", "t-upper", "0.7"], NoEnvironment));
        var start = Assert.IsType<ParsedCommandLine.Run>(CliArguments.Parse(["vm", "start", "--host=B"], NoEnvironment));

        Assert.Equal(("t-upper", "0.7"), (set.Target, set.Value));
        Assert.Equal("B", start.Host);
    }

    [Theory]
    [InlineData("")]
    [InlineData("launch")]
    [InlineData("status extra")]
    [InlineData("vm")]
    [InlineData("vm stop")]
    [InlineData("vm stop a b")]
    [InlineData("policy set t-upper")]
    [InlineData("autoscale off")]
    [InlineData("bond")]
    [InlineData("status --follow")]
    [InlineData("vm stop luban-b-1 --host B")]
    [InlineData("vm start --host b")]
    [InlineData("status --bogus")]
    [InlineData("status --seed")]
    [InlineData("status --seed http://127.0.0.1:4053")]
    [InlineData("status --timeout 0")]
    [InlineData("status --timeout soon")]
    public void Parser_should_refuse_what_is_not_a_command(string line)
    {
        var args = line.Length == 0 ? [] : line.Split(' ');

        var error = Assert.IsType<ParsedCommandLine.UsageError>(CliArguments.Parse(args, NoEnvironment));

        Assert.Contains("--help", error.Message);
    }

    [Theory]
    [InlineData("--help", "usage: luban <verb>")]
    [InlineData("help", "usage: luban <verb>")]
    [InlineData("status --help", "usage: luban status")]
    [InlineData("help events", "usage: luban events")]
    [InlineData("vm stop -h", "usage: luban vm start")]
    [InlineData("policy --help", "keys: those `policy show` lists")]
    [InlineData("autoscale --help", "usage: luban autoscale pause|resume")]
    [InlineData("bond status --help", "usage: luban bond status")]
    public void Parser_should_answer_help_on_every_verb(string line, string expected)
    {
        var help = Assert.IsType<ParsedCommandLine.Help>(CliArguments.Parse(line.Split(' '), NoEnvironment));

        Assert.Contains(expected, help.Text);
    }

    [Theory]
    [InlineData("5", 5000)]
    [InlineData("2.5", 2500)]
    [InlineData("500ms", 500)]
    [InlineData("3s", 3000)]
    [InlineData("1m", 60000)]
    public void Timeout_should_read_seconds_or_units(string text, int milliseconds)
    {
        Assert.True(CliArguments.TryParseTimeout(text, out var timeout));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), timeout);
    }

    [Fact]
    public void Table_should_align_columns_and_leave_the_last_one_unpadded()
    {
        var output = new StringWriter();

        new Table("VM", "STATE", "REASON").Add("luban-b-1", "InService", "x").Add("b", "Booting", "longer reason").WriteTo(output);

        Assert.Equal(
            ["VM         STATE      REASON", "luban-b-1  InService  x", "b          Booting    longer reason"],
            output.ToString().TrimEnd().Split(Environment.NewLine));
    }
}
