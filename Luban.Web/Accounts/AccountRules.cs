namespace Luban.Web.Accounts;

/// <summary>What an e-mail address and a password must look like (pure; the codes are the API's).</summary>
public static class AccountRules
{
    public const int MinPasswordLength = 8;
    public const int MaxPasswordLength = 128;
    public const int MaxEmailLength = 254;

    /// <summary>Trimmed and lower-cased (invariant), so "A@x.tw " and "a@x.tw" are one account.</summary>
    public static string NormalizeEmail(string? email) => (email ?? "").Trim().ToLowerInvariant();

    /// <summary>
    /// A plausible address: one '@', a local part of 1–64 characters, a domain with a dot and no empty label, no spaces
    /// or control characters, at most 254 characters. Whether it receives mail is not checked (no mail is sent).
    /// </summary>
    public static bool IsValidEmail(string normalized)
    {
        if (normalized.Length is < 3 or > MaxEmailLength || normalized.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            return false;
        }
        var at = normalized.IndexOf('@', StringComparison.Ordinal);
        if (at < 1 || at > 64 || at != normalized.LastIndexOf('@'))
        {
            return false;
        }
        var domain = normalized[(at + 1)..];
        var labels = domain.Split('.');
        return labels.Length >= 2 && labels.All(l => l.Length is > 0 and <= 63 && l[0] != '-' && l[^1] != '-');
    }

    /// <summary>8–128 characters, not the e-mail address itself, not one character repeated.</summary>
    public static bool IsValidPassword(string? password, string normalizedEmail) =>
        password is { Length: >= MinPasswordLength and <= MaxPasswordLength }
        && !string.Equals(password.Trim(), normalizedEmail, StringComparison.OrdinalIgnoreCase)
        && password.Distinct().Count() > 1;
}
