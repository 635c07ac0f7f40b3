using System.Text.Json.Serialization;
using Luban.FengShui.Comparison;
using Luban.FengShui.Examples;
using Luban.FengShui.Input;
using Luban.FengShui.Model;
using Luban.FengShui.Ruler;
using Luban.FengShui.Scoring;
using Luban.Web.Accounts;
using Luban.Web.Records;

namespace Luban.Web.Api;

/// <param name="LuckyRanges">The nearest auspicious lengths on this profile, whatever the element (the ruler tool).</param>
public sealed record RulerAnswer(
    decimal Cm, RulerProfileId Profile, MeasureElement? Element, int Cycle, decimal RemainderCm, int SectionIndex, string Section, string SectionEn,
    int SubIndex, string SubSection, string SubSectionEn, string Luck, decimal CellStartCm, decimal CellEndCm, decimal? Score,
    IReadOnlyList<string> Flags, IReadOnlyList<RulerSuggestion> Suggestions, IReadOnlyList<RulerSuggestion> LuckyRanges);

/// <summary>Terms for labels and help, plus the catalogue the stepwise form is built from.</summary>
public sealed record DefinitionsAnswer(
    string Model,
    string Disclaimer,
    string DisclaimerEn,
    IReadOnlyList<Term> Terms,
    IReadOnlyList<EnvItemDefinition> EnvItems,
    IReadOnlyList<InteriorItemDefinition> InteriorItems,
    IReadOnlyList<ExposureDefinition> Exposures,
    IReadOnlyList<FactorDefinition> Factors,
    IReadOnlyList<HouseTypeDefinition> HouseTypes,
    RulerProfileId DefaultProfile);

public sealed record HealthAnswer(string Status, string Instance);

// Every type that crosses the wire, so no reflection-based serializer is ever needed (NativeAOT).
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    UseStringEnumConverter = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    MaxDepth = 32)]
[JsonSerializable(typeof(EvaluationRequest))]
[JsonSerializable(typeof(EvaluationResult))]
[JsonSerializable(typeof(RecordComparison))]
[JsonSerializable(typeof(CompareAnswer))]
[JsonSerializable(typeof(EvaluationPage))]
[JsonSerializable(typeof(ValidationProblem))]
[JsonSerializable(typeof(RulerAnswer))]
[JsonSerializable(typeof(DefinitionsAnswer))]
[JsonSerializable(typeof(HealthAnswer))]
[JsonSerializable(typeof(IReadOnlyList<HouseExample>))]
[JsonSerializable(typeof(Credentials))]
[JsonSerializable(typeof(PasswordChange))]
[JsonSerializable(typeof(AccountAnswer))]
[JsonSerializable(typeof(AntiforgeryAnswer))]
[JsonSerializable(typeof(LabelChange))]
[JsonSerializable(typeof(ShareAnswer))]
public sealed partial class AppJsonContext : JsonSerializerContext;
