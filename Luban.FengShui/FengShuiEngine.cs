using Luban.FengShui.Comparison;
using Luban.FengShui.Input;
using Luban.FengShui.Model;
using Luban.FengShui.Ruler;
using Luban.FengShui.Scoring;
using Luban.FengShui.Validation;

namespace Luban.FengShui;

/// <summary>Either a scored house or every field error of the request.</summary>
public sealed record EvaluationOutcome(EvaluationResult? Result, IReadOnlyList<FieldError> Errors)
{
    public bool IsValid => Result is not null;
}

/// <summary>The one entry point the web layer needs: validate + score, read the ruler, compare records.</summary>
public sealed class FengShuiEngine(FengShuiModel model)
{
    public static FengShuiEngine Default { get; } = new(FengShuiModel.Default);

    public FengShuiModel Model { get; } = model;
    public LubanRuler Ruler { get; } = new(model);
    public HouseValidator Validator { get; } = new(model);
    public HouseScorer Scorer { get; } = new(model);
    public RecordComparer Comparer { get; } = new(model);

    public EvaluationOutcome Evaluate(EvaluationRequest? request)
    {
        var validation = Validator.Validate(request);
        return validation.IsValid ? new EvaluationOutcome(Scorer.Score(validation.House!), []) : new EvaluationOutcome(null, validation.Errors);
    }

    public RecordComparison Compare(EvaluationResult a, EvaluationResult b) => Comparer.Compare(a, b);
}
