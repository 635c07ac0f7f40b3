using System.Globalization;
using System.Text.Json;

namespace Luban.FengShui.Model;

/// <summary>
/// The model LBC-FS-1.0 as data: weights, catalogues, ruler tables, ranges and messages, all read from the embedded
/// model.json so that no coefficient lives in code.
/// </summary>
public sealed class FengShuiModel
{
    private static readonly Lazy<FengShuiModel> Embedded = new(LoadEmbedded);

    private readonly ModelDocument _doc;
    private readonly Dictionary<string, EnvItemDefinition> _env;
    private readonly Dictionary<string, InteriorItemDefinition> _interior;
    private readonly Dictionary<string, ExposureDefinition> _exposures;
    private readonly Dictionary<string, FactorDefinition> _factors;
    private readonly Dictionary<string, HouseTypeDefinition> _houseTypes;
    private readonly Dictionary<(string Group, string Id), Term> _labels;

    private FengShuiModel(ModelDocument doc)
    {
        _doc = doc;
        _env = doc.EnvItems.ToDictionary(e => e.Id, StringComparer.Ordinal);
        _interior = doc.InteriorItems.ToDictionary(e => e.Id, StringComparer.Ordinal);
        _exposures = doc.Exposures.ToDictionary(e => e.Id, StringComparer.Ordinal);
        _factors = doc.Factors.ToDictionary(f => f.Id, StringComparer.Ordinal);
        _houseTypes = doc.HouseTypes.ToDictionary(h => h.Id, StringComparer.Ordinal);
        Terms = BuildTerms(doc);
        _labels = Terms.GroupBy(t => (t.Group, t.Id)).ToDictionary(g => g.Key, g => g.First());
    }

    /// <summary>The embedded LBC-FS-1.0 model.</summary>
    public static FengShuiModel Default => Embedded.Value;

    /// <summary>Reads a model document (same shape as the embedded one), e.g. for a future model version.</summary>
    public static FengShuiModel Load(Stream json)
    {
        var doc = JsonSerializer.Deserialize(json, ModelJsonContext.Default.ModelDocument)
                  ?? throw new InvalidDataException("model document is empty");
        return new FengShuiModel(doc);
    }

    private static FengShuiModel LoadEmbedded()
    {
        using var stream = typeof(FengShuiModel).Assembly.GetManifestResourceStream("Luban.FengShui.model.json")
                           ?? throw new InvalidOperationException("embedded resource Luban.FengShui.model.json missing");
        return Load(stream);
    }

    public string Id => _doc.Model;
    public decimal OptionNeutral => _doc.OptionNeutral;
    public IReadOnlyList<GradeDefinition> Grades => _doc.Grades;
    public SevereCapDefinition SevereCap => _doc.SevereCap;
    public LubanDefinition Luban => _doc.Luban;
    public RulerProfileId DefaultProfile => Enum.Parse<RulerProfileId>(_doc.Luban.Profile);
    public IReadOnlyList<EnvItemDefinition> EnvItems => _doc.EnvItems;
    public IReadOnlyList<InteriorItemDefinition> InteriorItems => _doc.InteriorItems;
    public IReadOnlyList<ExposureDefinition> Exposures => _doc.Exposures;
    public IReadOnlyList<FactorDefinition> Factors => _doc.Factors;
    public IReadOnlyList<HouseTypeDefinition> HouseTypes => _doc.HouseTypes;
    public IReadOnlyList<RulerProfileDefinition> RulerProfiles => _doc.RulerProfiles;
    public DoubleCountRule DoubleCount => _doc.DoubleCount;
    public IReadOnlyList<Term> Terms { get; }
    public (string Zh, string En) Disclaimer => (_doc.Disclaimer[0], _doc.Disclaimer[1]);

    public decimal CategoryWeight(Category category) => _doc.CategoryWeights[category.ToString()];

    public decimal SeverityPoints(int severity) => _doc.SeverityPoints[severity.ToString(CultureInfo.InvariantCulture)];

    public decimal RemedyFactor(Remedy remedy) => _doc.RemedyFactor[remedy.ToString()];

    /// <summary>§7.1 countMultiplier: keys "1", "2", … and one open-ended "N+" key.</summary>
    public decimal CountMultiplier(int count)
    {
        if (_doc.CountMultiplier.TryGetValue(count.ToString(CultureInfo.InvariantCulture), out var exact))
        {
            return exact;
        }
        var open = _doc.CountMultiplier.Single(kv => kv.Key.EndsWith('+'));
        var from = int.Parse(open.Key.TrimEnd('+'), CultureInfo.InvariantCulture);
        return count >= from ? open.Value : throw new ArgumentOutOfRangeException(nameof(count));
    }

    public bool TryGetEnvItem(string? id, out EnvItemDefinition item) => TryGet(_env, id, out item);

    public bool TryGetInteriorItem(string? id, out InteriorItemDefinition item) => TryGet(_interior, id, out item);

    public bool TryGetExposure(string? id, out ExposureDefinition exposure) => TryGet(_exposures, id, out exposure);

    public bool TryGetHouseType(HouseType type, out HouseTypeDefinition definition) => TryGet(_houseTypes, type.ToString(), out definition);

    public FactorDefinition Factor(string id) => _factors[id];

    public IEnumerable<FactorDefinition> FactorsOf(Category category) =>
        _doc.Factors.Where(f => f.Category == category.ToString());

    public IReadOnlyList<FloorBand> FloorBands(string floorRule) => _doc.FloorModifiers[floorRule];

    /// <summary>Inclusive [min, max] of a named range in model.json (doorWidth, floor, count, …).</summary>
    public (decimal Min, decimal Max) Range(string name) => (_doc.Ranges[name][0], _doc.Ranges[name][1]);

    public RulerProfileDefinition Profile(RulerProfileId id) => _doc.RulerProfiles.Single(p => p.Id == id.ToString());

    public IReadOnlyList<RulerSectionDefinition> Sections(RulerProfileId id) => _doc.RulerSections[Profile(id).Kind];

    /// <summary>§7.2 element score of a 文公尺 section, or null for display-only elements (ANCESTRAL_TABLET).</summary>
    public decimal? ElementScore(MeasureElement element, int section) =>
        _doc.Luban.ElementScores.TryGetValue(element.ToString(), out var row) ? row[section] : null;

    /// <summary>§7.1 measureWeight through its weight group (ROOM_DOOR → OTHER_DOOR); 0 for display-only elements.</summary>
    public decimal MeasureWeight(MeasureElement element) =>
        _doc.Luban.WeightGroup.TryGetValue(element.ToString(), out var group) ? _doc.Luban.MeasureWeight[group] : 0m;

    /// <summary>The profile an element is always read with, when it is display-only (丁蘭尺 for ANCESTRAL_TABLET).</summary>
    public RulerProfileId? DisplayOnlyProfile(MeasureElement element) =>
        _doc.Luban.DisplayOnly.TryGetValue(element.ToString(), out var profile) ? Enum.Parse<RulerProfileId>(profile) : null;

    /// <summary>Position of an id in its catalogue table: the "by id" tie-break of §7.5 follows the spec's table order.</summary>
    public int CatalogueOrder(Category category, string id) => category switch
    {
        Category.ENV => IndexOf(_doc.EnvItems.Select(e => e.Id), id),
        Category.INTERIOR => IndexOf(_doc.InteriorItems.Select(e => e.Id), id),
        _ => IndexOf(_doc.Factors.Select(f => f.Id), id),
    };

    /// <summary>The zh-TW and English label of a term, or the id twice when the group has no such term.</summary>
    public (string Zh, string En) Label(string group, string id) =>
        _labels.TryGetValue((group, id), out var term) ? (term.Zh, term.En) : (id, id);

    public (string Zh, string En) ErrorMessage(string code) => Pair(_doc.Errors, code);

    public (string Zh, string En) WarningMessage(string code) => Pair(_doc.Warnings, code);

    public static string OptionEnglish(OptionDefinition option) => option.En ?? Labels.SentenceCase(option.Id);

    private static (string, string) Pair(Dictionary<string, string[]> table, string code) =>
        table.TryGetValue(code, out var pair) ? (pair[0], pair[1]) : (code, code);

    private static int IndexOf(IEnumerable<string> ids, string id)
    {
        var index = 0;
        foreach (var candidate in ids)
        {
            if (candidate == id)
            {
                return index;
            }
            index++;
        }
        return int.MaxValue;
    }

    private static bool TryGet<T>(Dictionary<string, T> table, string? id, out T value) where T : class
    {
        if (id is not null && table.TryGetValue(id, out var found))
        {
            value = found;
            return true;
        }
        value = null!;
        return false;
    }

    private static List<Term> BuildTerms(ModelDocument doc)
    {
        var terms = new List<Term>();
        foreach (var (group, rows) in doc.Terms)
        {
            terms.AddRange(rows.Select(r => new Term(group, r[0], r[1], r[2], r.Length > 3 ? r[3] : null, r.Length > 4 ? r[4] : null)));
        }
        string CategoryZh(string id) => terms.Single(t => t.Group == "category" && t.Id == id).Zh;
        string ExposureTypeZh(string id) => terms.Single(t => t.Group == "exposureType" && t.Id == id).Zh;
        string ExposureTypeEn(string id) => terms.Single(t => t.Group == "exposureType" && t.Id == id).En;
        terms.AddRange(doc.HouseTypes.Select(h => new Term("houseType", h.Id, h.Zh, h.En, h.Explanation, h.ExplanationZh)));
        terms.AddRange(doc.Exposures.Select(e => new Term("exposure", e.Id, e.Zh, e.En,
            Invariant($"{ExposureTypeEn(e.Type)} × {e.Factor}"), Invariant($"{ExposureTypeZh(e.Type)} × {e.Factor}"))));
        terms.AddRange(doc.EnvItems.Select(e => new Term("envItem", e.Id, e.Zh, e.En, e.Explanation, e.ExplanationZh)));
        terms.AddRange(doc.InteriorItems.Select(e => new Term("interiorItem", e.Id, e.Zh, e.En, e.Explanation, e.ExplanationZh)));
        foreach (var factor in doc.Factors)
        {
            terms.Add(new Term("factor", factor.Id, factor.Zh, factor.En,
                Invariant($"{factor.Category}, weight {factor.Weight}"), Invariant($"{CategoryZh(factor.Category)}，權重 {factor.Weight}")));
            terms.AddRange(factor.Options.Select(o => new Term(factor.Id, o.Id, o.Zh, OptionEnglish(o), Invariant($"score {o.Score}"), Invariant($"分數 {o.Score}"))));
        }
        terms.AddRange(doc.Grades.Select(g => new Term("grade", g.Id, g.Zh, g.En, Invariant($"total ≥ {g.Min}"), Invariant($"總分 ≥ {g.Min}"))));
        terms.AddRange(doc.RulerProfiles.Select(p => new Term("rulerProfile", p.Id, p.Zh, p.En,
            Invariant($"cycle {p.CycleCm} cm"), Invariant($"一輪 {p.CycleCm} 公分"))));
        foreach (var (kind, sections) in doc.RulerSections)
        {
            var group = kind == "DINGLAN" ? "dinglanSection" : "wengongSection";
            terms.AddRange(sections.Select(s => new Term(group, s.Zh, s.Zh, s.En, s.Luck == "吉" ? "auspicious" : "inauspicious", s.Luck)));
        }
        return terms;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
