namespace Luban.Web.Hosting;

/// <summary>Headers every response carries: which instance answered, and what a browser may do with the page.</summary>
public static class SecurityHeaders
{
    /// <summary>
    /// Scripts, styles, images and fetches from this origin only; no inline script or style, no plugins, no framing.
    /// The pages are built for it (no inline handlers or style attributes; Chart.js styles its canvas through the DOM).
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; " +
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    public static void Apply(HttpResponse response, string instance)
    {
        var headers = response.Headers;
        headers[LubanApp.InstanceHeader] = instance;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        // Share links carry their token in the fragment, which never travels; no-referrer also keeps paths to ourselves.
        headers["Referrer-Policy"] = "no-referrer";
        if (response.HttpContext.Request.Path.StartsWithSegments("/api"))
        {
            // Records and sessions are personal: no shared or browser cache keeps them.
            headers.CacheControl = "no-store";
        }
    }
}
