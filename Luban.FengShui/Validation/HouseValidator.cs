using System.Globalization;
using Luban.FengShui.Input;
using Luban.FengShui.Model;
using Luban.FengShui.Ruler;

namespace Luban.FengShui.Validation;

/// <summary>
/// §8 validation. Every rule runs on every field, so one call reports all errors at once, each naming its JSON path.
/// </summary>
public sealed class HouseValidator(FengShuiModel model)
{
    private static readonly string[] WaterRoadFactors = ["W1", "W2", "W3", "W4", "W5"];
    private static readonly string[] ExteriorFactors = ["X1", "X2", "X3", "X4", "X6"];

    /// <summary>Longest label, in characters (UTF-16 code units): a record's name, not a document.</summary>
    public const int MaxLabelLength = 100;

    public static HouseValidator Default { get; } = new(FengShuiModel.Default);

    /// <summary>The label as stored: trimmed, empty → null; an error naming <paramref name="path"/> when too long.</summary>
    public FieldError? LabelError(string? label, string path = "label") =>
        label is { Length: > MaxLabelLength } && label.Trim().Length > MaxLabelLength
            ? Error(path, "E_TOO_LONG", ("field", path), ("max", MaxLabelLength.ToString(CultureInfo.InvariantCulture)))
            : null;

    public static string? NormalizeLabel(string? label) => string.IsNullOrWhiteSpace(label) ? null : label.Trim();

    public ValidationOutcome Validate(EvaluationRequest? request)
    {
        var errors = new List<FieldError>();
        request ??= new EvaluationRequest();

        var houseType = RequiredEnum<HouseType>(request.HouseType, "houseType", errors);
        var facingBasis = RequiredEnum<FacingBasis>(request.FacingBasis, "facingBasis", errors);
        var profile = ValidateProfile(request.RulerProfile, errors);
        var (floor, totalFloors) = ValidateFloors(request, houseType, errors);
        var env = ValidateEnv(request.Env, errors);
        var options = new List<OptionChoice>();
        ValidateOptions("waterRoad", WaterRoadFactors, f => request.WaterRoad?[f], options, errors);
        ValidateOptions("exterior", ExteriorFactors, f => request.Exterior?[f], options, errors);
        var interior = ValidateInterior(request.Interior, errors);
        var measurements = ValidateMeasurements(request.Measurements, errors);
        if (LabelError(request.Label) is { } labelError)
        {
            errors.Add(labelError);
        }

        if (errors.Count > 0 || houseType is null || facingBasis is null)
        {
            return new ValidationOutcome(null, errors);
        }
        return new ValidationOutcome(
            new House(NormalizeLabel(request.Label), houseType.Value, floor, totalFloors, facingBasis.Value, profile, env, options, interior, measurements),
            errors);
    }

    private RulerProfileId ValidateProfile(string? text, List<FieldError> errors)
    {
        if (text is null)
        {
            return model.DefaultProfile;
        }
        // Records are scored with a 文公尺 profile; 丁蘭尺 is display-only (§1.4).
        if (WireEnum.TryParse<RulerProfileId>(text, out var profile) && model.Profile(profile).Kind == "WENGONG")
        {
            return profile;
        }
        errors.Add(EnumError("rulerProfile", text));
        return model.DefaultProfile;
    }

    private (int? Floor, int? TotalFloors) ValidateFloors(EvaluationRequest request, HouseType? houseType, List<FieldError> errors)
    {
        var landed = houseType is { } type && model.TryGetHouseType(type, out var definition) && definition.Landed;
        int? floor = null;
        if (landed)
        {
            if (request.Floor is not null)
            {
                errors.Add(Error("floor", "E_FLOOR_NA"));
            }
        }
        else if (request.Floor is null)
        {
            if (houseType is not null)
            {
                errors.Add(Required("floor"));
            }
        }
        else if (Integer(request.Floor.Value, "floor", errors) is { } f)
        {
            var (min, max) = model.Range("floor");
            if (f == 0)
            {
                errors.Add(Error("floor", "E_FLOOR_ORDER"));
            }
            else if (f < min || f > max)
            {
                errors.Add(RangeError("floor", min, max));
            }
            else
            {
                floor = f;
            }
        }

        int? total = null;
        if (request.TotalFloors is null)
        {
            if (!landed && houseType is not null)
            {
                errors.Add(Required("totalFloors"));
            }
        }
        else if (Integer(request.TotalFloors.Value, "totalFloors", errors) is { } t)
        {
            var (min, max) = model.Range("totalFloors");
            if (t < min || t > max)
            {
                errors.Add(RangeError("totalFloors", min, max));
            }
            else
            {
                total = t;
            }
        }

        if (floor is not null && total is not null && floor > total)
        {
            errors.Add(Error("floor", "E_FLOOR_ORDER"));
        }
        return (floor, total);
    }

    private List<EnvEntry> ValidateEnv(IReadOnlyList<EnvItemInput?>? items, List<FieldError> errors)
    {
        var result = new List<EnvEntry>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < (items?.Count ?? 0); i++)
        {
            var path = $"env[{i}]";
            var item = items![i];
            if (item is null)
            {
                errors.Add(Required(path));
                continue;
            }
            var remedy = OptionalRemedy(item.Remedy, $"{path}.remedy", errors);
            if (item.Count is not null)
            {
                errors.Add(Error($"{path}.count", "E_COUNT_NA"));
            }
            if (item.Id is null)
            {
                errors.Add(Required($"{path}.id"));
                continue;
            }
            if (!model.TryGetEnvItem(item.Id, out var definition))
            {
                errors.Add(EnumError($"{path}.id", item.Id));
                continue;
            }
            if (!seen.Add(item.Id))
            {
                errors.Add(Error($"{path}.id", "E_DUPLICATE"));
                continue;
            }
            var exposureId = item.Exposure;
            if (exposureId is null && definition.ExposureType == "PRES")
            {
                // A presence item has exactly one exposure, so it need not be typed in.
                exposureId = model.Exposures.Single(e => e.Type == "PRES").Id;
            }
            if (exposureId is null)
            {
                errors.Add(Required($"{path}.exposure"));
                continue;
            }
            if (!model.TryGetExposure(exposureId, out var exposure))
            {
                errors.Add(EnumError($"{path}.exposure", exposureId));
                continue;
            }
            if (exposure.Type != definition.ExposureType)
            {
                errors.Add(Error($"{path}.exposure", "E_EXPOSURE"));
                continue;
            }
            result.Add(new EnvEntry(item.Id, exposureId, remedy));
        }
        return result;
    }

    private void ValidateOptions(
        string group, string[] factors, Func<string, OptionInput?> input, List<OptionChoice> choices, List<FieldError> errors)
    {
        foreach (var factorId in factors)
        {
            var path = $"{group}.{factorId}";
            var given = input(factorId);
            if (given is null)
            {
                errors.Add(Required(path));
                continue;
            }
            var remedy = OptionalRemedy(given.Remedy, $"{path}.remedy", errors);
            if (given.Option is null)
            {
                errors.Add(Required($"{path}.option"));
                continue;
            }
            var option = model.Factor(factorId).Options.FirstOrDefault(o => o.Id == given.Option);
            if (option is null)
            {
                errors.Add(EnumError($"{path}.option", given.Option));
                continue;
            }
            if (remedy != Remedy.NONE && option.Score >= model.OptionNeutral)
            {
                errors.Add(Error($"{path}.remedy", "E_REMEDY_NA"));
                continue;
            }
            choices.Add(new OptionChoice(factorId, option.Id, remedy));
        }
    }

    private List<InteriorEntry> ValidateInterior(IReadOnlyList<InteriorItemInput?>? items, List<FieldError> errors)
    {
        var result = new List<InteriorEntry>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < (items?.Count ?? 0); i++)
        {
            var path = $"interior[{i}]";
            var item = items![i];
            if (item is null)
            {
                errors.Add(Required(path));
                continue;
            }
            var remedy = OptionalRemedy(item.Remedy, $"{path}.remedy", errors);
            if (item.Id is null)
            {
                errors.Add(Required($"{path}.id"));
                continue;
            }
            if (!model.TryGetInteriorItem(item.Id, out var definition))
            {
                errors.Add(EnumError($"{path}.id", item.Id));
                continue;
            }
            if (!seen.Add(item.Id))
            {
                errors.Add(Error($"{path}.id", "E_DUPLICATE"));
                continue;
            }
            var count = 1;
            if (item.Count is not null)
            {
                if (!definition.Countable)
                {
                    errors.Add(Error($"{path}.count", "E_COUNT_NA"));
                    continue;
                }
                if (Integer(item.Count.Value, $"{path}.count", errors) is not { } c)
                {
                    continue;
                }
                var (min, max) = model.Range("count");
                if (c < min || c > max)
                {
                    errors.Add(RangeError($"{path}.count", min, max));
                    continue;
                }
                count = c;
            }
            result.Add(new InteriorEntry(item.Id, count, remedy));
        }
        return result;
    }

    private List<Measurement> ValidateMeasurements(IReadOnlyList<MeasurementInput?>? items, List<FieldError> errors)
    {
        var result = new List<Measurement>();
        var count = items?.Count ?? 0;
        if (count > model.Luban.MaxMeasurements)
        {
            errors.Add(Error("measurements", "E_TOO_MANY"));
        }
        bool mainWidth = false, mainHeight = false;
        for (var i = 0; i < count; i++)
        {
            var path = $"measurements[{i}]";
            var item = items![i];
            if (item is null)
            {
                errors.Add(Required(path));
                continue;
            }
            var element = RequiredEnum<MeasureElement>(item.Element, $"{path}.element", errors);
            var dimension = RequiredEnum<Dimension>(item.Dimension, $"{path}.dimension", errors);
            mainWidth |= element == MeasureElement.MAIN_DOOR && dimension == Dimension.WIDTH;
            mainHeight |= element == MeasureElement.MAIN_DOOR && dimension == Dimension.HEIGHT;
            var cm = Length(item.Cm, $"{path}.cm", errors);
            if (cm is null || element is null || dimension is null)
            {
                continue;
            }
            var (min, max) = model.Range(RangeName(element.Value, dimension.Value));
            if (cm < min || cm > max)
            {
                errors.Add(RangeError($"{path}.cm", min, max));
                continue;
            }
            result.Add(new Measurement(element.Value, dimension.Value, cm.Value));
        }
        if (!mainWidth || !mainHeight)
        {
            errors.Add(Error("measurements", "E_MAIN_DOOR"));
        }
        return result;
    }

    // Door heights have their own range; every other door dimension uses the width range (§8.2).
    private static string RangeName(MeasureElement element, Dimension dimension) => element switch
    {
        MeasureElement.WINDOW => "window",
        MeasureElement.FURNITURE or MeasureElement.ANCESTRAL_TABLET => "furniture",
        _ => dimension == Dimension.HEIGHT ? "doorHeight" : "doorWidth",
    };

    private decimal? Length(LenientNumber? value, string path, List<FieldError> errors)
    {
        if (value is null)
        {
            errors.Add(Required(path));
            return null;
        }
        if (!value.Value.TryGetDecimal(out var cm))
        {
            errors.Add(Error(path, "E_NOT_NUMBER"));
            return null;
        }
        if (decimal.Round(cm, 2) != cm)
        {
            errors.Add(Error(path, "E_PRECISION"));
            return null;
        }
        return LubanRuler.Trim(cm);
    }

    private int? Integer(LenientNumber value, string path, List<FieldError> errors)
    {
        // A fractional floor or count is not a number of floors or items.
        if (!value.TryGetDecimal(out var number) || decimal.Truncate(number) != number || Math.Abs(number) > int.MaxValue)
        {
            errors.Add(Error(path, "E_NOT_NUMBER"));
            return null;
        }
        return (int)number;
    }

    private Remedy OptionalRemedy(string? text, string path, List<FieldError> errors)
    {
        if (text is null)
        {
            return Remedy.NONE;
        }
        if (WireEnum.TryParse<Remedy>(text, out var remedy))
        {
            return remedy;
        }
        errors.Add(EnumError(path, text));
        return Remedy.NONE;
    }

    private TEnum? RequiredEnum<TEnum>(string? text, string path, List<FieldError> errors) where TEnum : struct, Enum
    {
        if (text is null)
        {
            errors.Add(Required(path));
            return null;
        }
        if (WireEnum.TryParse<TEnum>(text, out var value))
        {
            return value;
        }
        errors.Add(EnumError(path, text));
        return null;
    }

    private FieldError Required(string path) => Error(path, "E_REQUIRED", ("field", path));

    private FieldError EnumError(string path, string value) => Error(path, "E_ENUM", ("value", value));

    private FieldError RangeError(string path, decimal min, decimal max) =>
        Error(path, "E_RANGE", ("min", min.ToString(CultureInfo.InvariantCulture)), ("max", max.ToString(CultureInfo.InvariantCulture)));

    private FieldError Error(string path, string code, params (string Name, string Value)[] arguments)
    {
        var (zh, en) = model.ErrorMessage(code);
        foreach (var (name, value) in arguments)
        {
            zh = zh.Replace("{" + name + "}", value, StringComparison.Ordinal);
            en = en.Replace("{" + name + "}", value, StringComparison.Ordinal);
        }
        return new FieldError(path, code, en, zh);
    }
}
