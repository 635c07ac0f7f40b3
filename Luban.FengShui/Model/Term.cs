namespace Luban.FengShui.Model;

/// <summary>
/// One defined term: its group (houseType, envItem, W1, …), wire id, zh-TW and English label and a one-line
/// explanation in English (Explanation) and zh-TW (ExplanationZh).
/// </summary>
public sealed record Term(string Group, string Id, string Zh, string En, string? Explanation, string? ExplanationZh);

public static class Labels
{
    /// <summary>§9 label rule: an id without an English label reads as its sentence case, VERY_ELONGATED → "Very elongated".</summary>
    public static string SentenceCase(string id)
    {
        var words = id.Replace('_', ' ').ToLowerInvariant();
        return words.Length == 0 ? words : char.ToUpperInvariant(words[0]) + words[1..];
    }
}
