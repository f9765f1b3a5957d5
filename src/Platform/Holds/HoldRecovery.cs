using Assistiv.Platform.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Assistiv.Platform.Holds;

/// <summary>
/// Start-up recovery (API.md §5.6, STYLE.md §6): in <see cref="StartAsync"/>, before the server accepts requests,
/// releases every hold this instance (<c>Gateway:InstanceId</c>) left open in its previous run. The usage died with the
/// process, so nothing can be settled: each is released uncharged with a log row <c>error</c> / <c>not_billed</c> /
/// <c>gateway_restart</c>. Other instances' holds are untouched (the sweeper gets those of instances that never return).
/// </summary>
internal sealed partial class HoldRecovery : IHostedService
{
    private readonly IDbContextFactory<PlatformDbContext> _db;
    private readonly HoldService _holds;
    private readonly ILogger<HoldRecovery> _logger;

    public HoldRecovery(IDbContextFactory<PlatformDbContext> db, HoldService holds, ILogger<HoldRecovery> logger)
    {
        _db = db;
        _holds = holds;
        _logger = logger;
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var released = await ReleaseOwnHoldsAsync(cancellationToken);
        if (released > 0)
        {
            LogReleased(_logger, released, _holds.InstanceId);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task<int> ReleaseOwnHoldsAsync(CancellationToken cancellationToken)
    {
        var instance = _holds.InstanceId;
        List<Guid> ids;
        await using (var db = await _db.CreateDbContextAsync(cancellationToken))
        {
            ids = await db.Holds.AsNoTracking().Where(h => h.InstanceId == instance).Select(h => h.Id).ToListAsync(cancellationToken);
        }

        var count = 0;
        foreach (var id in ids)
        {
            count += await _holds.ReleaseAbandonedAsync(id, HoldErrorCodes.GatewayRestart, cancellationToken) ? 1 : 0;
        }

        return count;
    }

    [LoggerMessage(5101, LogLevel.Warning, "Released {Count} holds left open by the previous run of instance {InstanceId}; those calls were not charged.")]
    private static partial void LogReleased(ILogger logger, int count, string instanceId);
}
