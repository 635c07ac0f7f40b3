using Luban.Web.Api;
using Luban.Web.Hosting;
using Microsoft.AspNetCore.Antiforgery;

namespace Luban.Web.Security;

/// <summary>Applies <see cref="ForgeryRules"/> to every request, after authentication (a token is bound to its session).</summary>
public sealed class ForgeryGuard(RequestDelegate next, IAntiforgery antiforgery, LubanSettings settings)
{
    public async Task InvokeAsync(HttpContext http)
    {
        var request = http.Request;
        var (verdict, _) = ForgeryRules.Decide(
            request.Method,
            request.Headers.ContainsKey(ForgeryRules.TokenHeader),
            request.ContentType,
            request.Headers["Sec-Fetch-Site"],
            request.Headers.Origin,
            OwnOrigins(http));
        if (verdict == ForgeryVerdict.Allow || (verdict == ForgeryVerdict.ValidateToken && await antiforgery.IsRequestValidAsync(http)))
        {
            await next(http);
            return;
        }
        await Problems.Status(StatusCodes.Status403Forbidden, "Forgery check failed",
            [WebMessages.Field(ForgeryRules.TokenHeader, "E_ANTIFORGERY")]).ExecuteAsync(http);
    }

    // This request's own origin, and the public URL when the service sits behind a front door that rewrites Host.
    private string[] OwnOrigins(HttpContext http)
    {
        var own = $"{http.Request.Scheme}://{http.Request.Host}";
        return settings.PublicUrl is { } publicUrl ? [own, publicUrl.GetLeftPart(UriPartial.Authority)] : [own];
    }
}
