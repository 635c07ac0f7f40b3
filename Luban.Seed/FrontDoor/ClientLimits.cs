using System.Globalization;
using System.Net;
using System.Threading.RateLimiting;

namespace Luban.Seed.FrontDoor;

/// <summary>
/// Overload at the door: each client address may have <c>client-concurrency-limit</c> requests in flight and send
/// <c>client-rate-limit</c> per second (a token bucket of twice that); beyond either it gets 429 with Retry-After,
/// and the VMs never see the excess. One flooding client cannot take the cluster from everyone else. The defaults sit
/// far above what one real user (or the figure-15 load generator, 160 clients on one address) sends.
/// </summary>
public static class ClientLimits
{
    /// <summary>Registers the limiter; false when both limits are off (then no middleware runs at all).</summary>
    public static bool AddTo(IServiceCollection services, FrontDoorSettings settings)
    {
        if (settings.ClientConcurrencyLimit == 0 && settings.ClientRateLimit == 0) return false;
        services.AddRateLimiter(options =>
        {
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.GlobalLimiter = PartitionedRateLimiter.CreateChained(Limiters(settings).ToArray());
            options.OnRejected = (context, _) =>
            {
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)) : 1;
                context.HttpContext.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
                return ValueTask.CompletedTask;
            };
        });
        return true;
    }

    private static IEnumerable<PartitionedRateLimiter<HttpContext>> Limiters(FrontDoorSettings settings)
    {
        if (settings.ClientConcurrencyLimit > 0)
        {
            yield return PartitionedRateLimiter.Create<HttpContext, IPAddress>(context => RateLimitPartition.GetConcurrencyLimiter(
                ClientOf(context), _ => new ConcurrencyLimiterOptions { PermitLimit = settings.ClientConcurrencyLimit, QueueLimit = 0 }));
        }

        if (settings.ClientRateLimit > 0)
        {
            yield return PartitionedRateLimiter.Create<HttpContext, IPAddress>(context => RateLimitPartition.GetTokenBucketLimiter(
                ClientOf(context), _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = 2 * settings.ClientRateLimit,
                    TokensPerPeriod = Math.Max(1, settings.ClientRateLimit / 10),
                    ReplenishmentPeriod = TimeSpan.FromMilliseconds(100),
                    QueueLimit = 0,
                    AutoReplenishment = true,
                }));
        }
    }

    private static IPAddress ClientOf(HttpContext context) => context.Connection.RemoteIpAddress ?? IPAddress.None;
}
