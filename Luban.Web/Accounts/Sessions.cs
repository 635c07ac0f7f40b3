using System.Globalization;
using System.Security.Claims;
using Luban.Web.Hosting;
using Luban.Web.Security;
using Luban.Web.Storage;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.Options;

namespace Luban.Web.Accounts;

/// <summary>
/// The session: an encrypted cookie (ASP.NET Core cookie authentication) whose keys come from the shared Data
/// Protection key ring in the database, so any VM reads a cookie any other VM issued. The cookie is HttpOnly,
/// SameSite=Lax, Secure when the service is public over HTTPS (or the request came over HTTPS), and carries the
/// account's security stamp: a password change gives the account a new stamp, and a session holding the old one is
/// ended at its next check.
/// </summary>
public static class Sessions
{
    public const string CookieName = "luban-session";
    public const string AntiforgeryCookieName = "luban-af";
    public const string StampClaim = "luban:stamp";
    private const string CheckedItem = "luban.checked";

    public static void AddLubanSessions(this IServiceCollection services, LubanSettings settings)
    {
        services.AddDataProtection().SetApplicationName("luban-web");
        services.AddSingleton<IConfigureOptions<KeyManagementOptions>>(provider => new ConfigureOptions<KeyManagementOptions>(options =>
            options.XmlRepository = provider.GetRequiredService<DatabaseXmlRepository>()));
        var secure = settings.PublicHttps ? CookieSecurePolicy.Always : CookieSecurePolicy.SameAsRequest;
        services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme).AddCookie(options =>
        {
            options.Cookie.Name = CookieName;
            options.Cookie.HttpOnly = true;
            options.Cookie.SameSite = SameSiteMode.Lax;
            options.Cookie.SecurePolicy = secure;
            options.ExpireTimeSpan = TimeSpan.FromDays(7);
            options.SlidingExpiration = true;
            // An API answers 401/403; it never redirects to a login page.
            options.Events.OnRedirectToLogin = context => Status(context.Response, StatusCodes.Status401Unauthorized);
            options.Events.OnRedirectToAccessDenied = context => Status(context.Response, StatusCodes.Status403Forbidden);
            options.Events.OnValidatePrincipal = CheckStampAsync;
        });
        services.AddAntiforgery(options =>
        {
            options.HeaderName = ForgeryRules.TokenHeader;
            options.Cookie.Name = AntiforgeryCookieName;
            options.Cookie.SameSite = SameSiteMode.Strict;
            options.Cookie.SecurePolicy = secure;
            // The service sets X-Frame-Options (and frame-ancestors) on every response itself.
            options.SuppressXFrameOptionsHeader = true;
        });
    }

    /// <summary>The signed-in account's id, or null for an anonymous visitor.</summary>
    public static string? AccountId(ClaimsPrincipal user) =>
        user.Identity?.IsAuthenticated == true ? user.FindFirstValue(ClaimTypes.NameIdentifier) : null;

    public static string? Email(ClaimsPrincipal user) => user.Identity?.IsAuthenticated == true ? user.FindFirstValue(ClaimTypes.Email) : null;

    public static Task SignInAsync(HttpContext http, Account account, DateTimeOffset now)
    {
        var identity = new ClaimsIdentity(
            [new Claim(ClaimTypes.NameIdentifier, account.Id), new Claim(ClaimTypes.Email, account.Email), new Claim(StampClaim, account.SecurityStamp)],
            CookieAuthenticationDefaults.AuthenticationScheme);
        var properties = new AuthenticationProperties { IsPersistent = true };
        properties.Items[CheckedItem] = now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        return http.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, new ClaimsPrincipal(identity), properties);
    }

    public static Task SignOutAsync(HttpContext http) => http.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);

    // At most once per check interval per session, the stamp in the cookie is compared with the account's. A database
    // that cannot answer leaves the session as it is (reads must keep working through an outage).
    private static async Task CheckStampAsync(CookieValidatePrincipalContext context)
    {
        var services = context.HttpContext.RequestServices;
        var settings = services.GetRequiredService<LubanSettings>();
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
        var checkedAt = context.Properties.Items.TryGetValue(CheckedItem, out var text) && long.TryParse(text, CultureInfo.InvariantCulture, out var seconds)
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : DateTimeOffset.MinValue;
        if (now - checkedAt < settings.SessionCheck && settings.SessionCheck > TimeSpan.Zero)
        {
            return;
        }
        var id = context.Principal?.FindFirstValue(ClaimTypes.NameIdentifier);
        string? stamp;
        try
        {
            stamp = id is null ? null : await services.GetRequiredService<AccountStore>().SecurityStampAsync(id, context.HttpContext.RequestAborted);
        }
        catch (DatabaseUnavailableException)
        {
            return;
        }
        if (stamp is null || stamp != context.Principal?.FindFirstValue(StampClaim))
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return;
        }
        context.Properties.Items[CheckedItem] = now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        context.ShouldRenew = true;
    }

    private static Task Status(HttpResponse response, int status)
    {
        response.StatusCode = status;
        return Task.CompletedTask;
    }
}
