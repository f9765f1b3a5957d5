using Assistiv.Platform.Common;
using Assistiv.Platform.Ledger;
using Assistiv.Platform.Storage;
using Assistiv.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace Assistiv.Platform.Budgets;

/// <summary>
/// Budgets of end users (API.md §4.6, §5): create, read (with the lazy period reset of §5.3), change, top up, debit,
/// deactivate, and the ledger. Every balance change writes its ledger row and webhook outbox rows in the same transaction.
/// Amounts are micro-USD. Callers check that the end user belongs to the platform; every method also scopes by platform.
/// </summary>
public sealed class BudgetService
{
    /// <summary>Upper bound of <c>max_usd</c> reached through top-ups: 1,000,000 USD (API.md §4.6, §12).</summary>
    public const long MaxBudgetMicros = 1_000_000_000_000;

    private readonly IDbContextFactory<PlatformDbContext> _db;
    private readonly IMoneyExecutor _money;
    private readonly TimeProvider _time;

    internal BudgetService(IDbContextFactory<PlatformDbContext> db, IMoneyExecutor money, TimeProvider time)
    {
        _db = db;
        _money = money;
        _time = time;
    }

    /// <summary>
    /// Creates the end user's budget with its <c>opening_balance</c> row in one transaction (API.md §4.6).
    /// </summary>
    /// <param name="platformId">The platform.</param>
    /// <param name="endUserId">The end user.</param>
    /// <param name="settings">Validated fields.</param>
    /// <param name="requestId">The request id for the ledger row.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns><see cref="BudgetOutcome.Ok"/>, <see cref="BudgetOutcome.EndUserNotFound"/> or <see cref="BudgetOutcome.Exists"/>.</returns>
    public async Task<BudgetResult> CreateAsync(Guid platformId, Guid endUserId, BudgetSettings settings, string? requestId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        await using var db = await _db.CreateDbContextAsync(cancellationToken);
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);
        var user = await db.EndUsers.AsNoTracking()
            .FirstOrDefaultAsync(u => u.Id == endUserId && u.PlatformId == platformId && u.DeletedAt == null, cancellationToken);
        if (user is null)
        {
            return new BudgetResult(BudgetOutcome.EndUserNotFound);
        }

        if (await db.Budgets.AnyAsync(b => b.EndUserId == endUserId && b.IsActive, cancellationToken))
        {
            return new BudgetResult(BudgetOutcome.Exists);
        }

        var (budget, row) = AddBudget(db, user, settings, _time, requestId);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            await tx.CommitAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (DbErrors.IsUniqueViolation(ex))
        {
            // A concurrent create won the partial unique index on (end_user_id) WHERE is_active.
            return new BudgetResult(BudgetOutcome.Exists);
        }

        return new BudgetResult(BudgetOutcome.Ok, budget, row);
    }

    /// <summary>
    /// Adds a budget and its <c>opening_balance</c> row to an EF unit of work (budget create, and the default budget of
    /// end-user create, API.md §4.4). The caller saves and commits; an active budget of the user makes the save fail on
    /// the unique index.
    /// </summary>
    /// <param name="db">The unit of work.</param>
    /// <param name="user">The end user.</param>
    /// <param name="settings">Validated fields.</param>
    /// <param name="time">Clock.</param>
    /// <param name="requestId">The request id for the ledger row, or null.</param>
    public static (BudgetRecord Budget, BudgetTransactionRecord Opening) AddBudget(PlatformDbContext db, EndUserRecord user, BudgetSettings settings,
        TimeProvider time, string? requestId)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(settings);
        var now = time.UtcNowMs();
        var start = BudgetPeriods.WindowStart(settings.Period, now);
        var budget = new BudgetRecord
        {
            Id = Ids.NewId(time),
            PlatformId = user.PlatformId,
            EndUserId = user.Id,
            ExternalId = user.ExternalId,
            MaxMicros = settings.MaxMicros,
            Period = settings.Period,
            PeriodStart = start,
            PeriodEnd = BudgetPeriods.WindowEnd(settings.Period, start),
            AutoReplenish = settings.AutoReplenish,
            ReplenishMicros = settings.ReplenishMicros,
            LowBalanceThresholdMicros = settings.LowBalanceThresholdMicros,
            LowBalanceArmed = true,
            IsActive = true,
            CreatedAt = now,
            UpdatedAt = now,
        };
        var row = new BudgetTransactionRecord
        {
            Id = MonotonicIds.Next(now),
            BudgetId = budget.Id,
            PlatformId = budget.PlatformId,
            EndUserId = budget.EndUserId,
            Type = LedgerTypes.OpeningBalance,
            Direction = LedgerTypes.DirectionOf(settings.MaxMicros),
            AmountMicros = settings.MaxMicros,
            MaxAfterMicros = settings.MaxMicros,
            UsedAfterMicros = 0,
            RequestId = requestId,
            CreatedAt = now,
        };
        db.Budgets.Add(budget);
        db.BudgetTransactions.Add(row);
        return (budget, row);
    }

    /// <summary>
    /// The end user's active budget, after the lazy period reset (API.md §5.3: any read is a touch); null when none.
    /// </summary>
    /// <param name="platformId">The platform.</param>
    /// <param name="endUserId">The end user.</param>
    /// <param name="requestId">Request id for a reset row, or null.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    public async Task<BudgetRecord?> GetActiveAsync(Guid platformId, Guid endUserId, string? requestId, CancellationToken cancellationToken)
    {
        BudgetRecord? budget;
        await using (var db = await _db.CreateDbContextAsync(cancellationToken))
        {
            budget = await db.Budgets.AsNoTracking()
                .FirstOrDefaultAsync(b => b.EndUserId == endUserId && b.PlatformId == platformId && b.IsActive, cancellationToken);
        }

        if (budget?.PeriodEnd is not { } end || _time.GetUtcNow() < end)
        {
            return budget;
        }

        return await _money.RunAsync(async (tx, ct) =>
        {
            var b = await BudgetLedger.LoadActiveAsync(tx, platformId, endUserId, ct);
            if (b is null)
            {
                return null;
            }

            if (await BudgetLedger.TouchAsync(tx, b, requestId, ct))
            {
                await BudgetLedger.SaveAsync(tx, b, ct);
            }

            return b.ToRecord();
        }, cancellationToken);
    }

    /// <summary>A budget of the end user by id (active or not), for ledger reads of deactivated budgets.</summary>
    /// <param name="platformId">The platform.</param>
    /// <param name="endUserId">The end user.</param>
    /// <param name="budgetId">The budget.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    public async Task<BudgetRecord?> FindAsync(Guid platformId, Guid endUserId, Guid budgetId, CancellationToken cancellationToken)
    {
        await using var db = await _db.CreateDbContextAsync(cancellationToken);
        return await db.Budgets.AsNoTracking()
            .FirstOrDefaultAsync(b => b.Id == budgetId && b.EndUserId == endUserId && b.PlatformId == platformId, cancellationToken);
    }

    /// <summary>Raises <c>max_usd</c> by <paramref name="amountMicros"/> with a <c>topup</c> row and <c>budget.topped_up</c> (API.md §4.6).</summary>
    /// <param name="platformId">The platform.</param>
    /// <param name="endUserId">The end user.</param>
    /// <param name="amountMicros">Amount, &gt; 0.</param>
    /// <param name="reason">Reason text, or null.</param>
    /// <param name="metadataJson">Metadata object JSON, or null.</param>
    /// <param name="requestId">Request id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns><see cref="BudgetOutcome.Ok"/>, <see cref="BudgetOutcome.NoActiveBudget"/>, or <see cref="BudgetOutcome.Invalid"/>
    /// when <c>max_usd</c> would pass 1,000,000.</returns>
    public ValueTask<BudgetResult> TopupAsync(Guid platformId, Guid endUserId, long amountMicros, string? reason, string? metadataJson,
        string? requestId, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(amountMicros);
        return _money.RunAsync(async (tx, ct) =>
        {
            var b = await BudgetLedger.LoadActiveAsync(tx, platformId, endUserId, ct);
            if (b is null)
            {
                return new BudgetResult(BudgetOutcome.NoActiveBudget);
            }

            await BudgetLedger.TouchAsync(tx, b, requestId, ct);
            if (b.Max > MaxBudgetMicros - amountMicros)
            {
                tx.Abort();
                return new BudgetResult(BudgetOutcome.Invalid, Param: "amount_usd", Message: "The top-up would take max_usd above 1,000,000.");
            }

            var before = b.Remaining;
            b.Max += amountMicros;
            var row = await BudgetLedger.AppendAsync(tx, b, LedgerTypes.Topup, before, reason, metadataJson, requestId, ct);
            await BudgetLedger.SaveAsync(tx, b, ct);
            return new BudgetResult(BudgetOutcome.Ok, b.ToRecord(), row);
        }, cancellationToken);
    }

    /// <summary>
    /// Raises <c>used_usd</c> by <paramref name="amountMicros"/> with a <c>debit</c> row (API.md §4.6). Without
    /// <paramref name="allowNegative"/> a debit larger than <c>available_usd</c> is refused and writes nothing, atomically
    /// against concurrent debits and holds.
    /// </summary>
    /// <param name="platformId">The platform.</param>
    /// <param name="endUserId">The end user.</param>
    /// <param name="amountMicros">Amount, &gt; 0.</param>
    /// <param name="allowNegative">Let <c>remaining</c> go below zero (chargebacks).</param>
    /// <param name="reason">Reason text, or null.</param>
    /// <param name="metadataJson">Metadata object JSON, or null.</param>
    /// <param name="requestId">Request id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns><see cref="BudgetOutcome.Ok"/>, <see cref="BudgetOutcome.NoActiveBudget"/> or <see cref="BudgetOutcome.Exhausted"/>.</returns>
    public ValueTask<BudgetResult> DebitAsync(Guid platformId, Guid endUserId, long amountMicros, bool allowNegative, string? reason,
        string? metadataJson, string? requestId, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(amountMicros);
        return _money.RunAsync(async (tx, ct) =>
        {
            var b = await BudgetLedger.LoadActiveAsync(tx, platformId, endUserId, ct);
            if (b is null)
            {
                return new BudgetResult(BudgetOutcome.NoActiveBudget);
            }

            await BudgetLedger.TouchAsync(tx, b, requestId, ct);
            if (!allowNegative && b.Available < amountMicros)
            {
                tx.Abort();
                return new BudgetResult(BudgetOutcome.Exhausted, b.ToRecord());
            }

            var before = b.Remaining;
            b.Used += amountMicros;
            var row = await BudgetLedger.AppendAsync(tx, b, LedgerTypes.Debit, before, reason, metadataJson, requestId, ct);
            await BudgetLedger.SaveAsync(tx, b, ct);
            return new BudgetResult(BudgetOutcome.Ok, b.ToRecord(), row);
        }, cancellationToken);
    }

    /// <summary>
    /// Applies a PATCH (API.md §4.6) in one transaction: <c>adjustment</c> row for a new <c>max_usd</c>, then
    /// <c>suspend</c>/<c>unsuspend</c>; a period change moves <c>period_start</c> to the current window of the new period
    /// without resetting <c>used</c>; a threshold change re-arms. The result must satisfy the create rules.
    /// </summary>
    /// <param name="platformId">The platform.</param>
    /// <param name="endUserId">The end user.</param>
    /// <param name="patch">Validated fields.</param>
    /// <param name="requestId">Request id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns><see cref="BudgetOutcome.Ok"/>, <see cref="BudgetOutcome.NoActiveBudget"/> or <see cref="BudgetOutcome.Invalid"/>.</returns>
    public ValueTask<BudgetResult> PatchAsync(Guid platformId, Guid endUserId, BudgetPatch patch, string? requestId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(patch);
        return _money.RunAsync(async (tx, ct) =>
        {
            var b = await BudgetLedger.LoadActiveAsync(tx, platformId, endUserId, ct);
            if (b is null)
            {
                return new BudgetResult(BudgetOutcome.NoActiveBudget);
            }

            await BudgetLedger.TouchAsync(tx, b, requestId, ct);
            var period = patch.Period ?? b.Period;
            var auto = patch.AutoReplenish ?? b.AutoReplenish;
            var replenish = patch.SetReplenish ? patch.ReplenishMicros : b.Replenish;
            if (auto && period == BudgetPeriods.OneTime)
            {
                tx.Abort();
                return new BudgetResult(BudgetOutcome.Invalid, Param: patch.AutoReplenish is not null ? "auto_replenish" : "period",
                    Message: "auto_replenish needs a daily or monthly period.");
            }

            if (auto && replenish is null)
            {
                tx.Abort();
                return new BudgetResult(BudgetOutcome.Invalid, Param: "replenish_amount", Message: "auto_replenish needs a replenish_amount.");
            }

            if (period != b.Period)
            {
                b.Period = period;
                b.PeriodStart = BudgetPeriods.WindowStart(period, tx.Now);
                b.PeriodEnd = BudgetPeriods.WindowEnd(period, b.PeriodStart);
            }

            b.AutoReplenish = auto;
            b.Replenish = replenish;
            if (patch.SetThreshold)
            {
                b.Threshold = patch.LowBalanceThresholdMicros;
                b.Armed = true;
            }

            if (patch.MaxMicros is { } max && max != b.Max)
            {
                var before = b.Remaining;
                b.Max = max;
                await BudgetLedger.AppendAsync(tx, b, LedgerTypes.Adjustment, before, null, null, requestId, ct);
            }

            if (patch.IsSuspended is { } suspended && suspended != b.IsSuspended)
            {
                b.IsSuspended = suspended;
                await BudgetLedger.AppendAsync(tx, b, suspended ? LedgerTypes.Suspend : LedgerTypes.Unsuspend, b.Remaining, null, null, requestId, ct);
            }

            await BudgetLedger.SaveAsync(tx, b, ct);
            return new BudgetResult(BudgetOutcome.Ok, b.ToRecord());
        }, cancellationToken);
    }

    /// <summary>
    /// Deactivates the end user's budget (API.md §4.6 DELETE): <c>is_active=false</c>, its open holds released (calls in
    /// flight settle against the wallet only), a new budget may be created.
    /// </summary>
    /// <param name="platformId">The platform.</param>
    /// <param name="endUserId">The end user.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>False when there was no active budget.</returns>
    public async Task<bool> DeactivateAsync(Guid platformId, Guid endUserId, CancellationToken cancellationToken)
    {
        await using var db = await _db.CreateDbContextAsync(cancellationToken);
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);
        var done = await DeactivateAsync(db, platformId, endUserId, _time, cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return done;
    }

    /// <summary>
    /// The deactivation of <see cref="DeactivateAsync(Guid, Guid, CancellationToken)"/> inside the caller's transaction
    /// (end-user deletion, API.md §4.4). Locks the budget before its holds, the order every money operation uses.
    /// </summary>
    /// <param name="db">A context with an open transaction.</param>
    /// <param name="platformId">The platform.</param>
    /// <param name="endUserId">The end user.</param>
    /// <param name="time">Clock.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>False when there was no active budget.</returns>
    public static async Task<bool> DeactivateAsync(PlatformDbContext db, Guid platformId, Guid endUserId, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        var id = await db.Budgets.Where(b => b.EndUserId == endUserId && b.PlatformId == platformId && b.IsActive)
            .Select(b => (Guid?)b.Id).FirstOrDefaultAsync(cancellationToken);
        if (id is not { } budgetId)
        {
            return false;
        }

        var now = time.UtcNowMs();
        var n = await db.Budgets.Where(b => b.Id == budgetId && b.IsActive).ExecuteUpdateAsync(s => s
            .SetProperty(b => b.IsActive, false)
            .SetProperty(b => b.ReservedMicros, 0L)
            .SetProperty(b => b.DeactivatedAt, now)
            .SetProperty(b => b.UpdatedAt, now), cancellationToken);
        if (n == 0)
        {
            return false;
        }

        await db.Holds.Where(h => h.BudgetId == budgetId).ExecuteUpdateAsync(s => s
            .SetProperty(h => h.BudgetId, (Guid?)null)
            .SetProperty(h => h.BudgetMicros, 0L), cancellationToken);
        return true;
    }

    /// <summary>A page of a budget's ledger (API.md §4.6).</summary>
    /// <param name="budgetId">The budget (already resolved within the platform and end user).</param>
    /// <param name="query">Paging and filters.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    public async Task<LedgerPage<BudgetTransactionRecord>> ListTransactionsAsync(Guid budgetId, LedgerQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        await using var db = await _db.CreateDbContextAsync(cancellationToken);
        return await LedgerPaging.PageAsync(db.BudgetTransactions.Where(t => t.BudgetId == budgetId), query, cancellationToken);
    }

    /// <summary>The period sweeper (API.md §5.3): resets every active budget whose window has ended; returns how many.</summary>
    /// <param name="cancellationToken">Cancels between budgets.</param>
    internal async Task<int> ResetDueAsync(CancellationToken cancellationToken)
    {
        var now = _time.UtcNowMs();
        List<Guid> due;
        await using (var db = await _db.CreateDbContextAsync(cancellationToken))
        {
            due = await db.Budgets.AsNoTracking().Where(b => b.IsActive && b.PeriodEnd != null && b.PeriodEnd <= now)
                .OrderBy(b => b.PeriodEnd).Select(b => b.Id).Take(10_000).ToListAsync(cancellationToken);
        }

        var count = 0;
        foreach (var id in due)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var reset = await _money.RunAsync(async (tx, ct) =>
            {
                var b = await BudgetLedger.LoadByIdAsync(tx, id, ct);
                if (b is null || !await BudgetLedger.TouchAsync(tx, b, null, ct))
                {
                    return false;
                }

                await BudgetLedger.SaveAsync(tx, b, ct);
                return true;
            }, cancellationToken);
            count += reset ? 1 : 0;
        }

        return count;
    }
}
