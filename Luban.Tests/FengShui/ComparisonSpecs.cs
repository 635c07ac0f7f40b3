using Luban.FengShui;
using Luban.FengShui.Model;
using Luban.FengShui.Scoring;

namespace Luban.Tests.FengShui;

public class ComparisonSpecs
{
    private static readonly FengShuiEngine Engine = FengShuiEngine.Default;

    private static EvaluationResult Score(Luban.FengShui.Input.EvaluationRequest request) => Engine.Evaluate(request).Result!;

    [Fact]
    public void Compare_should_reproduce_the_A_versus_B_vector()
    {
        var comparison = Engine.Compare(Score(SampleHouses.HouseA()), Score(SampleHouses.HouseB()));

        // §7.6: Δ = 15.4 from the displayed totals, all of it INTERIOR (−10.875) and LUBAN (−4.571).
        Assert.Equal(-15.4m, comparison.TotalDelta);
        var weighted = comparison.Categories.ToDictionary(c => c.Category, c => decimal.Round(c.WeightedDeltaExact, 3));
        Assert.Equal(0m, weighted[Category.ENV]);
        Assert.Equal(0m, weighted[Category.WATER_ROAD]);
        Assert.Equal(0m, weighted[Category.EXTERIOR]);
        Assert.Equal(-10.875m, weighted[Category.INTERIOR]);
        Assert.Equal(-4.571m, weighted[Category.LUBAN]);
        Assert.True(comparison.SameBasis);
        Assert.Empty(comparison.Warnings);
    }

    [Fact]
    public void Compare_should_be_antisymmetric()
    {
        var a = Score(SampleHouses.HouseA());
        var b = Score(SampleHouses.HouseB());

        Assert.Equal(15.4m, Engine.Compare(b, a).TotalDelta);
        Assert.Equal(-Engine.Compare(a, b).Categories.Sum(c => c.WeightedDeltaExact), Engine.Compare(b, a).Categories.Sum(c => c.WeightedDeltaExact));
    }

    [Fact]
    public void Compare_should_give_per_item_deltas()
    {
        var comparison = Engine.Compare(Score(SampleHouses.HouseA()), Score(SampleHouses.HouseB()));

        var items = comparison.Items.ToDictionary(i => $"{i.Category}:{i.Key}", i => i.Delta);
        Assert.Equal(-3.75m, items["INTERIOR:CHUAN_TANG"]);
        Assert.Equal(1.5m, items["INTERIOR:BEAM_OVER_SEAT"]);
        Assert.Equal(-1.5m, items["INTERIOR:DOOR_TO_DOOR"]);           // 0.75 → 2.25
        Assert.Equal(-3.4286m, items["LUBAN:MAIN_DOOR.WIDTH"]);       // 10 × 3 × 80 / 7 / 100
        Assert.Equal(0m, items["ENV:POLE"]);
        Assert.Equal(0m, comparison.Items.Where(i => i.Delta == 0m).Sum(i => i.Delta));
    }

    [Fact]
    public void Compare_should_warn_when_profiles_differ()
    {
        var a = Score(SampleHouses.HouseA());
        var b = Score(SampleHouses.HouseA() with { RulerProfile = "LUBAN_43_2" });

        var comparison = Engine.Compare(a, b);

        Assert.False(comparison.SameBasis);
        Assert.Equal("W_BASIS_DIFFERS", Assert.Single(comparison.Warnings).Code);
    }
}
