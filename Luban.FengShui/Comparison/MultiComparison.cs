using Luban.FengShui.Model;
using Luban.FengShui.Scoring;
using Luban.FengShui.Validation;

namespace Luban.FengShui.Comparison;

/// <summary>One category score of a compared record, as the chart draws it.</summary>
public sealed record CategoryScore(Category Category, decimal Score, decimal Weight);

/// <summary>A compared record in short: what the table's column and the chart's series show.</summary>
public sealed record ComparedRecord(
    string? Id,
    string? Label,
    DateTimeOffset? CreatedAt,
    string Model,
    RulerProfileId RulerProfile,
    HouseType HouseType,
    decimal Total,
    Grade Grade,
    string GradeZh,
    string GradeEn,
    IReadOnlyList<CategoryScore> Categories,
    bool Recomputed);

/// <summary>
/// §7.7 for two to four records: each record in short, and the first (the baseline) compared with each of the others
/// (deltas are other − baseline). SameBasis is false when the models or ruler profiles differ; the caller may then
/// recompute every record under the current model with one profile (<see cref="RecordRecompute"/>).
/// </summary>
public sealed record MultiComparison(
    IReadOnlyList<ComparedRecord> Records,
    bool SameBasis,
    IReadOnlyList<Warning> Warnings,
    IReadOnlyList<RecordComparison> Deltas);

public static class MultiComparer
{
    public const int MinRecords = 2;
    public const int MaxRecords = 4;

    /// <param name="recomputed">Ids of records whose scores were recomputed rather than stored (shown as such).</param>
    public static MultiComparison Compare(RecordComparer comparer, IReadOnlyList<EvaluationResult> records, IReadOnlySet<string?>? recomputed = null)
    {
        if (records.Count is < MinRecords or > MaxRecords)
        {
            throw new ArgumentOutOfRangeException(nameof(records), records.Count, $"compare {MinRecords} to {MaxRecords} records");
        }
        var baseline = records[0];
        var deltas = records.Skip(1).Select(other => comparer.Compare(baseline, other)).ToList();
        var sameBasis = deltas.All(d => d.SameBasis);
        var warnings = sameBasis ? [] : deltas.First(d => !d.SameBasis).Warnings;
        var shorts = records.Select(r => new ComparedRecord(
            r.Id, r.Label, r.CreatedAt, r.Model, r.RulerProfile, r.HouseType, r.Total, r.Grade, r.GradeZh, r.GradeEn,
            [.. r.Categories.All.Select(c => new CategoryScore(c.Category, c.Score, c.Weight))],
            recomputed?.Contains(r.Id) ?? false)).ToList();
        return new MultiComparison(shorts, sameBasis, warnings, deltas);
    }
}

/// <summary>§7.7 "offer to recompute": a stored record scored again from its own inputs under the current model.</summary>
public static class RecordRecompute
{
    /// <summary>The record re-scored with <paramref name="profile"/>; null when it kept no inputs or they no longer validate.</summary>
    public static EvaluationResult? Recompute(FengShuiEngine engine, EvaluationResult record, RulerProfileId profile)
    {
        if (record.Input is null)
        {
            return null;
        }
        var outcome = engine.Evaluate(record.Input with { RulerProfile = profile.ToString() });
        return outcome.Result is { } result
            ? result with { Id = record.Id, CreatedAt = record.CreatedAt, Label = record.Label, Input = record.Input }
            : null;
    }
}
