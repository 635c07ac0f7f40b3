using Luban.Load.Figure15;
using static Luban.Tests.Load.Timelines;

namespace Luban.Tests.Load;

/// <summary>Reaction times read from hand-made timelines: complete, with gaps, and with nothing to react to.</summary>
public sealed class ReactionTimeSpecs
{
    private static readonly Dictionary<string, Func<Timeline>> Scenarios = new()
    {
        ["paper"] = Paper,
        // The overload's first sample is lost: the next one sees it, after the supervisor already decided.
        ["overload sample missing"] = () => Replace(Paper(), 17, Missing(17, 127)),
        // The sample at zero load is lost: the drain is still found, but nothing saw the idleness before it.
        ["idle sample missing"] = () => Replace(Paper(), 95, Missing(95, 0)),
        // No "started" event: the new VM is the first one seen running that was not running before.
        ["started event missing"] = () => Paper() with { Events = Paper().Events.Where(e => e.Kind != "started").ToList() },
        ["older VM stopped"] = () => Paper() with
        {
            Events = Paper().Events.Select(e => e.Kind is "drain" or "stop" ? e with { Vm = "luban-b-1" } : e).ToList(),
        },
        ["at capacity"] = () => Of(Paper().Samples.Where(s => s.T <= 17), [Event(17.5, "warn", reason: "the cluster already runs 6 VM(s)")]),
        ["no scale-out"] = () => Of(
            [
                Sample(0, 0, "luban-b-1=0 luban-c-1=0"),
                Sample(5, 40, "luban-b-1=20 luban-c-1=20"),
                Sample(10, 80, "luban-b-1=40 luban-c-1=40"),
                Sample(15, 0, "luban-b-1=0 luban-c-1=0"),
            ],
            []),
        ["status never answered"] = () => Of([Missing(0, 0), Missing(1, 4), Missing(2, 4), Missing(3, 0)], []),
        ["no samples"] = () => Of([], []),
    };

    [Theory]
    [InlineData("paper", 17.0, 17.5, "luban-b-2", 35.0, 95.0, 96.2, "luban-b-2", 101.0, true)]
    [InlineData("overload sample missing", 19.0, 17.5, "luban-b-2", 35.0, 95.0, 96.2, "luban-b-2", 101.0, true)]
    [InlineData("idle sample missing", 17.0, 17.5, "luban-b-2", 35.0, null, 96.2, "luban-b-2", 101.0, true)]
    [InlineData("started event missing", 17.0, 17.5, "luban-b-2", 35.0, 95.0, 96.2, "luban-b-2", 101.0, true)]
    [InlineData("older VM stopped", 17.0, 17.5, "luban-b-2", 35.0, 95.0, 96.2, "luban-b-1", null, false)]
    [InlineData("at capacity", 17.0, null, null, null, null, null, null, null, null)]
    [InlineData("no scale-out", null, null, null, null, null, null, null, null, null)]
    [InlineData("status never answered", null, null, null, null, null, null, null, null, null)]
    [InlineData("no samples", null, null, null, null, null, null, null, null, null)]
    public void Calculator_should_find_each_step_of_the_reaction(string scenario,
        double? overloadSeen, double? startDecided, string? startedVm, double? inRotation,
        double? idleSeen, double? stopDecided, string? stoppedVm, double? gone, bool? stoppedTheNewest)
    {
        var reactions = ReactionTimeCalculator.Calculate(Scenarios[scenario]());

        Assert.Equal((overloadSeen, startDecided, startedVm, inRotation),
            (reactions.ScaleOut.OverloadSeen, reactions.ScaleOut.StartDecided, reactions.ScaleOut.StartedVm, reactions.ScaleOut.InRotation));
        Assert.Equal((idleSeen, stopDecided, stoppedVm, gone, stoppedTheNewest),
            (reactions.ScaleIn.IdleSeen, reactions.ScaleIn.StopDecided, reactions.ScaleIn.StoppedVm, reactions.ScaleIn.Gone,
                reactions.ScaleIn.StoppedTheNewest));
    }

    [Theory]
    [InlineData("paper", "scale-out: overload seen at 17.0 s → start decided at 17.5 s (+0.5 s) → luban-b-2 in rotation at 35.0 s (+17.5 s)")]
    [InlineData("paper", "scale-in:  idle seen at 95.0 s → drain/stop of luban-b-2 decided at 96.2 s (+1.2 s) → gone at 101.0 s (+4.8 s)")]
    [InlineData("paper", "luban-b-2 was the newest started VM, as in the paper")]
    [InlineData("overload sample missing", "start decided at 17.5 s (−1.5 s)")]
    [InlineData("older VM stopped", "luban-b-1 was not the newest started VM (luban-b-2)")]
    [InlineData("older VM stopped", "luban-b-1 was still listed when the run ended")]
    [InlineData("at capacity", "overload was seen but no start was decided: the cluster already runs 6 VM(s)")]
    [InlineData("no scale-out", "scale-out: no scale-out happened (no sample saw every in-service VM above 60 connections)")]
    [InlineData("no scale-out", "scale-in:  no scale-in happened")]
    [InlineData("status never answered", "no scale-out happened (the status endpoint never answered)")]
    [InlineData("no samples", "scale-in:  no scale-in happened (no samples)")]
    public void Reaction_times_should_read_as_words(string scenario, string expected)
    {
        var lines = ReactionTimeCalculator.Calculate(Scenarios[scenario]()).Describe();

        Assert.Contains(lines, line => line.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Reaction_times_should_end_with_the_failed_count()
    {
        var lines = ReactionTimeCalculator.Calculate(Paper() with { Failed = 3 }).Describe();

        Assert.Equal("failed requests: 3", lines[^1]);
    }

    private static Timeline Replace(Timeline timeline, double t, LoadSample replacement) =>
        timeline with { Samples = timeline.Samples.Select(s => s.T == t ? replacement : s).ToList() };
}
