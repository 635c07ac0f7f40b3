using System.Globalization;
using System.Security.Cryptography;
using Luban.Web.Api;
using Luban.Web.Hosting;
using Luban.Web.Security;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Identity;

namespace Luban.Web.Accounts;

public sealed record Credentials(string? Email, string? Password);

public sealed record PasswordChange(string? CurrentPassword, string? NewPassword);

public sealed record AccountAnswer(string Email);

public sealed record AntiforgeryAnswer(string Token, string HeaderName);

/// <summary>
/// Register, sign in, sign out, who am I, change password. Passwords are hashed with ASP.NET Core Identity's
/// PasswordHasher (PBKDF2-HMAC-SHA512, salted, iterated) and only the hash is stored.
/// </summary>
public static class AccountEndpoints
{
    private const int MaxBodyBytes = 4 * 1024;

    public static void MapAccountApi(this RouteGroupBuilder api)
    {
        var account = api.MapGroup("/account");
        account.MapPost("/register", RegisterAsync);
        account.MapPost("/login", LoginAsync);
        account.MapPost("/logout", async (HttpContext http) =>
        {
            await Sessions.SignOutAsync(http);
            return Results.NoContent();
        });
        account.MapGet("/me", (HttpContext http) => Sessions.Email(http.User) is { } email
            ? Results.Json(new AccountAnswer(email), AppJsonContext.Default.AccountAnswer)
            : Problems.SignedOut());
        account.MapPost("/password", ChangePasswordAsync);
        // The token the pages send in X-CSRF-TOKEN; tied to the session, so fetched again after sign-in or sign-out.
        account.MapGet("/antiforgery", (HttpContext http, IAntiforgery antiforgery) =>
        {
            var tokens = antiforgery.GetAndStoreTokens(http);
            return Results.Json(new AntiforgeryAnswer(tokens.RequestToken!, ForgeryRules.TokenHeader), AppJsonContext.Default.AntiforgeryAnswer);
        });
    }

    private static async Task<IResult> RegisterAsync(
        HttpContext http, AccountStore accounts, PasswordHasher<Account> hasher, TimeProvider clock, CancellationToken ct)
    {
        var (credentials, problem) = await JsonBody.ReadAsync(http, AppJsonContext.Default.Credentials, MaxBodyBytes, ct);
        if (problem is not null)
        {
            return problem;
        }
        var email = AccountRules.NormalizeEmail(credentials!.Email);
        var errors = new List<Luban.FengShui.Validation.FieldError>();
        if (!AccountRules.IsValidEmail(email))
        {
            errors.Add(WebMessages.Field("email", "E_EMAIL"));
        }
        if (!AccountRules.IsValidPassword(credentials.Password, email))
        {
            errors.Add(WebMessages.Field("password", "E_PASSWORD"));
        }
        if (errors.Count > 0)
        {
            return Problems.BadRequest("Invalid account", errors);
        }
        var now = clock.GetUtcNow();
        var account = new Account(Guid.CreateVersion7(now).ToString("N"), email, "", NewStamp(), new SignInState(0, null));
        account = account with { PasswordHash = hasher.HashPassword(account, credentials.Password!) };
        if (!await accounts.CreateAsync(account, now, ct))
        {
            return Problems.BadRequest("Invalid account", "email", "E_TAKEN");
        }
        await Sessions.SignInAsync(http, account, now);
        return Results.Json(new AccountAnswer(email), AppJsonContext.Default.AccountAnswer, statusCode: StatusCodes.Status201Created);
    }

    private static async Task<IResult> LoginAsync(
        HttpContext http, AccountStore accounts, PasswordHasher<Account> hasher, LubanSettings settings, TimeProvider clock, CancellationToken ct)
    {
        var (credentials, problem) = await JsonBody.ReadAsync(http, AppJsonContext.Default.Credentials, MaxBodyBytes, ct);
        if (problem is not null)
        {
            return problem;
        }
        var email = AccountRules.NormalizeEmail(credentials!.Email);
        var account = email.Length == 0 ? null : await accounts.FindByEmailAsync(email, ct);
        var (verdict, checkedAccount) = await CheckPasswordAsync(account, credentials.Password, accounts, hasher, settings, clock, ct);
        if (verdict is not null)
        {
            return verdict;
        }
        await Sessions.SignInAsync(http, checkedAccount!, clock.GetUtcNow());
        return Results.Json(new AccountAnswer(checkedAccount!.Email), AppJsonContext.Default.AccountAnswer);
    }

    private static async Task<IResult> ChangePasswordAsync(
        HttpContext http, AccountStore accounts, PasswordHasher<Account> hasher, LubanSettings settings, TimeProvider clock, CancellationToken ct)
    {
        if (Sessions.AccountId(http.User) is not { } id)
        {
            return Problems.SignedOut();
        }
        var (change, problem) = await JsonBody.ReadAsync(http, AppJsonContext.Default.PasswordChange, MaxBodyBytes, ct);
        if (problem is not null)
        {
            return problem;
        }
        var account = await accounts.FindAsync(id, ct);
        if (account is null)
        {
            await Sessions.SignOutAsync(http);
            return Problems.SignedOut();
        }
        if (!AccountRules.IsValidPassword(change!.NewPassword, account.Email))
        {
            return Problems.BadRequest("Invalid password", "newPassword", "E_PASSWORD");
        }
        var (verdict, _) = await CheckPasswordAsync(account, change.CurrentPassword, accounts, hasher, settings, clock, ct, "currentPassword");
        if (verdict is not null)
        {
            return verdict;
        }
        var changed = account with { SecurityStamp = NewStamp() };
        changed = changed with { PasswordHash = hasher.HashPassword(changed, change.NewPassword!) };
        await accounts.SetPasswordAsync(id, changed.PasswordHash, changed.SecurityStamp, ct);
        // This session continues with the new stamp; every other session of the account ends at its next check.
        await Sessions.SignInAsync(http, changed, clock.GetUtcNow());
        return Results.NoContent();
    }

    // Null verdict when the password is right (failures reset, hash upgraded if the hasher asks); otherwise 401, or 429
    // with the time left while locked. An unknown address costs one hash verification too, so timing does not tell.
    private static async Task<(IResult? Verdict, Account? Account)> CheckPasswordAsync(
        Account? account, string? password, AccountStore accounts, PasswordHasher<Account> hasher, LubanSettings settings, TimeProvider clock,
        CancellationToken ct, string field = "password")
    {
        var now = clock.GetUtcNow();
        if (account is null)
        {
            hasher.VerifyHashedPassword(Unknown.Account, Unknown.Hash(hasher), password ?? "");
            return (WrongPassword(field), null);
        }
        if (LockoutPolicy.LockedFor(account.SignIn, now) is { } left)
        {
            return (Locked(left), null);
        }
        var result = password is null ? PasswordVerificationResult.Failed : hasher.VerifyHashedPassword(account, account.PasswordHash, password);
        if (result == PasswordVerificationResult.Failed)
        {
            var failed = await accounts.CountFailureAsync(account.Id, ct);
            var state = LockoutPolicy.AfterFailure(failed, now, settings.Lockout);
            if (state.LockedUntil is { } until)
            {
                await accounts.SetSignInStateAsync(account.Id, state, ct);
                return (Locked(until - now), null);
            }
            return (WrongPassword(field), null);
        }
        if (account.SignIn != default)
        {
            await accounts.SetSignInStateAsync(account.Id, default, ct);
        }
        if (result == PasswordVerificationResult.SuccessRehashNeeded)
        {
            var rehashed = hasher.HashPassword(account, password!);
            await accounts.SetPasswordAsync(account.Id, rehashed, account.SecurityStamp, ct);
            account = account with { PasswordHash = rehashed };
        }
        return (null, account with { SignIn = default });
    }

    private static IResult WrongPassword(string field) => Problems.Status(401, "Sign-in failed", [WebMessages.Field(field, "E_CREDENTIALS")]);

    private static IResult Locked(TimeSpan left)
    {
        var seconds = LockoutPolicy.RetryAfterSeconds(left);
        return Problems.Status(429, "Account locked",
            [WebMessages.Field("email", "E_LOCKED", ("seconds", seconds.ToString(CultureInfo.InvariantCulture)))], seconds);
    }

    private static string NewStamp() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    // A hash to verify against when the address is unknown: made once with the service's own hasher (so it costs what
    // a real one costs), of a password nobody knows.
    private static class Unknown
    {
        public static readonly Account Account = new("", "", "", "", default);
        private static string? _hash;

        public static string Hash(PasswordHasher<Account> hasher) =>
            _hash ??= hasher.HashPassword(Account, Convert.ToHexString(RandomNumberGenerator.GetBytes(16)));
    }
}
