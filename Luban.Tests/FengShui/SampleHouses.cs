using Luban.FengShui.Input;

namespace Luban.Tests.FengShui;

/// <summary>The two 公寓 units of FENGSHUI.md §7.6 (shared exterior, 3F of 5), built as API requests.</summary>
public static class SampleHouses
{
    public static EvaluationRequest Shared(string label) => new()
    {
        Label = label,
        HouseType = "APARTMENT",
        Floor = 3,
        TotalFloors = 5,
        FacingBasis = "DOOR",
        Env =
        [
            new EnvItemInput { Id = "POLE", Exposure = "DIRECT_WINDOW" },
            new EnvItemInput { Id = "TEMPLE", Exposure = "VISIBLE" },
        ],
        WaterRoad = new WaterRoadInput
        {
            W1 = Option("STRAIGHT_PASSING"),
            W2 = Option("NONE"),
            W3 = Option("MODERATE"),
            W4 = Option("EQUAL"),
            W5 = Option("TIGER_HIGHER"),
        },
        Exterior = new ExteriorInput
        {
            X1 = Option("RECTANGLE"),
            X2 = Option("SE"),
            X3 = Option("GOOD"),
            X4 = Option("SINGLE_SIDE"),
            X6 = Option("AVERAGE"),
        },
    };

    public static EvaluationRequest HouseA() => Shared("A") with
    {
        Interior =
        [
            new InteriorItemInput { Id = "BEAM_OVER_SEAT" },
            new InteriorItemInput { Id = "DOOR_TO_DOOR", Count = 1, Remedy = "SCREENING" },
        ],
        Measurements = [Measure("MAIN_DOOR", "WIDTH", 90), Measure("MAIN_DOOR", "HEIGHT", 210), Measure("ROOM_DOOR", "WIDTH", 81)],
    };

    public static EvaluationRequest HouseB() => Shared("B") with
    {
        Interior =
        [
            new InteriorItemInput { Id = "CHUAN_TANG" },
            new InteriorItemInput { Id = "DOOR_SEES_TOILET", Remedy = "SCREENING" },
            new InteriorItemInput { Id = "BEAM_OVER_BED_HEAD" },
            new InteriorItemInput { Id = "MIRROR_FACES_BED" },
            new InteriorItemInput { Id = "DOOR_TO_DOOR", Count = 2 },
        ],
        Measurements = [Measure("MAIN_DOOR", "WIDTH", 100), Measure("MAIN_DOOR", "HEIGHT", 210), Measure("ROOM_DOOR", "WIDTH", 80)],
    };

    /// <summary>
    /// A third house, unlike the paper's: a townhouse at a T-junction (路沖 at the door, unremedied, so the severe cap
    /// applies), measured with the 43.2 cm ruler, so comparing it with A or B offers a recompute (§7.7).
    /// </summary>
    public static EvaluationRequest HouseC() => new()
    {
        Label = "C",
        HouseType = "TOWNHOUSE",
        TotalFloors = 3,
        FacingBasis = "DOOR",
        RulerProfile = "LUBAN_43_2",
        Env = [new EnvItemInput { Id = "ROAD_RUSH", Exposure = "DIRECT_DOOR" }],
        WaterRoad = new WaterRoadInput
        {
            W1 = Option("EMBRACING"),
            W2 = Option("FRONT_GENTLE"),
            W3 = Option("WIDE"),
            W4 = Option("SOLID_HIGHER"),
            W5 = Option("BALANCED"),
        },
        Exterior = new ExteriorInput
        {
            X1 = Option("SQUARE"),
            X2 = Option("S"),
            X3 = Option("EXCELLENT"),
            X4 = Option("CROSS"),
            X6 = Option("GOOD"),
        },
        Interior = [new InteriorItemInput { Id = "STAIRS_CENTER" }],
        Measurements = [Measure("MAIN_DOOR", "WIDTH", 95), Measure("MAIN_DOOR", "HEIGHT", 215)],
    };

    public static OptionInput Option(string option, string? remedy = null) => new() { Option = option, Remedy = remedy };

    public static MeasurementInput Measure(string element, string dimension, decimal cm) =>
        new() { Element = element, Dimension = dimension, Cm = cm };
}
