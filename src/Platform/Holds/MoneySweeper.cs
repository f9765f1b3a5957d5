using Assistiv.Platform.Budgets;
using Assistiv.Platform.Common;
using Assistiv.Platform.Ledger;
using Assistiv.Platform.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Assistiv.Platform.Holds;

/// <summary>
/// The money sweepers of API.md §1.4, every 60 s on <see cref="TimeProvider"/>: releases holds older than
/// <c>TotalTimeoutSeconds</c> + 60 s (any instance's; log row <c>hold_expired</c>, §5.6) and resets budgets whose period
/// ended without a touch (§5.3). Each pass catches and logs its own failure, so one bad row never stops the loop.
/// </summary>
internal sealed partial class MoneySweeper : BackgroundService
{
    private readonly IDbContextFactory<PlatformDbContext> _db;
    private readonly HoldService _holds;
    private readonly BudgetService _budgets;
    private readonly TimeProvider _time;
    private readonly MoneyOptions _options;
    private readonly ILogger<MoneySweeper> _logger;
    private PeriodicTimer? _timer;

    public MoneySweeper(IDbContextFactory<PlatformDbContext> db, HoldService holds, BudgetService budgets, TimeProvider time,
        IOptions<MoneyOptions> options, ILogger<MoneySweeper> logger)
    {
        _db = db;
        _holds = holds;
        _budgets = budgets;
        _time = time;
        _options = options.Value;
        _logger = logger;
    }

    /// <summary>One pass of both sweepers; returns (holds released, budgets reset).</summary>
    public async Task<(int Holds, int Budgets)> SweepOnceAsync(CancellationToken cancellationToken)
    {
        var cutoff = _time.UtcNowMs() - _options.HoldExpiry;
        List<Guid> expired;
        await using (var db = await _db.CreateDbContextAsync(cancellationToken))
        {
            expired = await db.Holds.AsNoTracking().Where(h => h.CreatedAt < cutoff).OrderBy(h => h.CreatedAt)
                .Select(h => h.Id).Take(10_000).ToListAsync(cancellationToken);
        }

        var holds = 0;
        foreach (var id in expired)
        {
            holds += await _holds.ReleaseAbandonedAsync(id, HoldErrorCodes.HoldExpired, cancellationToken) ? 1 : 0;
        }

        var budgets = await _budgets.ResetDueAsync(cancellationToken);
        return (holds, budgets);
    }

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        // Made before the host finishes starting (ExecuteAsync runs on a background thread), so the first interval
        // counts from start-up on the injected clock.
        _timer = new PeriodicTimer(_options.SweepInterval, _time);
        return base.StartAsync(cancellationToken);
    }

    public override void Dispose()
    {
        _timer?.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var timer = _timer ?? throw new InvalidOperationException("StartAsync was not called.");
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                // Leave the thread that fired the timer first. A clock moved ahead by a test (FakeTimeProvider.Advance of a
                // day) fires a 60 s timer once per elapsed period on its own thread; a sweep whose queries complete
                // synchronously (SQLite) would run inline for every one of those 1,440 ticks. Off that thread, the
                // ticks that fire meanwhile collapse into one, as PeriodicTimer does for a late consumer.
                await Task.Yield();
                try
                {
                    var (holds, budgets) = await SweepOnceAsync(stoppingToken);
                    if (holds + budgets > 0)
                    {
                        LogSwept(_logger, holds, budgets);
                    }
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    LogSweepFailed(_logger, ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(5201, LogLevel.Information, "Sweeper released {Holds} expired holds and reset {Budgets} budget periods.")]
    private static partial void LogSwept(ILogger logger, int holds, int budgets);

    [LoggerMessage(5202, LogLevel.Error, "A money sweep failed; retrying at the next tick.")]
    private static partial void LogSweepFailed(ILogger logger, Exception exception);
}
