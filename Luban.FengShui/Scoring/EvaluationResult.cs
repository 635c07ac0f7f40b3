using System.Text.Json.Serialization;
using Luban.FengShui.Input;
using Luban.FengShui.Model;
using Luban.FengShui.Ruler;
using Luban.FengShui.Validation;

namespace Luban.FengShui.Scoring;

/// <summary>
/// The score of one house (§7) with its explanation (§7.5). Rounded figures are what users see; the *Exact figures
/// keep full decimal precision so that comparisons and stored records never re-round a rounded number.
/// </summary>
public sealed record EvaluationResult
{
    /// <summary>Set by whoever stores the record; the scorer leaves it empty (and then it is left out of the JSON).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Id { get; init; }
    /// <summary>Set by the web layer: true for a stored record, false for one evaluated without saving.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? Saved { get; init; }
    public DateTimeOffset? CreatedAt { get; init; }
    public string? Label { get; init; }
    /// <summary>The request the record was computed from (§7.7 "each record stores the inputs"); set by the store.</summary>
    public EvaluationRequest? Input { get; init; }
    public required string Model { get; init; }
    public required RulerProfileId RulerProfile { get; init; }
    public required HouseType HouseType { get; init; }
    public required decimal Total { get; init; }
    public required decimal TotalExact { get; init; }
    public required Grade Grade { get; init; }
    public required string GradeZh { get; init; }
    public required string GradeEn { get; init; }
    /// <summary>True when the severe cap (§7.4) lowered the grade.</summary>
    public required bool Capped { get; init; }
    /// <summary>Report-level flags, e.g. SEVERE_UNREMEDIED.</summary>
    public required IReadOnlyList<string> Flags { get; init; }
    public required CategoryScores Categories { get; init; }
    public required IReadOnlyList<Issue> TopIssues { get; init; }
    public required IReadOnlyList<MeasurementResult> Measurements { get; init; }
    public required IReadOnlyList<Warning> Warnings { get; init; }
    public required string Disclaimer { get; init; }
    public required string DisclaimerEn { get; init; }
}

public sealed record CategoryScores(
    [property: JsonPropertyName("ENV")] CategoryResult Env,
    [property: JsonPropertyName("WATER_ROAD")] CategoryResult WaterRoad,
    [property: JsonPropertyName("EXTERIOR")] CategoryResult Exterior,
    [property: JsonPropertyName("INTERIOR")] CategoryResult Interior,
    [property: JsonPropertyName("LUBAN")] CategoryResult Luban)
{
    [JsonIgnore]
    public IEnumerable<CategoryResult> All => [Env, WaterRoad, Exterior, Interior, Luban];

    public CategoryResult this[Category category] => category switch
    {
        Category.ENV => Env,
        Category.WATER_ROAD => WaterRoad,
        Category.EXTERIOR => Exterior,
        Category.INTERIOR => Interior,
        _ => Luban,
    };
}

/// <summary>§7.5: score S (rounded half-up to 1 decimal), weight, lost = weight × (100 − S)/100, and what made it.</summary>
public sealed record CategoryResult(
    Category Category,
    decimal Score,
    decimal ScoreExact,
    decimal Weight,
    decimal Lost,
    decimal LostExact,
    IReadOnlyList<ItemExplanation> Items,
    IReadOnlyList<OptionExplanation> Options);

/// <summary>A deduction item (ENV, INTERIOR) with its formula p = points × exposure × floor × remedy × count.</summary>
public sealed record ItemExplanation(
    string Id,
    string Zh,
    string En,
    int Severity,
    string? Exposure,
    int Count,
    Remedy Remedy,
    decimal Points,
    decimal ExposureFactor,
    decimal FloorModifier,
    decimal RemedyFactor,
    decimal CountMultiplier,
    decimal Penalty,
    decimal WeightedLoss,
    decimal WeightedLossExact,
    string Formula,
    bool Ignored);

/// <summary>An option factor: chosen score, the score after remedy (§7.3) and its share of the category loss.</summary>
public sealed record OptionExplanation(
    string Factor,
    string Option,
    string Zh,
    string En,
    decimal Weight,
    decimal Score,
    Remedy Remedy,
    decimal AdjustedScore,
    bool Derived,
    decimal WeightedLoss,
    decimal WeightedLossExact);

public sealed record MeasurementResult(
    MeasureElement Element,
    Dimension Dimension,
    decimal Cm,
    RulerProfileId Profile,
    int Cycle,
    decimal RemainderCm,
    int SectionIndex,
    string Section,
    string SectionEn,
    int SubIndex,
    string SubSection,
    string SubSectionEn,
    string Luck,
    IReadOnlyList<string> Flags,
    IReadOnlyList<RulerSuggestion> Suggestions,
    decimal? Score,
    decimal Weight,
    decimal WeightedLoss,
    decimal WeightedLossExact);

/// <summary>
/// One entry of topIssues: what costs the total how much (weightedLoss, points of the total), with the usual remedies
/// in English (CommonRemedies) and zh-TW (CommonRemediesZh).
/// </summary>
public sealed record Issue(
    Category Category,
    string Id,
    string Zh,
    string En,
    decimal WeightedLoss,
    decimal WeightedLossExact,
    Remedy Remedy,
    string? Formula,
    string? CommonRemedies,
    string? CommonRemediesZh);
