using System.Text.Json.Serialization;

namespace Luban.FengShui.Model;

// Shape of the embedded model.json (FENGSHUI.md §7.1 plus the catalogues); read once, never mutated.
internal sealed record ModelDocument(
    string Model,
    Dictionary<string, decimal> CategoryWeights,
    Dictionary<string, decimal> SeverityPoints,
    Dictionary<string, decimal> RemedyFactor,
    Dictionary<string, decimal> CountMultiplier,
    decimal OptionNeutral,
    GradeDefinition[] Grades,
    SevereCapDefinition SevereCap,
    LubanDefinition Luban,
    RulerProfileDefinition[] RulerProfiles,
    Dictionary<string, RulerSectionDefinition[]> RulerSections,
    ExposureDefinition[] Exposures,
    Dictionary<string, FloorBand[]> FloorModifiers,
    EnvItemDefinition[] EnvItems,
    DoubleCountRule DoubleCount,
    InteriorItemDefinition[] InteriorItems,
    FactorDefinition[] Factors,
    HouseTypeDefinition[] HouseTypes,
    Dictionary<string, decimal[]> Ranges,
    Dictionary<string, string[][]> Terms,
    Dictionary<string, string[]> Errors,
    Dictionary<string, string[]> Warnings,
    string[] Disclaimer);

public sealed record GradeDefinition(decimal Min, string Id, string Zh, string En);
public sealed record SevereCapDefinition(bool Enabled, int Severity, string MaxGrade);
public sealed record SuggestionRule(decimal MinElementScore, decimal MarginCm, decimal RoundToCm, decimal WithinCm, int Max);
public sealed record LubanDefinition(
    string Profile,
    Dictionary<string, decimal> MeasureWeight,
    Dictionary<string, string> WeightGroup,
    Dictionary<string, decimal[]> ElementScores,
    Dictionary<string, string> DisplayOnly,
    decimal NearBoundaryCm,
    SuggestionRule Suggestions,
    int MaxMeasurements);
public sealed record RulerProfileDefinition(string Id, decimal CycleCm, string Kind, bool SensitivityPeer, string Zh, string En);
public sealed record RulerSectionDefinition(string Zh, string En, string Luck, string[][] Subs);
public sealed record ExposureDefinition(string Id, string Type, decimal Factor, string? IgnoredWarning, string Zh, string En);
public sealed record FloorBand(int? MaxFloor, decimal Factor, string? IgnoredWarning);
/// <summary>An external sha item of §2; Remedies and Explanation are English, the *Zh twins zh-TW.</summary>
public sealed record EnvItemDefinition(
    string Id, string Zh, string En, int Severity, string ExposureType, string FloorRule, string Explanation, string? ExplanationZh,
    string? Remedies, string? RemediesZh);
public sealed record DoubleCountRule(string Primary, string[] Others, string Exposure);
/// <summary>An interior item of §6; Remedies and Explanation are English, the *Zh twins zh-TW.</summary>
public sealed record InteriorItemDefinition(
    string Id, string Zh, string En, int Severity, bool Countable, string Explanation, string? ExplanationZh, string? Remedies, string? RemediesZh);
public sealed record OptionDefinition(string Id, string Zh, string? En, decimal Score);
public sealed record FactorDefinition(string Id, string Category, decimal Weight, string Zh, string En, bool Derived, string[]? NotApplicableFor, OptionDefinition[] Options);
public sealed record HouseTypeDefinition(
    string Id, string Zh, string En, bool Landed, int? WarnAboveTotalFloors, int? WarnBelowTotalFloors, string Explanation, string? ExplanationZh);

// Source-generated metadata keeps the library trim/NativeAOT safe (no reflection-based JSON).
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, ReadCommentHandling = System.Text.Json.JsonCommentHandling.Skip)]
[JsonSerializable(typeof(ModelDocument))]
internal sealed partial class ModelJsonContext : JsonSerializerContext;
