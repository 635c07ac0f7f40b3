using System.Text.Json.Serialization;

namespace Luban.FengShui.Input;

// The POST /api/evaluations body of issue 3, unvalidated: enum fields stay strings so that an unknown value is an
// E_ENUM field error rather than a binding failure.

public sealed record EvaluationRequest
{
    public string? Label { get; init; }
    public string? HouseType { get; init; }
    public LenientNumber? Floor { get; init; }
    public LenientNumber? TotalFloors { get; init; }
    public string? FacingBasis { get; init; }
    public string? RulerProfile { get; init; }
    public IReadOnlyList<EnvItemInput?>? Env { get; init; }
    public WaterRoadInput? WaterRoad { get; init; }
    public ExteriorInput? Exterior { get; init; }
    public IReadOnlyList<InteriorItemInput?>? Interior { get; init; }
    public IReadOnlyList<MeasurementInput?>? Measurements { get; init; }
}

public sealed record EnvItemInput
{
    public string? Id { get; init; }
    public string? Exposure { get; init; }
    public string? Remedy { get; init; }
    // Not part of the API; present only so that a client sending it hears E_COUNT_NA instead of silence.
    public LenientNumber? Count { get; init; }
}

public sealed record InteriorItemInput
{
    public string? Id { get; init; }
    public LenientNumber? Count { get; init; }
    public string? Remedy { get; init; }
}

public sealed record OptionInput
{
    public string? Option { get; init; }
    public string? Remedy { get; init; }
}

public sealed record WaterRoadInput
{
    [JsonPropertyName("W1")] public OptionInput? W1 { get; init; }
    [JsonPropertyName("W2")] public OptionInput? W2 { get; init; }
    [JsonPropertyName("W3")] public OptionInput? W3 { get; init; }
    [JsonPropertyName("W4")] public OptionInput? W4 { get; init; }
    [JsonPropertyName("W5")] public OptionInput? W5 { get; init; }

    public OptionInput? this[string factor] => factor switch
    {
        "W1" => W1,
        "W2" => W2,
        "W3" => W3,
        "W4" => W4,
        "W5" => W5,
        _ => null,
    };
}

public sealed record ExteriorInput
{
    [JsonPropertyName("X1")] public OptionInput? X1 { get; init; }
    [JsonPropertyName("X2")] public OptionInput? X2 { get; init; }
    [JsonPropertyName("X3")] public OptionInput? X3 { get; init; }
    [JsonPropertyName("X4")] public OptionInput? X4 { get; init; }
    [JsonPropertyName("X6")] public OptionInput? X6 { get; init; }

    public OptionInput? this[string factor] => factor switch
    {
        "X1" => X1,
        "X2" => X2,
        "X3" => X3,
        "X4" => X4,
        "X6" => X6,
        _ => null,
    };
}

public sealed record MeasurementInput
{
    public string? Element { get; init; }
    public string? Dimension { get; init; }
    public LenientNumber? Cm { get; init; }
}
