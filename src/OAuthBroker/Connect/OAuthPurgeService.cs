using Assistiv.Platform.Common;
using Assistiv.Platform.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Assistiv.OAuthBroker.Connect;

/// <summary>
/// The hourly purge of API.md §1.4 for the connect flow: OAuth states and connect tokens are deleted 24 h after they
/// expire (until then a used or expired state still answers <c>invalid_state</c> / <c>state_expired</c>, §9.2 step 1).
/// </summary>
internal sealed partial class OAuthPurgeService(IDbContextFactory<PlatformDbContext> db, TimeProvider time, ILogger<OAuthPurgeService> logger)
    : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromHours(1);
    public static readonly TimeSpan Retention = TimeSpan.FromHours(24);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await PurgeAsync(stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    // One failed round (database briefly away) must not end the loop.
                    LogFailed(logger, ex.GetType().Name);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Deletes states and connect tokens that expired more than 24 h ago; returns how many rows went.</summary>
    public async Task<int> PurgeAsync(CancellationToken cancellationToken)
    {
        var cutoff = time.UtcNowMs() - Retention;
        await using var context = await db.CreateDbContextAsync(cancellationToken);
        var states = await context.OAuthStates.Where(s => s.ExpiresAt < cutoff).ExecuteDeleteAsync(cancellationToken);
        var tokens = await context.ConnectTokens.Where(t => t.ExpiresAt < cutoff).ExecuteDeleteAsync(cancellationToken);
        if (states + tokens > 0)
        {
            LogPurged(logger, states, tokens);
        }

        return states + tokens;
    }

    [LoggerMessage(1, LogLevel.Information, "Purged {States} OAuth states and {Tokens} connect tokens.")]
    private static partial void LogPurged(ILogger logger, int states, int tokens);

    [LoggerMessage(2, LogLevel.Warning, "The OAuth state purge failed ({Fault}); it runs again in an hour.")]
    private static partial void LogFailed(ILogger logger, string fault);
}
