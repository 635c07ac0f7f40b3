using System.Globalization;
using System.Numerics;
using Luban.FengShui.Model;
using Luban.FengShui.Ruler;

namespace Luban.Tests.FengShui;

public class LubanRulerSpecs
{
    private readonly LubanRuler _ruler = LubanRuler.Default;

    // FENGSHUI.md §1.5, default profile 42.9: L, k, pos, section, sub-section, luck.
    [Theory]
    [InlineData("90", 2, 3, "財", "迎福", "吉")]
    [InlineData("210", 4, 28, "本", "財至", "吉")]
    [InlineData("81", 1, 28, "本", "財至", "吉")]
    [InlineData("80", 1, 27, "害", "口舌", "凶")]
    [InlineData("88", 2, 1, "財", "寶庫", "吉")]
    [InlineData("100", 2, 10, "離", "官鬼", "凶")]
    [InlineData("120", 2, 25, "害", "死絕", "凶")]
    [InlineData("215", 5, 0, "財", "財德", "吉")]
    [InlineData("21.45", 0, 16, "官", "順科", "吉")]
    [InlineData("42.9", 1, 0, "財", "財德", "吉")]
    [InlineData("128.7", 3, 0, "財", "財德", "吉")]
    [InlineData("5.36", 0, 3, "財", "迎福", "吉")]
    [InlineData("5.37", 0, 4, "病", "退財", "凶")]
    public void Read_should_match_the_spec_vectors_on_the_default_profile(string cm, int k, int pos, string section, string sub, string luck)
    {
        var reading = _ruler.Read(decimal.Parse(cm, CultureInfo.InvariantCulture), RulerProfileId.LUBAN_42_9);

        Assert.Equal((k, pos, section, sub, luck), (reading.Cycle, reading.Position, reading.Section, reading.SubSection, reading.Luck));
    }

    [Fact]
    public void Read_should_give_the_sub_section_bounds_of_the_90_cm_vector()
    {
        var reading = _ruler.Read(90m, RulerProfileId.LUBAN_42_9);

        // §1.5 prints the cell as [89.8219, 91.1625).
        Assert.Equal(89.8219m, decimal.Round(reading.CellStartCm, 4));
        Assert.Equal(91.1625m, reading.CellEndCm);
        Assert.Equal(4.20m, reading.RemainderCm);
    }

    // Hand-derived with §1.3 for the other profiles (integer arithmetic on paper, shown in the comments).
    [Theory]
    [InlineData("210", RulerProfileId.LUBAN_43_2, 4, "害", "口舌", "凶")]      // r 3720, 32·3720/4320 = 27.55
    [InlineData("210", RulerProfileId.LUBAN_42_76, 4, "本", "登科", "吉")]     // r 3896, 32·3896/4276 = 29.16
    [InlineData("90", RulerProfileId.LUBAN_46_08, 1, "本", "進寶", "吉")]      // r 4392, 32·4392/4608 = 30.5
    [InlineData("43.2", RulerProfileId.LUBAN_43_2, 1, "財", "財德", "吉")]     // exact multiple → next cycle
    [InlineData("40", RulerProfileId.DINGLAN_38_78, 1, "丁", "及第", "吉")]    // r 122, 40·122/3878 = 1.26
    [InlineData("100", RulerProfileId.DINGLAN_38_78, 2, "官", "順科", "吉")]   // r 2244, 40·2244/3878 = 23.15
    [InlineData("38.78", RulerProfileId.DINGLAN_38_78, 1, "丁", "福星", "吉")] // exact multiple → next cycle
    [InlineData("4", RulerProfileId.DINGLAN_38_78, 0, "害", "口舌", "凶")]     // 40·400/3878 = 4.13
    public void Read_should_follow_the_mapping_rule_on_every_profile(string cm, RulerProfileId profile, int k, string section, string sub, string luck)
    {
        var reading = _ruler.Read(decimal.Parse(cm, CultureInfo.InvariantCulture), profile);

        Assert.Equal((k, section, sub, luck), (reading.Cycle, reading.Section, reading.SubSection, reading.Luck));
    }

    [Theory]
    [InlineData("210", true)]  // 本 on 42.9 but 害 on 43.2 (§1.1)
    [InlineData("81", false)]  // 本 on all three 文公尺 profiles
    [InlineData("90", false)]
    public void Read_should_flag_profile_sensitive_lengths(string cm, bool expected)
    {
        var reading = _ruler.Read(decimal.Parse(cm, CultureInfo.InvariantCulture), RulerProfileId.LUBAN_42_9);

        Assert.Equal(expected, reading.ProfileSensitive);
        Assert.Equal(expected, reading.Flags.Contains("PROFILE_SENSITIVE"));
    }

    [Theory]
    [InlineData("90", true)]    // 0.178 cm above the 89.8219 edge
    [InlineData("5.36", true)]  // 0.0025 cm below the 5.3625 edge
    [InlineData("21.45", true)] // exactly on an edge
    [InlineData("100", false)]  // 0.547 cm from the nearest edge
    [InlineData("210", false)]  // 0.479 cm from the nearest edge
    public void Read_should_flag_lengths_within_0_3_cm_of_a_sub_section_edge(string cm, bool expected)
    {
        var reading = _ruler.Read(decimal.Parse(cm, CultureInfo.InvariantCulture), RulerProfileId.LUBAN_42_9);

        Assert.Equal(expected, reading.NearBoundary);
    }

    [Theory]
    [InlineData(RulerProfileId.LUBAN_42_9)]
    [InlineData(RulerProfileId.LUBAN_43_2)]
    [InlineData(RulerProfileId.LUBAN_42_76)]
    [InlineData(RulerProfileId.LUBAN_46_08)]
    [InlineData(RulerProfileId.DINGLAN_38_78)]
    public void Read_should_agree_with_an_independent_rational_oracle(RulerProfileId profile)
    {
        var model = FengShuiModel.Default;
        var sections = model.Sections(profile);
        var cells = new BigInteger(sections.Count * 4);
        var cycle = new BigInteger(model.Profile(profile).CycleCm * 100);

        // Every hundredth of a centimetre from 0 to 500 cm: cell = floor(frac(L / C) × n), as a BigInteger fraction.
        for (var hundredths = 0; hundredths <= 50_000; hundredths++)
        {
            var length = new BigInteger(hundredths);
            var fractionNumerator = length - BigInteger.Divide(length, cycle) * cycle;
            var cell = (int)BigInteger.Divide(fractionNumerator * cells, cycle);

            var reading = _ruler.Read(hundredths / 100m, profile);

            Assert.Equal((sections[cell / 4].Zh, sections[cell / 4].Subs[cell % 4][0]), (reading.Section, reading.SubSection));
        }
    }

    [Fact]
    public void Read_should_reject_lengths_with_more_than_two_decimals()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => _ruler.Read(90.001m, RulerProfileId.LUBAN_42_9));
    }

    // Suggestion vectors derived by hand with §1.3 step 8 (sections scoring ≥ 70 for the element, cycles k−1…k+1,
    // narrowed by 0.3 cm, rounded inward to 0.1 cm, within 10 cm, nearest first, at most 3).
    public static TheoryData<string, MeasureElement, string[]> SuggestionVectors => new()
    {
        // 離·官鬼 main door: 義 in cycle 2 is 2.2 cm away, 財 of cycle 2 is 9.2 cm away; 官 scores 60 and is skipped.
        { "100", MeasureElement.MAIN_DOOR, ["102.2–106.9 義", "86.1–90.8 財"] },
        // 害·口舌 room door: 本 of cycle 1 is 0.8 away, 財 of cycle 2 is 6.1 away; 官 ends 10.6 away.
        { "80", MeasureElement.ROOM_DOOR, ["80.8–85.5 本", "86.1–90.8 財"] },
        // 害·死絕 kitchen door: 官, 本 and 財 (next cycle) in reach, nearest first; 義 is 13.1 cm away.
        { "120", MeasureElement.KITCHEN_DOOR, ["123.7–128.4 本", "107.6–112.3 官", "129–133.7 財"] },
        // Already 財 (score 100): nothing to suggest.
        { "90", MeasureElement.MAIN_DOOR, [] },
        // Display-only 丁蘭 element: never suggested.
        { "100", MeasureElement.ANCESTRAL_TABLET, [] },
    };

    [Theory]
    [MemberData(nameof(SuggestionVectors))]
    public void Suggest_should_return_the_nearest_better_intervals(string cm, MeasureElement element, string[] expected)
    {
        var suggestions = _ruler.Suggest(decimal.Parse(cm, CultureInfo.InvariantCulture), RulerProfileId.LUBAN_42_9, element);

        var rendered = suggestions.Select(s => string.Create(CultureInfo.InvariantCulture, $"{s.FromCm}–{s.ToCm} {s.Section}"));
        Assert.Equal(expected, rendered);
    }

    [Fact]
    public void Suggest_should_report_distance_from_the_length()
    {
        var suggestions = _ruler.Suggest(100m, RulerProfileId.LUBAN_42_9, MeasureElement.MAIN_DOOR);

        Assert.Equal([2.2m, 9.2m], suggestions.Select(s => s.DistanceCm));
    }

    // The ruler tool's nearest lucky lengths: the step-8 rule over every 吉 section of the profile, derived by hand.
    public static TheoryData<string, RulerProfileId, string[]> LuckyVectors => new()
    {
        // 離·官鬼: 義 of cycle 2 (2.2 away), 官 (7.6), 財 of cycle 2 (9.2); 本 of cycle 1 ends 14.5 away.
        { "100", RulerProfileId.LUBAN_42_9, ["102.2–106.9 義 2.2", "107.6–112.3 官 7.6", "86.1–90.8 財 9.2"] },
        // Inside 財: its own range first, then 本 of cycle 1.
        { "90", RulerProfileId.LUBAN_42_9, ["86.1–90.8 財 0", "80.8–85.5 本 4.5"] },
        // 丁蘭尺, 3.878 cm sections: 官 holds 100 cm, then 義 below and 興 above.
        { "100", RulerProfileId.DINGLAN_38_78, ["97.3–100.5 官 0", "93.4–96.6 義 3.4", "105.1–108.2 興 5.1"] },
    };

    [Theory]
    [MemberData(nameof(LuckyVectors))]
    public void LuckyRanges_should_list_the_nearest_auspicious_lengths(string cm, RulerProfileId profile, string[] expected)
    {
        var ranges = _ruler.LuckyRanges(decimal.Parse(cm, CultureInfo.InvariantCulture), profile);

        var rendered = ranges.Select(s => string.Create(CultureInfo.InvariantCulture, $"{s.FromCm}–{s.ToCm} {s.Section} {s.DistanceCm}"));
        Assert.Equal(expected, rendered);
    }
}
