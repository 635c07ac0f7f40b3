using Luban.FengShui;
using Luban.FengShui.Comparison;
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

    [Fact]
    public void Compare_many_should_compare_the_first_record_with_each_other()
    {
        var a = Score(SampleHouses.HouseA()) with { Id = "a" };
        var b = Score(SampleHouses.HouseB()) with { Id = "b" };
        var a2 = Score(SampleHouses.HouseA() with { Label = "A again" }) with { Id = "a2" };

        var comparison = MultiComparer.Compare(Engine.Comparer, [a, b, a2]);

        Assert.Equal(["a", "b", "a2"], comparison.Records.Select(r => r.Id));
        Assert.Equal([-15.4m, 0m], comparison.Deltas.Select(d => d.TotalDelta));
        Assert.Equal([("a", "b"), ("a", "a2")], comparison.Deltas.Select(d => (d.A, d.B)));
        Assert.Equal(47.5m, comparison.Records[1].Categories.Single(c => c.Category == Category.INTERIOR).Score);
        Assert.True(comparison.SameBasis);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    public void Compare_many_should_take_two_to_four_records(int count)
    {
        var records = Enumerable.Repeat(Score(SampleHouses.HouseA()), count).ToList();

        Assert.Throws<ArgumentOutOfRangeException>(() => MultiComparer.Compare(Engine.Comparer, records));
    }

    [Fact]
    public void Compare_many_should_warn_once_when_a_basis_differs_and_recompute_should_align_it()
    {
        var a = Score(SampleHouses.HouseA()) with { Id = "a", Input = SampleHouses.HouseA() };
        var c = Score(SampleHouses.HouseC()) with { Id = "c", Input = SampleHouses.HouseC() };
        var old = a with { Id = "old", Model = "LBC-FS-0.9" };

        var before = MultiComparer.Compare(Engine.Comparer, [a, c, old]);
        var recomputed = new[] { a, c, old }.Select(r => RecordRecompute.Recompute(Engine, r, RulerProfileId.LUBAN_42_9)!).ToList();
        var after = MultiComparer.Compare(Engine.Comparer, recomputed, new HashSet<string?> { "a", "c", "old" });

        Assert.False(before.SameBasis);
        Assert.Equal("W_BASIS_DIFFERS", Assert.Single(before.Warnings).Code);
        Assert.True(after.SameBasis);
        Assert.Empty(after.Warnings);
        Assert.All(after.Records, r => Assert.True(r.Recomputed));
        Assert.Equal(["LBC-FS-1.0"], after.Records.Select(r => r.Model).Distinct());
        Assert.Equal(88.2m, after.Records[2].Total);
        Assert.Equal("old", after.Records[2].Id);
    }

    [Fact]
    public void Recompute_should_need_the_stored_inputs()
    {
        var withoutInputs = Score(SampleHouses.HouseA()) with { Input = null };

        Assert.Null(RecordRecompute.Recompute(Engine, withoutInputs, RulerProfileId.LUBAN_42_9));
    }

    [Fact]
    public void House_C_should_be_capped_by_the_unremedied_road_rush()
    {
        var c = Score(SampleHouses.HouseC());

        Assert.Contains("SEVERE_UNREMEDIED", c.Flags);
        Assert.True(c.Grade >= Grade.C, $"grade {c.Grade}");
        Assert.Equal(RulerProfileId.LUBAN_43_2, c.RulerProfile);
    }
}
