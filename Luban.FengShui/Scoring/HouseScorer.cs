using System.Globalization;
using Luban.FengShui.Model;
using Luban.FengShui.Ruler;
using Luban.FengShui.Validation;

namespace Luban.FengShui.Scoring;

/// <summary>The quantitative model of §7, in System.Decimal throughout (no binary floating point).</summary>
public sealed class HouseScorer(FengShuiModel model)
{
    private readonly LubanRuler _ruler = new(model);

    public static HouseScorer Default { get; } = new(FengShuiModel.Default);

    public EvaluationResult Score(House house)
    {
        var warnings = new List<Warning>();
        var env = ScoreEnv(house, warnings);
        var waterRoad = ScoreOptions(Category.WATER_ROAD, house, null);
        var exterior = ScoreOptions(Category.EXTERIOR, house, DeriveFloorPosition(house));
        var interior = ScoreInterior(house);
        var (luban, measurements) = ScoreLuban(house, warnings);
        var categories = new CategoryScores(env, waterRoad, exterior, interior, luban);

        var totalExact = categories.All.Sum(c => c.Weight * c.ScoreExact) / 100m;
        var total = Round1(totalExact);
        var grade = GradeFor(total);
        var severe = HasSevereUnremedied(house);
        var capped = false;
        if (severe && model.SevereCap.Enabled)
        {
            var maxGrade = Enum.Parse<Grade>(model.SevereCap.MaxGrade);
            if (grade < maxGrade)
            {
                grade = maxGrade;
                capped = true;
            }
        }
        var gradeDefinition = model.Grades.Single(g => g.Id == grade.ToString());
        AddHouseWarnings(house, warnings);

        return new EvaluationResult
        {
            Label = house.Label,
            Model = model.Id,
            RulerProfile = house.RulerProfile,
            HouseType = house.HouseType,
            Total = total,
            TotalExact = totalExact,
            Grade = grade,
            GradeZh = gradeDefinition.Zh,
            GradeEn = gradeDefinition.En,
            Capped = capped,
            Flags = severe ? ["SEVERE_UNREMEDIED"] : [],
            Categories = categories,
            TopIssues = TopIssues(categories),
            Measurements = measurements,
            Warnings = warnings,
            Disclaimer = model.Disclaimer.Zh,
            DisclaimerEn = model.Disclaimer.En,
        };
    }

    /// <summary>Half-up to one decimal, as §7.2 prescribes for T and every S.</summary>
    public static decimal Round1(decimal value) => decimal.Round(value, 1, MidpointRounding.AwayFromZero);

    private static decimal Round4(decimal value) => LubanRuler.Trim(decimal.Round(value, 4, MidpointRounding.AwayFromZero));

    private Grade GradeFor(decimal roundedTotal) =>
        Enum.Parse<Grade>(model.Grades.OrderByDescending(g => g.Min).First(g => roundedTotal >= g.Min).Id);

    private bool HasSevereUnremedied(House house)
    {
        var severity = model.SevereCap.Severity;
        var env = house.Env.Any(e => e.Remedy == Remedy.NONE && model.TryGetEnvItem(e.Id, out var d) && d.Severity >= severity);
        var interior = house.Interior.Any(e => e.Remedy == Remedy.NONE && model.TryGetInteriorItem(e.Id, out var d) && d.Severity >= severity);
        return env || interior;
    }

    // Townhouses and villas own the whole building: floor modifiers read them as 1F (§4).
    private int EffectiveFloor(House house) =>
        model.TryGetHouseType(house.HouseType, out var type) && type.Landed ? 1 : house.Floor ?? 1;

    private CategoryResult ScoreEnv(House house, List<Warning> warnings)
    {
        var weight = model.CategoryWeight(Category.ENV);
        var floor = EffectiveFloor(house);
        var items = new List<ItemExplanation>();
        for (var i = 0; i < house.Env.Count; i++)
        {
            var entry = house.Env[i];
            model.TryGetEnvItem(entry.Id, out var definition);
            model.TryGetExposure(entry.Exposure, out var exposure);
            var band = model.FloorBands(definition.FloorRule).First(b => b.MaxFloor is null || floor <= b.MaxFloor);
            var ignored = exposure.Factor == 0 || band.Factor == 0;
            if (exposure.IgnoredWarning is { } distanceWarning && exposure.Factor == 0)
            {
                warnings.Add(Warn(distanceWarning, $"env[{i}].exposure", (definition.Zh, definition.En)));
            }
            if (band.IgnoredWarning is { } floorWarning && band.Factor == 0)
            {
                warnings.Add(Warn(floorWarning, $"env[{i}].id", (definition.Zh, definition.En)));
            }
            items.Add(Deduction(definition.Id, definition.Zh, definition.En, definition.Severity, entry.Exposure,
                exposure.Factor, band.Factor, entry.Remedy, 1, weight, ignored));
        }
        return DeductionCategory(Category.ENV, weight, items);
    }

    private CategoryResult ScoreInterior(House house)
    {
        var weight = model.CategoryWeight(Category.INTERIOR);
        var items = new List<ItemExplanation>();
        foreach (var entry in house.Interior)
        {
            model.TryGetInteriorItem(entry.Id, out var definition);
            // §7.2: interior items always use exposure 1 and floorMod 1.
            items.Add(Deduction(definition.Id, definition.Zh, definition.En, definition.Severity, null, 1m, 1m,
                entry.Remedy, entry.Count, weight, false));
        }
        return DeductionCategory(Category.INTERIOR, weight, items);
    }

    private ItemExplanation Deduction(
        string id, string zh, string en, int severity, string? exposure, decimal exposureFactor, decimal floorModifier,
        Remedy remedy, int count, decimal categoryWeight, bool ignored)
    {
        var points = model.SeverityPoints(severity);
        var remedyFactor = model.RemedyFactor(remedy);
        var countMultiplier = model.CountMultiplier(count);
        var penalty = points * exposureFactor * floorModifier * remedyFactor * countMultiplier;
        var weightedLoss = penalty * categoryWeight / 100m;
        var formula = string.Create(CultureInfo.InvariantCulture,
            $"{points:0.##} × {exposureFactor:0.0} × {floorModifier:0.0} × {remedyFactor:0.00} × {countMultiplier:0.0} = {LubanRuler.Trim(penalty)}");
        return new ItemExplanation(id, zh, en, severity, exposure, count, remedy, points, exposureFactor, floorModifier,
            remedyFactor, countMultiplier, LubanRuler.Trim(penalty), Round4(weightedLoss), weightedLoss, formula, ignored);
    }

    private static CategoryResult DeductionCategory(Category category, decimal weight, List<ItemExplanation> items)
    {
        var score = Math.Max(0m, 100m - items.Sum(i => i.Penalty));
        return MakeCategory(category, weight, score, items, []);
    }

    private static CategoryResult MakeCategory(
        Category category, decimal weight, decimal scoreExact, IReadOnlyList<ItemExplanation> items, IReadOnlyList<OptionExplanation> options)
    {
        var lost = weight * (100m - scoreExact) / 100m;
        return new CategoryResult(category, Round1(scoreExact), scoreExact, weight, Round4(lost), lost, items, options);
    }

    private string? DeriveFloorPosition(House house)
    {
        var factor = model.FactorsOf(Category.EXTERIOR).FirstOrDefault(f => f.Derived);
        if (factor is null || house.Floor is not { } floor
            || (factor.NotApplicableFor ?? []).Contains(house.HouseType.ToString(), StringComparer.Ordinal))
        {
            return null;
        }
        // §5 X5: BASEMENT < 1F; GROUND 1F; TOP when floor = totalFloors ≥ 2; LOW 2–5F; MID from 6F.
        if (floor < 0)
        {
            return "BASEMENT";
        }
        if (floor == 1)
        {
            return "GROUND";
        }
        if (house.TotalFloors is { } total && total >= 2 && floor == total)
        {
            return "TOP";
        }
        return floor <= 5 ? "LOW" : "MID";
    }

    private CategoryResult ScoreOptions(Category category, House house, string? derivedOption)
    {
        var weight = model.CategoryWeight(category);
        var neutral = model.OptionNeutral;
        var rows = new List<(FactorDefinition Factor, OptionDefinition Option, Remedy Remedy)>();
        foreach (var factor in model.FactorsOf(category))
        {
            if (factor.Derived)
            {
                // Not applicable (townhouse, villa): the factor drops out and the other weights renormalise.
                if (derivedOption is not null)
                {
                    rows.Add((factor, factor.Options.Single(o => o.Id == derivedOption), Remedy.NONE));
                }
                continue;
            }
            var choice = house.Options.Single(o => o.Factor == factor.Id);
            rows.Add((factor, factor.Options.Single(o => o.Id == choice.Option), choice.Remedy));
        }
        var weightSum = rows.Sum(r => r.Factor.Weight);
        var options = rows.Select(r =>
        {
            // §7.3: a remedy closes part of the gap to neutral and never lifts an option above it.
            var adjusted = r.Option.Score < neutral ? neutral - (neutral - r.Option.Score) * model.RemedyFactor(r.Remedy) : r.Option.Score;
            var loss = weight * r.Factor.Weight * (100m - adjusted) / weightSum / 100m;
            return new OptionExplanation(r.Factor.Id, r.Option.Id, r.Option.Zh, FengShuiModel.OptionEnglish(r.Option),
                r.Factor.Weight, r.Option.Score, r.Remedy, LubanRuler.Trim(adjusted), r.Factor.Derived, Round4(loss), loss);
        }).ToList();
        var score = options.Sum(o => o.Weight * o.AdjustedScore) / weightSum;
        return MakeCategory(category, weight, score, [], options);
    }

    private (CategoryResult Category, List<MeasurementResult> Measurements) ScoreLuban(House house, List<Warning> warnings)
    {
        var weight = model.CategoryWeight(Category.LUBAN);
        var weightSum = house.Measurements.Sum(m => model.MeasureWeight(m.Element));
        var results = new List<MeasurementResult>();
        var weighted = 0m;
        for (var i = 0; i < house.Measurements.Count; i++)
        {
            var measurement = house.Measurements[i];
            var profile = model.DisplayOnlyProfile(measurement.Element) ?? house.RulerProfile;
            var reading = _ruler.Read(measurement.Cm, profile);
            var score = model.ElementScore(measurement.Element, reading.SectionIndex);
            var measureWeight = model.MeasureWeight(measurement.Element);
            var loss = score is { } s && weightSum > 0 ? weight * measureWeight * (100m - s) / weightSum / 100m : 0m;
            weighted += measureWeight * (score ?? 0m);
            foreach (var flag in reading.Flags)
            {
                warnings.Add(Warn(flag, $"measurements[{i}].cm", MeasurementSubject(measurement)));
            }
            results.Add(new MeasurementResult(measurement.Element, measurement.Dimension, measurement.Cm, profile,
                reading.Cycle, reading.RemainderCm, reading.SectionIndex, reading.Section, reading.SectionEn,
                reading.SubIndex, reading.SubSection, reading.SubSectionEn, reading.Luck, reading.Flags,
                _ruler.Suggest(measurement.Cm, profile, measurement.Element), score, measureWeight, Round4(loss), loss));
        }
        // Validation guarantees the main door, so the weight sum is positive; 100 keeps a display-only call total.
        var categoryScore = weightSum > 0 ? weighted / weightSum : 100m;
        return (MakeCategory(Category.LUBAN, weight, categoryScore, [], []), results);
    }

    private void AddHouseWarnings(House house, List<Warning> warnings)
    {
        if (house.TotalFloors is { } total && model.TryGetHouseType(house.HouseType, out var type)
            && (total > type.WarnAboveTotalFloors || total < type.WarnBelowTotalFloors))
        {
            warnings.Add(Warn("W_TYPE_FLOORS", "totalFloors", ("總樓層", "total floors")));
        }
        var rule = model.DoubleCount;
        var primary = house.Env.Any(e => e.Id == rule.Primary && e.Exposure == rule.Exposure);
        for (var i = 0; primary && i < house.Env.Count; i++)
        {
            if (rule.Others.Contains(house.Env[i].Id) && house.Env[i].Exposure == rule.Exposure)
            {
                var (zh, en) = model.Label("envItem", house.Env[i].Id);
                warnings.Add(Warn("W_DOUBLE_COUNT", $"env[{i}].id", (zh, en)));
            }
        }
    }

    // §7.5 ordering. Issues are deduction items and below-neutral options; Luban is reported per measurement instead.
    private IReadOnlyList<Issue> TopIssues(CategoryScores categories)
    {
        var issues = new List<Issue>();
        foreach (var category in categories.All)
        {
            issues.AddRange(category.Items.Where(i => i.Penalty > 0).Select(i =>
                new Issue(category.Category, i.Id, i.Zh, i.En, i.WeightedLoss, i.WeightedLossExact, i.Remedy, i.Formula,
                    CommonRemedies(category.Category, i.Id).En, CommonRemedies(category.Category, i.Id).Zh)));
            issues.AddRange(category.Options.Where(o => !o.Derived && o.AdjustedScore < model.OptionNeutral).Select(o =>
                new Issue(category.Category, o.Factor, o.Zh, o.En, o.WeightedLoss, o.WeightedLossExact, o.Remedy, null, null, null)));
        }
        return [.. issues
            .OrderByDescending(i => i.WeightedLossExact)
            .ThenBy(i => i.Category)
            .ThenBy(i => model.CatalogueOrder(i.Category, i.Id))];
    }

    // The "common 化解" column of §2 and §6, shown beside each issue.
    private (string? En, string? Zh) CommonRemedies(Category category, string id) => category switch
    {
        Category.ENV when model.TryGetEnvItem(id, out var env) => (NullIfEmpty(env.Remedies), NullIfEmpty(env.RemediesZh)),
        Category.INTERIOR when model.TryGetInteriorItem(id, out var interior) => (NullIfEmpty(interior.Remedies), NullIfEmpty(interior.RemediesZh)),
        _ => (null, null),
    };

    private static string? NullIfEmpty(string? text) => string.IsNullOrEmpty(text) ? null : text;

    private Warning Warn(string code, string? field, (string Zh, string En) subject)
    {
        var (zh, en) = model.WarningMessage(code);
        return new Warning(code, field, en, zh, subject.En, subject.Zh);
    }

    // "main door width 90 cm" / 「大門寬 90 公分」: what a warning about one measurement is about.
    private (string Zh, string En) MeasurementSubject(Measurement measurement)
    {
        var element = model.Label("element", measurement.Element.ToString());
        var dimension = model.Label("dimension", measurement.Dimension.ToString());
        var cm = LubanRuler.Trim(measurement.Cm).ToString(CultureInfo.InvariantCulture);
        return ($"{element.Zh}{dimension.Zh} {cm} 公分", $"{element.En} {dimension.En} {cm} cm");
    }
}
