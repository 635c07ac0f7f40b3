using Luban.FengShui.Model;
using Luban.FengShui.Ruler;
using Luban.FengShui.Scoring;
using Luban.FengShui.Validation;

namespace Luban.FengShui.Comparison;

/// <summary>§7.7 comparison of two records; every delta is B − A, so a worse B shows negative numbers.</summary>
public sealed record RecordComparison(
    string? A,
    string? B,
    decimal TotalA,
    decimal TotalB,
    decimal TotalDelta,
    Grade GradeA,
    Grade GradeB,
    bool SameBasis,
    IReadOnlyList<Warning> Warnings,
    IReadOnlyList<CategoryDelta> Categories,
    IReadOnlyList<ItemDelta> Items);

/// <summary>Per category: displayed scores, their difference, and the change in points of the total.</summary>
public sealed record CategoryDelta(
    Category Category, decimal ScoreA, decimal ScoreB, decimal ScoreDelta, decimal WeightedDelta, decimal WeightedDeltaExact);

/// <summary>Per item: its effect on the total in each record (−weightedLoss) and the change.</summary>
public sealed record ItemDelta(Category Category, string Key, string Zh, string En, decimal ImpactA, decimal ImpactB, decimal Delta);

public sealed class RecordComparer(FengShuiModel model)
{
    public static RecordComparer Default { get; } = new(FengShuiModel.Default);

    public RecordComparison Compare(EvaluationResult a, EvaluationResult b)
    {
        var warnings = new List<Warning>();
        var sameBasis = a.Model == b.Model && a.RulerProfile == b.RulerProfile;
        if (!sameBasis)
        {
            var (zh, en) = model.WarningMessage("W_BASIS_DIFFERS");
            warnings.Add(new Warning("W_BASIS_DIFFERS", null, en, zh));
        }
        var categories = Enum.GetValues<Category>().Select(c =>
        {
            var ca = a.Categories[c];
            var cb = b.Categories[c];
            var weighted = (cb.Weight * cb.ScoreExact - ca.Weight * ca.ScoreExact) / 100m;
            return new CategoryDelta(c, ca.Score, cb.Score, cb.Score - ca.Score, Round4(weighted), weighted);
        }).ToList();

        var impactsA = Impacts(a);
        var impactsB = Impacts(b);
        var items = impactsA.Keys.Union(impactsB.Keys)
            .Select(key =>
            {
                impactsA.TryGetValue(key, out var ia);
                impactsB.TryGetValue(key, out var ib);
                var label = ib ?? ia!;
                var delta = (ib?.Value ?? 0m) - (ia?.Value ?? 0m);
                return new ItemDelta(key.Category, key.Key, label.Zh, label.En, Round4(ia?.Value ?? 0m), Round4(ib?.Value ?? 0m), Round4(delta));
            })
            .OrderBy(d => Math.Abs(d.Delta) == 0m ? 1 : 0)
            .ThenByDescending(d => Math.Abs(d.Delta))
            .ThenBy(d => d.Category)
            .ThenBy(d => d.Key, StringComparer.Ordinal)
            .ToList();

        // §7.7: the total delta is taken from the displayed (rounded) totals.
        return new RecordComparison(a.Id, b.Id, a.Total, b.Total, b.Total - a.Total, a.Grade, b.Grade, sameBasis, warnings, categories, items);
    }

    private static decimal Round4(decimal value) => LubanRuler.Trim(decimal.Round(value, 4, MidpointRounding.AwayFromZero));

    private sealed record Impact(decimal Value, string Zh, string En);

    private static Dictionary<(Category Category, string Key), Impact> Impacts(EvaluationResult result)
    {
        var impacts = new Dictionary<(Category, string), Impact>();
        foreach (var category in result.Categories.All)
        {
            foreach (var item in category.Items)
            {
                impacts[(category.Category, item.Id)] = new Impact(-item.WeightedLossExact, item.Zh, item.En);
            }
            foreach (var option in category.Options)
            {
                impacts[(category.Category, option.Factor)] = new Impact(-option.WeightedLossExact, option.Zh, option.En);
            }
        }
        // Measurements have no id; element.dimension plus its occurrence number pairs them across records.
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var m in result.Measurements)
        {
            var baseKey = $"{m.Element}.{m.Dimension}";
            seen[baseKey] = seen.GetValueOrDefault(baseKey) + 1;
            var key = seen[baseKey] == 1 ? baseKey : $"{baseKey}#{seen[baseKey]}";
            impacts[(Category.LUBAN, key)] = new Impact(-m.WeightedLossExact, $"{m.Cm} {m.Section}·{m.SubSection}", $"{m.Cm} cm {m.SectionEn}");
        }
        return impacts;
    }
}
