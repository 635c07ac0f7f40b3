using Luban.FengShui.Model;

namespace Luban.FengShui.Ruler;

/// <summary>A suggested clear length interval [FromCm, ToCm] in a better section (§1.3 step 8).</summary>
public sealed record RulerSuggestion(decimal FromCm, decimal ToCm, string Section, string SectionEn, decimal DistanceCm);

/// <summary>Where one length falls on one ruler (§1.3), with its flags.</summary>
public sealed record RulerReading(
    RulerProfileId Profile,
    decimal Cm,
    int Cycle,
    decimal RemainderCm,
    int Position,
    int SectionIndex,
    string Section,
    string SectionEn,
    int SubIndex,
    string SubSection,
    string SubSectionEn,
    string Luck,
    decimal CellStartCm,
    decimal CellEndCm,
    bool NearBoundary,
    bool ProfileSensitive)
{
    public IReadOnlyList<string> Flags =>
        [.. (NearBoundary ? new[] { "NEAR_BOUNDARY" } : []), .. (ProfileSensitive ? new[] { "PROFILE_SENSITIVE" } : [])];
}

/// <summary>
/// The Luban ruler in integer units of 0.01 cm (§1.3): no binary floating point anywhere, so 128.7 on 42.9 is
/// exactly cycle 3, 財·財德.
/// </summary>
public sealed class LubanRuler(FengShuiModel model)
{
    private const int SubSections = 4;

    public static LubanRuler Default { get; } = new(FengShuiModel.Default);

    /// <summary>True when the length is a non-negative number with at most 2 decimals (§8 E_PRECISION).</summary>
    public static bool HasRulerPrecision(decimal cm) => cm >= 0 && decimal.Round(cm, 2) == cm;

    public RulerReading Read(decimal cm, RulerProfileId profile)
    {
        if (!HasRulerPrecision(cm))
        {
            throw new ArgumentOutOfRangeException(nameof(cm), cm, "a ruler length is ≥ 0 with at most 2 decimals");
        }
        var sections = model.Sections(profile);
        var n = sections.Count * SubSections;
        var lu = (long)(cm * 100);
        var cu = CycleUnits(profile);
        var k = lu / cu;
        var r = lu % cu;
        var pos = n * r / cu;
        var section = (int)(pos / SubSections);
        var sub = (int)(pos % SubSections);

        // Distances to both edges of the sub-section, scaled by n so they stay integers.
        var belowScaled = n * r - pos * cu;
        var aboveScaled = (pos + 1) * cu - n * r;
        var nearScaled = (long)(model.Luban.NearBoundaryCm * 100) * n;
        var near = Math.Min(belowScaled, aboveScaled) < nearScaled;

        var definition = sections[section];
        var cellStart = (k * cu + (decimal)(pos * cu) / n) / 100m;
        var cellEnd = (k * cu + (decimal)((pos + 1) * cu) / n) / 100m;
        return new RulerReading(
            profile, cm, (int)k, r / 100m, (int)pos, section, definition.Zh, definition.En, sub,
            definition.Subs[sub][0], definition.Subs[sub][1], definition.Luck, cellStart, cellEnd, near,
            IsProfileSensitive(lu, profile, definition.Luck));
    }

    /// <summary>
    /// Up to three intervals in sections whose element score is at least 70, in cycles k−1…k+1, narrowed by the
    /// margin and rounded inward to 0.1 cm, within 10 cm of the length; empty when the element already scores 100.
    /// </summary>
    public IReadOnlyList<RulerSuggestion> Suggest(decimal cm, RulerProfileId profile, MeasureElement element)
    {
        var reading = Read(cm, profile);
        var current = model.ElementScore(element, reading.SectionIndex);
        if (current is null || current >= 100 || model.Profile(profile).Kind != "WENGONG")
        {
            return [];
        }
        return Nearest(cm, reading.Cycle, profile, s => model.ElementScore(element, s) >= model.Luban.Suggestions.MinElementScore);
    }

    /// <summary>
    /// The ruler tool's "nearest lucky lengths": the same rule as <see cref="Suggest"/> (margin, rounding, distance,
    /// count) applied to every 吉 section of the profile, whatever the element; a length already well inside a 吉
    /// section gets its own range first, at distance 0.
    /// </summary>
    public IReadOnlyList<RulerSuggestion> LuckyRanges(decimal cm, RulerProfileId profile)
    {
        var reading = Read(cm, profile);
        var sections = model.Sections(profile);
        return Nearest(cm, reading.Cycle, profile, s => sections[s].Luck == "吉");
    }

    private List<RulerSuggestion> Nearest(decimal cm, int cycleIndex, RulerProfileId profile, Func<int, bool> qualifies)
    {
        var rule = model.Luban.Suggestions;
        var sections = model.Sections(profile);
        var cycle = model.Profile(profile).CycleCm;
        var width = cycle / sections.Count;
        var found = new List<RulerSuggestion>();
        for (var k = cycleIndex - 1; k <= cycleIndex + 1; k++)
        {
            if (k < 0)
            {
                continue;
            }
            for (var s = 0; s < sections.Count; s++)
            {
                if (!qualifies(s))
                {
                    continue;
                }
                var start = k * cycle + s * width;
                var from = Math.Ceiling((start + rule.MarginCm) / rule.RoundToCm) * rule.RoundToCm;
                var to = Math.Floor((start + width - rule.MarginCm) / rule.RoundToCm) * rule.RoundToCm;
                if (from > to)
                {
                    continue;
                }
                var distance = cm < from ? from - cm : cm > to ? cm - to : 0m;
                if (distance <= rule.WithinCm)
                {
                    found.Add(new RulerSuggestion(Trim(from), Trim(to), sections[s].Zh, sections[s].En, Trim(distance)));
                }
            }
        }
        return [.. found.OrderBy(x => x.DistanceCm).ThenBy(x => x.FromCm).Take(rule.Max)];
    }

    private long CycleUnits(RulerProfileId profile) => (long)(model.Profile(profile).CycleCm * 100);

    // §1.3 step 7: 吉/凶 differs under another 文公尺 profile that takes part in the comparison (46.08 does not).
    private bool IsProfileSensitive(long lu, RulerProfileId profile, string luck)
    {
        var own = model.Profile(profile);
        if (own.Kind != "WENGONG")
        {
            return false;
        }
        foreach (var peer in model.RulerProfiles.Where(p => p.Kind == own.Kind && p.SensitivityPeer && p.Id != own.Id))
        {
            var peerId = Enum.Parse<RulerProfileId>(peer.Id);
            var peerSections = model.Sections(peerId);
            var cu = CycleUnits(peerId);
            var pos = peerSections.Count * SubSections * (lu % cu) / cu;
            if (peerSections[(int)(pos / SubSections)].Luck != luck)
            {
                return true;
            }
        }
        return false;
    }

    // Drops trailing zeros so 102.20 reads 102.2 in JSON and formulas.
    internal static decimal Trim(decimal value) => value / 1.000000000000000000000000000000000m;
}
