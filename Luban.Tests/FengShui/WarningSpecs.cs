using Luban.FengShui;
using Luban.FengShui.Input;
using Luban.FengShui.Scoring;

namespace Luban.Tests.FengShui;

public class WarningSpecs
{
    private static EvaluationResult Score(EvaluationRequest request)
    {
        var outcome = FengShuiEngine.Default.Evaluate(request);
        Assert.True(outcome.IsValid, string.Join("; ", outcome.Errors.Select(e => $"{e.Field} {e.Code}")));
        return outcome.Result!;
    }

    // §8.3: house type vs total floors (APARTMENT > 6, MID_RISE > 11, HIGH_RISE < 11).
    [Theory]
    [InlineData("APARTMENT", 7, true)]
    [InlineData("APARTMENT", 6, false)]
    [InlineData("MID_RISE", 12, true)]
    [InlineData("MID_RISE", 11, false)]
    [InlineData("HIGH_RISE", 10, true)]
    [InlineData("HIGH_RISE", 11, false)]
    public void Score_should_warn_when_floors_do_not_fit_the_house_type(string houseType, int totalFloors, bool expected)
    {
        var result = Score(SampleHouses.HouseA() with { HouseType = houseType, TotalFloors = totalFloors });

        Assert.Equal(expected, result.Warnings.Any(w => w.Code == "W_TYPE_FLOORS" && w.Field == "totalFloors"));
    }

    [Theory]
    [InlineData("LANE_RUSH", "DIRECT_DOOR", true)]
    [InlineData("RAMP_MOUTH", "DIRECT_DOOR", true)]
    [InlineData("LANE_RUSH", "SIDE", false)]
    [InlineData("SHARP_CORNER", "DIRECT_DOOR", false)]
    public void Score_should_warn_about_double_counted_road_rush(string other, string exposure, bool expected)
    {
        var request = SampleHouses.HouseA() with
        {
            Env = [new EnvItemInput { Id = "ROAD_RUSH", Exposure = "DIRECT_DOOR" }, new EnvItemInput { Id = other, Exposure = exposure }],
        };

        var result = Score(request);

        Assert.Equal(expected, result.Warnings.Any(w => w.Code == "W_DOUBLE_COUNT" && w.Field == "env[1].id"));
    }

    [Fact]
    public void Score_should_ignore_and_warn_about_items_beyond_500_m()
    {
        var request = SampleHouses.HouseA() with { Env = [new EnvItemInput { Id = "HOSPITAL", Exposure = "D500P" }] };

        var result = Score(request);

        Assert.Contains(result.Warnings, w => w.Code == "W_IGNORED_DISTANCE" && w.Field == "env[0].exposure");
        Assert.Equal(100m, result.Categories.Env.ScoreExact);
        Assert.True(result.Categories.Env.Items.Single().Ignored);
    }

    [Theory]
    [InlineData(5, 12, false)]
    [InlineData(6, 12, true)]
    public void Score_should_ignore_and_warn_about_poles_from_the_sixth_floor(int floor, int totalFloors, bool ignored)
    {
        var request = SampleHouses.HouseA() with
        {
            HouseType = "MID_RISE",
            Floor = floor,
            TotalFloors = totalFloors,
            Env = [new EnvItemInput { Id = "POLE", Exposure = "DIRECT_DOOR" }],
        };

        var result = Score(request);

        Assert.Equal(ignored, result.Warnings.Any(w => w.Code == "W_IGNORED_FLOOR" && w.Field == "env[0].id"));
        Assert.Equal(ignored ? 100m : 94m, result.Categories.Env.ScoreExact);
    }

    [Fact]
    public void Score_should_surface_ruler_flags_as_warnings_on_their_measurement()
    {
        var result = Score(SampleHouses.HouseA());

        // 90 cm sits 0.18 cm above a sub-section edge; 210 cm changes luck under 43.2 cm.
        Assert.Contains(result.Warnings, w => w.Code == "NEAR_BOUNDARY" && w.Field == "measurements[0].cm");
        Assert.Contains(result.Warnings, w => w.Code == "PROFILE_SENSITIVE" && w.Field == "measurements[1].cm");
        Assert.DoesNotContain(result.Warnings, w => w.Field == "measurements[2].cm");
    }

    [Fact]
    public void Warnings_should_name_their_subject_in_both_languages()
    {
        var result = Score(SampleHouses.HouseA() with { TotalFloors = 7, Floor = 3 });

        var nearBoundary = result.Warnings.First(w => w.Code == "NEAR_BOUNDARY");
        Assert.Equal(("measurements[0].cm", "大門寬 90 公分", "main door width 90 cm"), (nearBoundary.Field, nearBoundary.SubjectZh, nearBoundary.Subject));
        var floors = result.Warnings.Single(w => w.Code == "W_TYPE_FLOORS");
        Assert.Equal(("總樓層", "total floors"), (floors.SubjectZh, floors.Subject));
    }
}
