namespace Luban.Web.Security;

/// <summary>What the request forgery guard does with one request.</summary>
public enum ForgeryVerdict
{
    /// <summary>A safe method, or a state change that is not a cross-site form post (a script's JSON call).</summary>
    Allow,

    /// <summary>An antiforgery token came with it: it must be valid for the session.</summary>
    ValidateToken,

    /// <summary>A form post, or a browser's cross-site request, without a token.</summary>
    Reject,
}

/// <summary>
/// The antiforgery rule (pure). A state-changing request (POST, PUT, PATCH, DELETE) carrying an antiforgery token —
/// header <c>X-CSRF-TOKEN</c>, which the pages send on every change — must carry a valid one. Without a token it is
/// accepted only when it cannot be a cross-site form post: its Content-Type is none of the three a cross-site form (or
/// a no-preflight fetch) can send (<c>application/x-www-form-urlencoded</c>, <c>multipart/form-data</c>,
/// <c>text/plain</c>); the browser's <c>Sec-Fetch-Site</c>, if sent, is <c>same-origin</c> or <c>none</c>; and its
/// <c>Origin</c>, if sent, is this service's own. A script (curl, the load generator) sends JSON and neither header; a
/// browser sends both on every cross-site request, and cannot send cross-site JSON without a CORS preflight, which this
/// service never grants.
/// </summary>
public static class ForgeryRules
{
    public const string TokenHeader = "X-CSRF-TOKEN";

    private static readonly string[] FormTypes = ["application/x-www-form-urlencoded", "multipart/form-data", "text/plain"];

    public static bool IsStateChanging(string method) =>
        HttpMethods.IsPost(method) || HttpMethods.IsPut(method) || HttpMethods.IsPatch(method) || HttpMethods.IsDelete(method);

    /// <param name="ownOrigins">Origins that are this service (scheme://host[:port] of the request, and the public URL).</param>
    public static (ForgeryVerdict Verdict, string Reason) Decide(
        string method, bool hasToken, string? contentType, string? secFetchSite, string? origin, IReadOnlyCollection<string> ownOrigins)
    {
        if (!IsStateChanging(method))
        {
            return (ForgeryVerdict.Allow, "safe method");
        }
        if (hasToken)
        {
            return (ForgeryVerdict.ValidateToken, "antiforgery token present");
        }
        var mediaType = (contentType ?? "").Split(';')[0].Trim();
        if (FormTypes.Any(t => string.Equals(t, mediaType, StringComparison.OrdinalIgnoreCase)))
        {
            return (ForgeryVerdict.Reject, $"a {mediaType} request needs the antiforgery token");
        }
        if (secFetchSite is not null && secFetchSite is not ("same-origin" or "none"))
        {
            return (ForgeryVerdict.Reject, $"a {secFetchSite} request needs the antiforgery token");
        }
        if (origin is not null && !ownOrigins.Any(o => string.Equals(o, origin, StringComparison.OrdinalIgnoreCase)))
        {
            return (ForgeryVerdict.Reject, "a request from another origin needs the antiforgery token");
        }
        return (ForgeryVerdict.Allow, "not a cross-site form post");
    }
}
