using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Assistiv.Platform.Idempotency;

/// <summary>
/// The hourly purge of idempotency records 24 h after their first request (API.md §1.4, §11.3). Each iteration is
/// guarded so one failure does not stop the loop (STYLE.md §0.11).
/// </summary>
internal sealed partial class IdempotencyPurgeService(IdempotencyStore store, TimeProvider time, ILogger<IdempotencyPurgeService> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromHours(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    var n = await store.PurgeAsync(stoppingToken);
                    LogPurged(logger, n);
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    LogPurgeFailed(logger, ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(1, LogLevel.Debug, "Purged {Count} idempotency records.")]
    private static partial void LogPurged(ILogger logger, int count);

    [LoggerMessage(2, LogLevel.Warning, "Idempotency purge failed; retrying next hour.")]
    private static partial void LogPurgeFailed(ILogger logger, Exception exception);
}
