using Luban.FengShui.Input;
using static Luban.Tests.FengShui.SampleHouses;

namespace Luban.Tests.FengShui;

/// <summary>
/// One broken variant of house A per §8.2 rule, with the field path and code it must produce. Shared by the library
/// specs and the API specs, so both layers are held to the same table.
/// </summary>
public static class ValidationCases
{
    private static readonly Dictionary<string, (Func<EvaluationRequest, EvaluationRequest> Break, string Field, string Code)> Cases = new()
    {
        ["label too long"] = (r => r with { Label = new string('屋', 101) }, "label", "E_TOO_LONG"),
        ["houseType missing"] = (r => r with { HouseType = null }, "houseType", "E_REQUIRED"),
        ["houseType unknown"] = (r => r with { HouseType = "CASTLE" }, "houseType", "E_ENUM"),
        ["houseType wrong case"] = (r => r with { HouseType = "apartment" }, "houseType", "E_ENUM"),
        ["facingBasis missing"] = (r => r with { FacingBasis = null }, "facingBasis", "E_REQUIRED"),
        ["rulerProfile dinglan"] = (r => r with { RulerProfile = "DINGLAN_38_78" }, "rulerProfile", "E_ENUM"),
        ["floor missing"] = (r => r with { Floor = null }, "floor", "E_REQUIRED"),
        ["totalFloors missing"] = (r => r with { TotalFloors = null }, "totalFloors", "E_REQUIRED"),
        ["floor text"] = (r => r with { Floor = new LenientNumber("three") }, "floor", "E_NOT_NUMBER"),
        ["floor fraction"] = (r => r with { Floor = 2.5m }, "floor", "E_NOT_NUMBER"),
        ["floor zero"] = (r => r with { Floor = 0 }, "floor", "E_FLOOR_ORDER"),
        ["floor above total"] = (r => r with { Floor = 6 }, "floor", "E_FLOOR_ORDER"),
        ["floor too deep"] = (r => r with { Floor = -6 }, "floor", "E_RANGE"),
        ["totalFloors too high"] = (r => r with { Floor = 3, TotalFloors = 201 }, "totalFloors", "E_RANGE"),
        ["floor on townhouse"] = (r => r with { HouseType = "TOWNHOUSE" }, "floor", "E_FLOOR_NA"),
        ["env unknown id"] = (r => r with { Env = [new EnvItemInput { Id = "DRAGON", Exposure = "SIDE" }] }, "env[0].id", "E_ENUM"),
        ["env id missing"] = (r => r with { Env = [new EnvItemInput { Exposure = "SIDE" }] }, "env[0].id", "E_REQUIRED"),
        ["env duplicate"] = (r => r with { Env = [.. r.Env!, new EnvItemInput { Id = "POLE", Exposure = "SIDE" }] }, "env[2].id", "E_DUPLICATE"),
        ["env exposure missing"] = (r => r with { Env = [new EnvItemInput { Id = "TEMPLE" }] }, "env[0].exposure", "E_REQUIRED"),
        ["env exposure unknown"] = (r => r with { Env = [new EnvItemInput { Id = "TEMPLE", Exposure = "NEAR" }] }, "env[0].exposure", "E_ENUM"),
        ["env exposure wrong type"] = (r => r with { Env = [r.Env![0]!, new EnvItemInput { Id = "TEMPLE", Exposure = "D0_50" }] }, "env[1].exposure", "E_EXPOSURE"),
        ["env remedy unknown"] = (r => r with { Env = [new EnvItemInput { Id = "POLE", Exposure = "SIDE", Remedy = "MAGIC" }] }, "env[0].remedy", "E_ENUM"),
        ["env count"] = (r => r with { Env = [new EnvItemInput { Id = "POLE", Exposure = "SIDE", Count = 2 }] }, "env[0].count", "E_COUNT_NA"),
        ["waterRoad factor missing"] = (r => r with { WaterRoad = r.WaterRoad! with { W3 = null } }, "waterRoad.W3", "E_REQUIRED"),
        ["waterRoad option missing"] = (r => r with { WaterRoad = r.WaterRoad! with { W4 = new OptionInput() } }, "waterRoad.W4.option", "E_REQUIRED"),
        ["waterRoad option unknown"] = (r => r with { WaterRoad = r.WaterRoad! with { W1 = Option("HIGHWAY") } }, "waterRoad.W1.option", "E_ENUM"),
        ["waterRoad remedy on neutral"] = (r => r with { WaterRoad = r.WaterRoad! with { W2 = Option("NONE", "SYMBOLIC") } }, "waterRoad.W2.remedy", "E_REMEDY_NA"),
        ["exterior facing unknown"] = (r => r with { Exterior = r.Exterior! with { X2 = Option("north") } }, "exterior.X2.option", "E_ENUM"),
        ["exterior remedy on good option"] = (r => r with { Exterior = r.Exterior! with { X1 = Option("SQUARE", "STRUCTURAL") } }, "exterior.X1.remedy", "E_REMEDY_NA"),
        ["exterior missing"] = (r => r with { Exterior = null }, "exterior.X6", "E_REQUIRED"),
        ["interior unknown id"] = (r => r with { Interior = [new InteriorItemInput { Id = "GHOST" }] }, "interior[0].id", "E_ENUM"),
        ["interior count on uncountable"] = (r => r with { Interior = [new InteriorItemInput { Id = "CHUAN_TANG", Count = 1 }] }, "interior[0].count", "E_COUNT_NA"),
        ["interior count too high"] = (r => r with { Interior = [new InteriorItemInput { Id = "DOOR_TO_DOOR", Count = 11 }] }, "interior[0].count", "E_RANGE"),
        ["interior count zero"] = (r => r with { Interior = [new InteriorItemInput { Id = "DOOR_TO_DOOR", Count = 0 }] }, "interior[0].count", "E_RANGE"),
        ["interior count text"] = (r => r with { Interior = [new InteriorItemInput { Id = "DOOR_TO_DOOR", Count = new LenientNumber("two") }] }, "interior[0].count", "E_NOT_NUMBER"),
        ["interior duplicate"] = (r => r with { Interior = [.. r.Interior!, new InteriorItemInput { Id = "BEAM_OVER_SEAT" }] }, "interior[2].id", "E_DUPLICATE"),
        ["measurement text"] = (r => WithMeasurement(r, new MeasurementInput { Element = "WINDOW", Dimension = "WIDTH", Cm = new LenientNumber("abc") }), "measurements[3].cm", "E_NOT_NUMBER"),
        ["measurement empty"] = (r => WithMeasurement(r, new MeasurementInput { Element = "WINDOW", Dimension = "WIDTH", Cm = new LenientNumber("") }), "measurements[3].cm", "E_NOT_NUMBER"),
        ["measurement NaN"] = (r => WithMeasurement(r, new MeasurementInput { Element = "WINDOW", Dimension = "WIDTH", Cm = new LenientNumber("NaN") }), "measurements[3].cm", "E_NOT_NUMBER"),
        ["measurement missing cm"] = (r => WithMeasurement(r, new MeasurementInput { Element = "WINDOW", Dimension = "WIDTH" }), "measurements[3].cm", "E_REQUIRED"),
        ["measurement 3 decimals"] = (r => WithMeasurement(r, Measure("WINDOW", "WIDTH", 90.125m)), "measurements[3].cm", "E_PRECISION"),
        ["door width too small"] = (r => WithMeasurement(r, Measure("ROOM_DOOR", "WIDTH", 49.99m)), "measurements[3].cm", "E_RANGE"),
        ["door height too tall"] = (r => WithMeasurement(r, Measure("BATH_DOOR", "HEIGHT", 350.01m)), "measurements[3].cm", "E_RANGE"),
        ["window too small"] = (r => WithMeasurement(r, Measure("WINDOW", "HEIGHT", 19.99m)), "measurements[3].cm", "E_RANGE"),
        ["furniture too long"] = (r => WithMeasurement(r, Measure("FURNITURE", "LENGTH", 400.01m)), "measurements[3].cm", "E_RANGE"),
        ["element unknown"] = (r => WithMeasurement(r, Measure("GATE", "WIDTH", 90)), "measurements[3].element", "E_ENUM"),
        ["dimension missing"] = (r => WithMeasurement(r, new MeasurementInput { Element = "WINDOW", Cm = 90 }), "measurements[3].dimension", "E_REQUIRED"),
        ["main door height missing"] = (r => r with { Measurements = [r.Measurements![0], r.Measurements[2]] }, "measurements", "E_MAIN_DOOR"),
        ["too many measurements"] = (r => r with { Measurements = [.. r.Measurements!, .. Enumerable.Repeat(Measure("WINDOW", "WIDTH", 100), 28)] }, "measurements", "E_TOO_MANY"),
    };

    public static TheoryData<string> Names => new(Cases.Keys);

    public static (EvaluationRequest Request, string Field, string Code) Get(string name)
    {
        var (breakIt, field, code) = Cases[name];
        return (breakIt(HouseA()), field, code);
    }

    private static EvaluationRequest WithMeasurement(EvaluationRequest request, MeasurementInput extra) =>
        request with { Measurements = [.. request.Measurements!, extra] };
}
