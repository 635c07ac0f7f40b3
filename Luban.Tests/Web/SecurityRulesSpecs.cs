using Luban.Web.Accounts;
using Luban.Web.Hosting;
using Luban.Web.Security;

namespace Luban.Tests.Web;

/// <summary>The pure rules behind accounts and request forgery, table by table.</summary>
public class SecurityRulesSpecs
{
    private static readonly string[] Own = ["http://127.0.0.1:5000", "https://luban.example.org"];

    [Theory]
    // Safe methods pass whatever they carry.
    [InlineData("GET", false, "text/plain", "cross-site", "https://evil.example", ForgeryVerdict.Allow)]
    // A token is always checked.
    [InlineData("POST", true, "application/x-www-form-urlencoded", "cross-site", "https://evil.example", ForgeryVerdict.ValidateToken)]
    [InlineData("DELETE", true, null, null, null, ForgeryVerdict.ValidateToken)]
    // Scripts: JSON or no body, no browser headers.
    [InlineData("POST", false, "application/json", null, null, ForgeryVerdict.Allow)]
    [InlineData("POST", false, "application/json; charset=utf-8", null, null, ForgeryVerdict.Allow)]
    [InlineData("POST", false, null, null, null, ForgeryVerdict.Allow)]
    [InlineData("DELETE", false, null, null, null, ForgeryVerdict.Allow)]
    // What a cross-site form can send is never enough without a token.
    [InlineData("POST", false, "application/x-www-form-urlencoded", null, null, ForgeryVerdict.Reject)]
    [InlineData("POST", false, "multipart/form-data; boundary=x", null, null, ForgeryVerdict.Reject)]
    [InlineData("POST", false, "Text/Plain", null, null, ForgeryVerdict.Reject)]
    // Browsers say where a request comes from.
    [InlineData("POST", false, "application/json", "cross-site", null, ForgeryVerdict.Reject)]
    [InlineData("POST", false, "application/json", "same-site", null, ForgeryVerdict.Reject)]
    [InlineData("POST", false, "application/json", "same-origin", "http://127.0.0.1:5000", ForgeryVerdict.Allow)]
    [InlineData("PATCH", false, "application/json", null, "https://evil.example", ForgeryVerdict.Reject)]
    [InlineData("PATCH", false, "application/json", null, "null", ForgeryVerdict.Reject)]
    [InlineData("PATCH", false, "application/json", null, "https://luban.example.org", ForgeryVerdict.Allow)]
    public void Forgery_rules_should_accept_scripts_and_refuse_cross_site_form_posts(
        string method, bool hasToken, string? contentType, string? secFetchSite, string? origin, ForgeryVerdict expected)
    {
        var (verdict, reason) = ForgeryRules.Decide(method, hasToken, contentType, secFetchSite, origin, Own);

        Assert.True(expected == verdict, reason);
    }

    [Theory]
    [InlineData("a@b.tw", true)]
    [InlineData("first.last+tag@mail.example.org", true)]
    [InlineData("", false)]
    [InlineData("no-at-sign", false)]
    [InlineData("@example.org", false)]
    [InlineData("a@localhost", false)]
    [InlineData("a@@example.org", false)]
    [InlineData("a b@example.org", false)]
    [InlineData("a@-bad.org", false)]
    [InlineData("a@example..org", false)]
    public void Email_rule_should_accept_plausible_addresses(string email, bool valid)
    {
        Assert.Equal(valid, AccountRules.IsValidEmail(AccountRules.NormalizeEmail(email)));
    }

    [Fact]
    public void Email_addresses_should_compare_without_case_or_surrounding_space()
    {
        Assert.Equal("ann@example.org", AccountRules.NormalizeEmail("  Ann@Example.ORG "));
    }

    [Theory]
    [InlineData("correct horse", true)]
    [InlineData("1234567", false)]
    [InlineData("aaaaaaaaaaaa", false)]
    [InlineData("ann@example.org", false)]
    [InlineData(null, false)]
    public void Password_rule_should_want_eight_characters_not_the_address_nor_one_repeated(string? password, bool valid)
    {
        Assert.Equal(valid, AccountRules.IsValidPassword(password, "ann@example.org"));
    }

    [Fact]
    public void Password_rule_should_cap_the_length_at_128()
    {
        Assert.True(AccountRules.IsValidPassword(string.Concat(Enumerable.Repeat("ab", 64)), "x@y.tw"));
        Assert.False(AccountRules.IsValidPassword(string.Concat(Enumerable.Repeat("ab", 64)) + "c", "x@y.tw"));
    }

    private static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly LockoutSettings ThreeTimesOneMinute = new(3, TimeSpan.FromMinutes(1));

    [Theory]
    [InlineData(1, false)]
    [InlineData(2, false)]
    [InlineData(3, true)]
    [InlineData(7, true)]
    public void Lockout_should_start_when_failures_reach_the_limit(int failedInARow, bool locked)
    {
        var state = LockoutPolicy.AfterFailure(failedInARow, Now, ThreeTimesOneMinute);

        Assert.Equal(locked ? new SignInState(0, Now.AddMinutes(1)) : new SignInState(failedInARow, null), state);
    }

    [Theory]
    [InlineData(-1, null)]
    [InlineData(0, null)]
    [InlineData(1, 1)]
    [InlineData(59.2, 60)]
    public void Lockout_should_report_the_whole_seconds_left(double secondsUntilEnd, int? retryAfter)
    {
        var state = new SignInState(0, Now.AddSeconds(secondsUntilEnd));

        var left = LockoutPolicy.LockedFor(state, Now);

        Assert.Equal(retryAfter, left is { } l ? LockoutPolicy.RetryAfterSeconds(l) : null);
    }

    [Fact]
    public void An_account_never_locked_should_be_free_to_try()
    {
        Assert.Null(LockoutPolicy.LockedFor(default, Now));
    }
}
