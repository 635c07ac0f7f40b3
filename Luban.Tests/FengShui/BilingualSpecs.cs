using System.Text.RegularExpressions;
using Luban.FengShui.Model;

namespace Luban.Tests.FengShui;

/// <summary>What a zh-TW page shows comes in zh-TW, and what an English page shows in English (issue 16).</summary>
public partial class BilingualSpecs
{
    private static readonly FengShuiModel Model = FengShuiModel.Default;

    public static TheoryData<string, string, string?, string?> CatalogueTexts()
    {
        var data = new TheoryData<string, string, string?, string?>();
        foreach (var e in Model.EnvItems)
        {
            data.Add($"envItem {e.Id} explanation", e.Id, e.ExplanationZh, e.Explanation);
            data.Add($"envItem {e.Id} remedies", e.Id, e.RemediesZh, e.Remedies);
        }
        foreach (var e in Model.InteriorItems)
        {
            data.Add($"interiorItem {e.Id} explanation", e.Id, e.ExplanationZh, e.Explanation);
            data.Add($"interiorItem {e.Id} remedies", e.Id, e.RemediesZh, e.Remedies);
        }
        foreach (var t in Model.Terms.Where(t => t.Explanation is not null))
        {
            data.Add($"term {t.Group}/{t.Id}", t.Id, t.ExplanationZh, t.Explanation);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(CatalogueTexts))]
    public void Catalogue_text_should_exist_in_both_languages_without_mixing(string what, string id, string? zh, string? en)
    {
        // Empty in both is allowed (no usual remedy); present in one language only is not.
        Assert.True(string.IsNullOrEmpty(zh) == string.IsNullOrEmpty(en), $"{what}: zh '{zh}' / en '{en}'");
        Assert.False(LatinWord().IsMatch(zh ?? ""), $"{what} ({id}): English inside the zh-TW text '{zh}'");
        Assert.False(Han().IsMatch(en ?? ""), $"{what} ({id}): Chinese inside the English text '{en}'");
    }

    [Fact]
    public void Error_and_warning_messages_should_exist_in_both_languages()
    {
        foreach (var code in new[] { "E_REQUIRED", "E_ENUM", "E_RANGE", "E_TOO_LONG", "W_TYPE_FLOORS", "NEAR_BOUNDARY", "PROFILE_SENSITIVE", "W_BASIS_DIFFERS" })
        {
            var (zh, en) = code.StartsWith("E_", StringComparison.Ordinal) ? Model.ErrorMessage(code) : Model.WarningMessage(code);
            Assert.NotEqual(code, zh);
            Assert.False(LatinWord().IsMatch(Placeholder().Replace(zh, "")), $"{code}: '{zh}'");
            Assert.False(Han().IsMatch(en), $"{code}: '{en}'");
        }
    }

    // Two or more Latin letters in a row: a word, an id such as W1 aside (one letter and a digit).
    [GeneratedRegex("[A-Za-z]{2,}")]
    private static partial Regex LatinWord();

    [GeneratedRegex(@"\{[a-z]+\}")]
    private static partial Regex Placeholder();

    [GeneratedRegex(@"\p{IsCJKUnifiedIdeographs}")]
    private static partial Regex Han();
}
