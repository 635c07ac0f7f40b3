using Luban.FengShui.Input;

namespace Luban.FengShui.Examples;

/// <summary>An example house the form can load: its id, a title in both languages and the request it fills in.</summary>
public sealed record HouseExample(string Id, string Zh, string En, EvaluationRequest Request);

/// <summary>
/// The paper's two sample houses (FENGSHUI.md §7.6): 公寓 units on 3F of a 5-storey building near a campus, the same
/// surroundings and exterior, A with a good interior (88.2, B) and B with a poor one (72.8, C).
/// </summary>
public static class PaperHouses
{
    public static IReadOnlyList<HouseExample> All { get; } =
    [
        new("A", "論文範例 A：格局良好的公寓", "Paper example A: apartment with a good interior", HouseA()),
        new("B", "論文範例 B：格局不佳的公寓", "Paper example B: apartment with a poor interior", HouseB()),
    ];

    public static EvaluationRequest HouseA() => Shared() with
    {
        Interior =
        [
            new InteriorItemInput { Id = "BEAM_OVER_SEAT" },
            new InteriorItemInput { Id = "DOOR_TO_DOOR", Count = 1, Remedy = "SCREENING" },
        ],
        Measurements = [Measure("MAIN_DOOR", "WIDTH", 90), Measure("MAIN_DOOR", "HEIGHT", 210), Measure("ROOM_DOOR", "WIDTH", 81)],
    };

    public static EvaluationRequest HouseB() => Shared() with
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

    private static EvaluationRequest Shared() => new()
    {
        HouseType = "APARTMENT",
        Floor = 3,
        TotalFloors = 5,
        FacingBasis = "DOOR",
        RulerProfile = "LUBAN_42_9",
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

    private static OptionInput Option(string option) => new() { Option = option };

    private static MeasurementInput Measure(string element, string dimension, decimal cm) =>
        new() { Element = element, Dimension = dimension, Cm = cm };
}
