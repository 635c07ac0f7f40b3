using Luban.Web.Storage;

namespace Luban.Web.Records;

/// <summary>Hourly, forgets Idempotency-Keys past their 24-hour window (any instance may do it; it is idempotent).</summary>
public sealed class RequestPurge(RecordStore records, TimeProvider clock, ILogger<RequestPurge> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromHours(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await records.PurgeRequestsAsync(stoppingToken);
                }
                catch (DatabaseUnavailableException)
                {
                    logger.LogInformation("Idempotency-Key purge skipped: the records database is unavailable");
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }
}
