using Luban.FengShui.Model;

namespace Luban.FengShui.Validation;

/// <summary>A validated, typed home description: the only input the scorer accepts.</summary>
public sealed record House(
    string? Label,
    HouseType HouseType,
    int? Floor,
    int? TotalFloors,
    FacingBasis FacingBasis,
    RulerProfileId RulerProfile,
    IReadOnlyList<EnvEntry> Env,
    IReadOnlyList<OptionChoice> Options,
    IReadOnlyList<InteriorEntry> Interior,
    IReadOnlyList<Measurement> Measurements);

public sealed record EnvEntry(string Id, string Exposure, Remedy Remedy);

/// <summary>The chosen option of a factor (W1…W5, X1…X4, X6).</summary>
public sealed record OptionChoice(string Factor, string Option, Remedy Remedy);

public sealed record InteriorEntry(string Id, int Count, Remedy Remedy);

public sealed record Measurement(MeasureElement Element, Dimension Dimension, decimal Cm);

/// <summary>One rejected field: JSON path (e.g. <c>env[2].exposure</c>), §8 code and both messages.</summary>
public sealed record FieldError(string Field, string Code, string Message, string MessageZh);

/// <summary>
/// A §8.3 warning: the record is accepted. Field is the JSON path it concerns, when there is one; Subject and
/// SubjectZh name that thing for people ("main door width 90 cm", 「大門寬 90 公分」).
/// </summary>
public sealed record Warning(string Code, string? Field, string Message, string MessageZh, string? Subject = null, string? SubjectZh = null);

/// <summary>Either a house or every error found in the request.</summary>
public sealed record ValidationOutcome(House? House, IReadOnlyList<FieldError> Errors)
{
    public bool IsValid => House is not null && Errors.Count == 0;
}
