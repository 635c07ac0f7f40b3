using Luban.FengShui;
using Luban.FengShui.Input;
using Luban.FengShui.Model;
using Luban.FengShui.Scoring;

namespace Luban.Tests.FengShui;

public class ScoringSpecs
{
    private static EvaluationResult Score(EvaluationRequest request)
    {
        var outcome = FengShuiEngine.Default.Evaluate(request);
        Assert.True(outcome.IsValid, string.Join("; ", outcome.Errors.Select(e => $"{e.Field} {e.Code}")));
        return outcome.Result!;
    }

    // "p/q" lets a vector state a repeating decimal exactly as the quotient the scorer must compute.
    private static decimal Exact(string text) =>
        text.Split('/') is [var p, var q] ? decimal.Parse(p) / decimal.Parse(q) : decimal.Parse(text);

    // §7.6 worked examples: exact category scores, displayed scores, total and grade.
    [Theory]
    [InlineData("A", "92.2", "74.25", "86.5", "91", "100", "88.235", "88.2", Grade.B)]
    [InlineData("B", "92.2", "74.25", "86.5", "47.5", "380/7", "509.52/7", "72.8", Grade.C)]
    public void Score_should_reproduce_the_worked_examples(
        string house, string env, string waterRoad, string exterior, string interior, string luban, string totalExact, string total, Grade grade)
    {
        var result = Score(house == "A" ? SampleHouses.HouseA() : SampleHouses.HouseB());

        var c = result.Categories;
        Assert.Equal(
            new[] { env, waterRoad, exterior, interior, luban }.Select(Exact),
            new[] { c.Env, c.WaterRoad, c.Exterior, c.Interior, c.Luban }.Select(x => x.ScoreExact));
        Assert.Equal(Exact(totalExact), result.TotalExact);
        Assert.Equal(decimal.Parse(total), result.Total);
        Assert.Equal(grade, result.Grade);
    }

    [Fact]
    public void Score_should_round_displayed_category_scores_half_up_to_one_decimal()
    {
        var result = Score(SampleHouses.HouseB());

        Assert.Equal(74.3m, result.Categories.WaterRoad.Score);
        Assert.Equal(54.3m, result.Categories.Luban.Score);
        Assert.Equal(4.5714m, result.Categories.Luban.Lost);
        Assert.Equal(13.125m, result.Categories.Interior.Lost);
    }

    [Fact]
    public void Score_should_list_top_issues_of_house_B_in_spec_order()
    {
        var result = Score(SampleHouses.HouseB());

        // §7.6: the two −3.75 items tie and keep the §6 table order (CHUAN_TANG before BEAM_OVER_BED_HEAD).
        var top = result.TopIssues.Take(5).Select(i => (i.Id, i.WeightedLoss));
        Assert.Equal(
            [("CHUAN_TANG", 3.75m), ("BEAM_OVER_BED_HEAD", 3.75m), ("DOOR_TO_DOOR", 2.25m), ("DOOR_SEES_TOILET", 1.875m), ("MIRROR_FACES_BED", 1.5m)],
            top);
    }

    [Fact]
    public void Score_should_attach_common_remedies_to_top_issues()
    {
        var result = Score(SampleHouses.HouseB());

        // §6 lists 玄關 cabinets and curtains for 穿堂煞, in each language; options (W5 here) carry no catalogue remedies.
        var chuanTang = result.TopIssues.Single(i => i.Id == "CHUAN_TANG");
        Assert.Equal("不透光的玄關櫃或屏風、不透光窗簾", chuanTang.CommonRemediesZh);
        Assert.Equal("an opaque entry cabinet or screen, an opaque curtain", chuanTang.CommonRemedies);
        Assert.Null(result.TopIssues.Single(i => i.Id == "W5").CommonRemedies);
        Assert.Null(result.TopIssues.Single(i => i.Id == "W5").CommonRemediesZh);
    }

    [Fact]
    public void Score_should_explain_each_item_with_its_formula()
    {
        var result = Score(SampleHouses.HouseB());

        var formulas = result.Categories.Interior.Items.ToDictionary(i => i.Id, i => i.Formula);
        Assert.Equal("15 × 1.0 × 1.0 × 1.00 × 1.0 = 15", formulas["CHUAN_TANG"]);
        Assert.Equal("15 × 1.0 × 1.0 × 0.50 × 1.0 = 7.5", formulas["DOOR_SEES_TOILET"]);
        Assert.Equal("6 × 1.0 × 1.0 × 1.00 × 1.5 = 9", formulas["DOOR_TO_DOOR"]);
        var env = result.Categories.Env.Items.ToDictionary(i => i.Id, i => i.Formula);
        Assert.Equal("6 × 0.8 × 1.0 × 1.00 × 1.0 = 4.8", env["POLE"]);
        Assert.Equal("10 × 0.3 × 1.0 × 1.00 × 1.0 = 3", env["TEMPLE"]);
    }

    [Fact]
    public void Score_should_report_each_measurement_with_ruler_reading()
    {
        var result = Score(SampleHouses.HouseB());

        var rendered = result.Measurements.Select(m => $"{m.Cm} {m.Section}·{m.SubSection} {m.Luck} {m.Score}");
        Assert.Equal(["100 離·官鬼 凶 20", "210 本·財至 吉 100", "80 害·口舌 凶 20"], rendered);
        Assert.Contains("PROFILE_SENSITIVE", result.Measurements[1].Flags);
        Assert.NotEmpty(result.Measurements[0].Suggestions);
    }

    // §7.3: S' = 70 − (70 − S) × factor.
    [Theory]
    [InlineData("NONE", "20")]
    [InlineData("SYMBOLIC", "32.5")]
    [InlineData("SCREENING", "45")]
    [InlineData("STRUCTURAL", "57.5")]
    public void Score_should_lift_a_remedied_option_toward_neutral(string remedy, string adjusted)
    {
        var request = SampleHouses.HouseA() with
        {
            WaterRoad = SampleHouses.HouseA().WaterRoad! with { W1 = SampleHouses.Option("REVERSE_BOW_FACING", remedy) },
        };

        var result = Score(request);

        Assert.Equal(decimal.Parse(adjusted), result.Categories.WaterRoad.Options.Single(o => o.Factor == "W1").AdjustedScore);
    }

    // §2 floor modifier GROUND: ≤1F 1.0, 2–5F 0.7, ≥6F 0.5; townhouses count as 1F.
    [Theory]
    [InlineData("APARTMENT", 1, 5, "20")]
    [InlineData("APARTMENT", 3, 5, "14")]
    [InlineData("HIGH_RISE", 8, 20, "10")]
    [InlineData("APARTMENT", -1, 5, "20")]
    [InlineData("TOWNHOUSE", null, 3, "20")]
    public void Score_should_apply_the_ground_floor_modifier_to_road_rush(string houseType, int? floor, int totalFloors, string penalty)
    {
        var request = SampleHouses.HouseA() with
        {
            HouseType = houseType,
            Floor = floor is { } f ? f : null,
            TotalFloors = totalFloors,
            Env = [new EnvItemInput { Id = "ROAD_RUSH", Exposure = "DIRECT_DOOR", Remedy = "SYMBOLIC" }],
        };

        var result = Score(request);

        // SYMBOLIC (0.75) keeps the severe cap out of this test; 20 × 1.0 × floorMod × 0.75.
        Assert.Equal(decimal.Parse(penalty) * 0.75m, result.Categories.Env.Items.Single().Penalty);
    }

    [Theory]
    [InlineData(1, "6")]
    [InlineData(2, "9")]
    [InlineData(3, "12")]
    [InlineData(10, "12")]
    public void Score_should_multiply_counted_items(int count, string penalty)
    {
        var request = SampleHouses.HouseA() with { Interior = [new InteriorItemInput { Id = "DOOR_TO_DOOR", Count = count }] };

        var result = Score(request);

        Assert.Equal(decimal.Parse(penalty), result.Categories.Interior.Items.Single().Penalty);
    }

    [Fact]
    public void Score_should_drop_the_floor_factor_for_townhouses_and_renormalise()
    {
        var request = SampleHouses.HouseA() with { HouseType = "TOWNHOUSE", Floor = null };

        var result = Score(request);

        // (30·95 + 15·100 + 20·80 + 15·70 + 10·75) / 90, without X5.
        Assert.Equal(7750m / 90m, result.Categories.Exterior.ScoreExact);
        Assert.DoesNotContain(result.Categories.Exterior.Options, o => o.Factor == "X5");
    }

    // §5 X5 derived from floor and totalFloors.
    [Theory]
    [InlineData(-1, 5, "BASEMENT")]
    [InlineData(1, 5, "GROUND")]
    [InlineData(1, 1, "GROUND")]
    [InlineData(5, 5, "TOP")]
    [InlineData(4, 5, "LOW")]
    [InlineData(6, 12, "MID")]
    [InlineData(12, 12, "TOP")]
    public void Score_should_derive_the_floor_position(int floor, int totalFloors, string expected)
    {
        var request = SampleHouses.HouseA() with { HouseType = "OTHER", Floor = floor, TotalFloors = totalFloors };

        var result = Score(request);

        Assert.Equal(expected, result.Categories.Exterior.Options.Single(o => o.Factor == "X5").Option);
    }

    [Fact]
    public void Score_should_cap_the_grade_when_a_severe_item_is_unremedied()
    {
        // House A is grade B; an unremedied TOILET_CENTER (severity 5) costs 5 points and triggers the cap.
        var request = SampleHouses.HouseA() with { Interior = [new InteriorItemInput { Id = "TOILET_CENTER" }] };

        var result = Score(request);

        Assert.Equal(Grade.C, result.Grade);
        Assert.True(result.Capped);
        Assert.Contains("SEVERE_UNREMEDIED", result.Flags);
        Assert.True(result.Total >= 80m, $"total {result.Total} should have been a B before the cap");
    }

    [Fact]
    public void Score_should_not_cap_a_remedied_severe_item()
    {
        var request = SampleHouses.HouseA() with { Interior = [new InteriorItemInput { Id = "TOILET_CENTER", Remedy = "STRUCTURAL" }] };

        var result = Score(request);

        Assert.Equal(Grade.B, result.Grade);
        Assert.False(result.Capped);
        Assert.Empty(result.Flags);
    }

    [Fact]
    public void Score_should_clamp_a_deduction_category_at_zero()
    {
        var request = SampleHouses.HouseA() with
        {
            Interior = new[] { "CHUAN_TANG", "DOOR_SEES_TOILET", "TOILET_CENTER", "KITCHEN_CENTER", "STAIRS_CENTER", "BEAM_OVER_BED_HEAD", "DOOR_SEES_STOVE", "LIVING_AT_REAR" }
                .Select(id => new InteriorItemInput { Id = id }).ToList(),
        };

        var result = Score(request);

        Assert.Equal(0m, result.Categories.Interior.ScoreExact);
    }

    [Fact]
    public void Score_should_weight_measurements_by_element()
    {
        // Window 0.5 at 凶 (20) beside the 100-scoring main door pair: (3·100 + 3·100 + 0.5·20) / 6.5.
        var request = SampleHouses.HouseA() with
        {
            Measurements = [SampleHouses.Measure("MAIN_DOOR", "WIDTH", 90), SampleHouses.Measure("MAIN_DOOR", "HEIGHT", 210), SampleHouses.Measure("WINDOW", "WIDTH", 100)],
        };

        var result = Score(request);

        Assert.Equal(610m / 6.5m, result.Categories.Luban.ScoreExact);
    }

    [Fact]
    public void Score_should_read_ancestral_tablets_on_the_dinglan_ruler_without_scoring_them()
    {
        var request = SampleHouses.HouseA() with
        {
            Measurements = [.. SampleHouses.HouseA().Measurements!, SampleHouses.Measure("ANCESTRAL_TABLET", "WIDTH", 100)],
        };

        var result = Score(request);

        var tablet = result.Measurements.Last();
        Assert.Equal((RulerProfileId.DINGLAN_38_78, "官", (decimal?)null), (tablet.Profile, tablet.Section, tablet.Score));
        Assert.Equal(100m, result.Categories.Luban.ScoreExact);
    }

    [Fact]
    public void Score_should_use_the_requested_ruler_profile()
    {
        var request = SampleHouses.HouseA() with { RulerProfile = "LUBAN_43_2" };

        var result = Score(request);

        // 210 cm is 害 on 43.2 (§1.1): the main-door height drops to 20.
        Assert.Equal(RulerProfileId.LUBAN_43_2, result.RulerProfile);
        Assert.Equal("害", result.Measurements[1].Section);
        Assert.True(result.Categories.Luban.ScoreExact < 100m);
    }
}
