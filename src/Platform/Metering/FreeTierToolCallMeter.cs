using System.Globalization;
using Assistiv.Platform.Common;
using Assistiv.Platform.Storage;
using Assistiv.Platform.UsageLogs;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Assistiv.Platform.Metering;

/// <summary>
/// The tool-call meter until budgets and the wallet exist (API.md §8.5 "Metering interface"): it counts the free tier
/// only. A call claims a slot of its platform's current UTC month with one conditional UPDATE
/// (<c>settled_free + claimed_free &lt; FreeCallsPerMonth</c>); a call that finds the tier used up still runs, with no
/// hold, and logs <c>not_billed</c>. <see cref="CompleteAsync"/> consumes (success) or returns (failure) the slot and
/// inserts the <c>mcp_tool</c> usage-log row in the same transaction. Works on SQLite and PostgreSQL.
/// </summary>
public sealed partial class FreeTierToolCallMeter : IToolCallMeter
{
    private readonly IDbContextFactory<PlatformDbContext> _db;
    private readonly TimeProvider _time;
    private readonly long _freeCallsPerMonth;
    private readonly ILogger<FreeTierToolCallMeter> _logger;

    /// <summary>Creates the meter.</summary>
    /// <param name="db">Database factory.</param>
    /// <param name="time">Clock; the month is its UTC calendar month.</param>
    /// <param name="options"><c>Gateway:Mcp</c> settings.</param>
    /// <param name="logger">Logger.</param>
    /// <exception cref="ArgumentOutOfRangeException"><c>FreeCallsPerMonth</c> is negative.</exception>
    public FreeTierToolCallMeter(
        IDbContextFactory<PlatformDbContext> db,
        TimeProvider time,
        IOptions<McpMeteringOptions> options,
        ILogger<FreeTierToolCallMeter> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _db = db;
        _time = time;
        _logger = logger;
        _freeCallsPerMonth = options.Value.FreeCallsPerMonth;
        ArgumentOutOfRangeException.ThrowIfNegative(_freeCallsPerMonth, "Gateway:Mcp:FreeCallsPerMonth");
    }

    /// <inheritdoc/>
    public async ValueTask<ToolAdmission> AdmitAsync(ToolMeterRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (_freeCallsPerMonth == 0)
        {
            return new ToolAdmission(ToolAdmissionStatus.Admitted, FreeSlot: false, HoldId: null);
        }

        var month = MonthOf(_time.GetUtcNow());
        var platformId = request.PlatformId;
        var limit = _freeCallsPerMonth;

        await using var db = await _db.CreateDbContextAsync(cancellationToken);
        for (var attempt = 0; attempt < 2; attempt++)
        {
            // One conditional statement: concurrent claims can never pass the limit together.
            var claimed = await db.McpFreeTier
                .Where(r => r.PlatformId == platformId && r.Month == month && r.SettledFree + r.ClaimedFree < limit)
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.ClaimedFree, r => r.ClaimedFree + 1), cancellationToken);
            if (claimed == 1)
            {
                return new ToolAdmission(ToolAdmissionStatus.Admitted, FreeSlot: true, HoldId: null) { FreeTierMonth = month };
            }

            if (attempt > 0 || await db.McpFreeTier.AnyAsync(r => r.PlatformId == platformId && r.Month == month, cancellationToken))
            {
                break;
            }

            await EnsureRowAsync(platformId, month, cancellationToken);
        }

        // The tier is used up: the call still runs, unbilled, until budgets exist (API.md §8.5).
        return new ToolAdmission(ToolAdmissionStatus.Admitted, FreeSlot: false, HoldId: null);
    }

    /// <inheritdoc/>
    public async ValueTask CompleteAsync(ToolMeterRequest request, ToolAdmission? admission, ToolCallCompletion completion, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(completion);

        var month = admission is { Status: ToolAdmissionStatus.Admitted, FreeSlot: true } ? admission.FreeTierMonth : null;
        var platformId = request.PlatformId;

        await using var db = await _db.CreateDbContextAsync(cancellationToken);
        var strategy = db.Database.CreateExecutionStrategy();
        await strategy.ExecuteAsync(async ct =>
        {
            db.ChangeTracker.Clear();

            // SQLite: BEGIN IMMEDIATE (Microsoft.Data.Sqlite's default), so the counter and the row commit together.
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var billingStatus = "not_billed";
            if (month is not null)
            {
                var counters = db.McpFreeTier.Where(r => r.PlatformId == platformId && r.Month == month && r.ClaimedFree > 0);
                if (completion.Success)
                {
                    var moved = await counters.ExecuteUpdateAsync(
                        s => s.SetProperty(r => r.SettledFree, r => r.SettledFree + 1).SetProperty(r => r.ClaimedFree, r => r.ClaimedFree - 1), ct);
                    billingStatus = moved == 1 ? "free_tier" : "not_billed";
                }
                else
                {
                    // Failed calls are neither counted nor charged (API.md §8.5): the slot goes back.
                    await counters.ExecuteUpdateAsync(s => s.SetProperty(r => r.ClaimedFree, r => r.ClaimedFree - 1), ct);
                }
            }

            db.UsageLogs.Add(new UsageLogRecord
            {
                Id = Ids.NewId(_time),
                RequestId = request.RequestId,
                PlatformId = request.PlatformId,
                EndUserId = request.EndUserId,
                ApiKeyId = request.ApiKeyId,
                RequestType = "mcp_tool",
                LatencyMs = completion.LatencyMs,
                Status = completion.Status,
                ErrorCode = completion.ErrorCode,
                ErrorMessage = completion.ErrorMessage,
                BillingStatus = billingStatus,
                McpApp = request.App,
                McpTool = request.Tool,
                EstimatedCostMicros = 0,
                BilledMicros = 0,
                MetadataJson = "{}",
                CreatedAt = _time.UtcNowMs(),
            });
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
        }, cancellationToken);
    }

    /// <summary>The <see cref="McpFreeTierRecord.Month"/> key of a UTC instant.</summary>
    /// <param name="utcNow">The instant.</param>
    internal static string MonthOf(DateTimeOffset utcNow) =>
        utcNow.UtcDateTime.ToString("yyyy-MM", CultureInfo.InvariantCulture);

    // Inserts the month's counter row. The primary key (platform, month) makes a concurrent insert fail instead of
    // duplicating; the loser simply retries the claim against the winner's row.
    private async Task EnsureRowAsync(Guid platformId, string month, CancellationToken cancellationToken)
    {
        await using var db = await _db.CreateDbContextAsync(cancellationToken);
        db.McpFreeTier.Add(new McpFreeTierRecord { PlatformId = platformId, Month = month, SettledFree = 0, ClaimedFree = 0 });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            LogCounterRowRace(_logger, platformId, month);
        }
    }

    [LoggerMessage(EventId = 3101, Level = LogLevel.Debug, Message = "Free-tier row {PlatformId}/{Month} was inserted concurrently; using the existing row.")]
    private static partial void LogCounterRowRace(ILogger logger, Guid platformId, string month);
}
