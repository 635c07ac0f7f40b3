using Luban.Web.Hosting;

namespace Luban.Web.Accounts;

/// <summary>An account's sign-in failures as stored: failures in a row, and the end of a lockout if one is running.</summary>
public readonly record struct SignInState(int FailedAttempts, DateTimeOffset? LockedUntil);

/// <summary>Lockout after repeated failed sign-ins (pure; the store applies what it decides).</summary>
public static class LockoutPolicy
{
    /// <summary>How long the account stays locked from <paramref name="now"/>, or null when it may try.</summary>
    public static TimeSpan? LockedFor(SignInState state, DateTimeOffset now) =>
        state.LockedUntil is { } until && until > now ? until - now : null;

    /// <summary>
    /// The state after one more failure, given the failures in a row counting this one: the attempt that reaches the
    /// limit starts a lockout and clears the count, so the next window starts fresh.
    /// </summary>
    public static SignInState AfterFailure(int failedInARow, DateTimeOffset now, LockoutSettings settings) =>
        failedInARow >= settings.MaxFailedAttempts ? new SignInState(0, now + settings.Duration) : new SignInState(failedInARow, null);

    /// <summary>Whole seconds for Retry-After and the message, never 0 while locked.</summary>
    public static int RetryAfterSeconds(TimeSpan left) => Math.Max(1, (int)Math.Ceiling(left.TotalSeconds));
}
