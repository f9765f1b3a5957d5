using System.Globalization;
using Assistiv.Platform.Ledger;
using Assistiv.Platform.Outbox;

namespace Assistiv.Platform.Budgets;

/// <summary>
/// The budget ledger rules of API.md §5.2–§5.5 inside a money transaction: read a budget with its row locked, apply a
/// change in memory, write the ledger row (with the values after it), the events and the budget in the same transaction.
/// </summary>
internal static class BudgetLedger
{
    private static readonly string s_update =
        "UPDATE budgets SET max_micros = @max, used_micros = @used, reserved_micros = @reserved, period = @period, "
        + "period_start = @ps, period_end = @pe, auto_replenish = @ar, replenish_micros = @rm, low_balance_threshold_micros = @t, "
        + "low_balance_armed = @armed, is_suspended = @s, updated_at = @now WHERE id = @id";

    /// <summary>The active budget of an end user, row-locked on PostgreSQL; null when none.</summary>
    public static async ValueTask<BudgetState?> LoadActiveAsync(MoneyTx tx, Guid platformId, Guid endUserId, CancellationToken cancellationToken)
    {
        var command = tx.Command($"SELECT {BudgetState.Columns} FROM budgets WHERE end_user_id = @eu AND platform_id = @p AND is_active{tx.ForUpdate}");
        tx.Add(command, "@eu", endUserId).Add(command, "@p", platformId);
        await using var r = await tx.ReadAsync(command, cancellationToken);
        return await r.ReadAsync(cancellationToken) ? BudgetState.Read(tx, r) : null;
    }

    /// <summary>A budget by id (active or not), row-locked on PostgreSQL.</summary>
    public static async ValueTask<BudgetState?> LoadByIdAsync(MoneyTx tx, Guid budgetId, CancellationToken cancellationToken)
    {
        var command = tx.Command($"SELECT {BudgetState.Columns} FROM budgets WHERE id = @id{tx.ForUpdate}");
        tx.Add(command, "@id", budgetId);
        await using var r = await tx.ReadAsync(command, cancellationToken);
        return await r.ReadAsync(cancellationToken) ? BudgetState.Read(tx, r) : null;
    }

    private const string BalanceUpdate =
        "UPDATE budgets SET used_micros = @used, reserved_micros = @reserved, low_balance_armed = @armed, updated_at = @now WHERE id = @id";

    /// <summary>Writes every mutable column of <paramref name="b"/>.</summary>
    public static async ValueTask SaveAsync(MoneyTx tx, BudgetState b, CancellationToken cancellationToken)
    {
        b.UpdatedAt = tx.Now;
        var c = tx.Command(s_update);
        tx.Add(c, "@max", b.Max).Add(c, "@used", b.Used).Add(c, "@reserved", b.Reserved).Add(c, "@period", b.Period)
            .Add(c, "@ps", b.PeriodStart).Add(c, "@pe", b.PeriodEnd).Add(c, "@ar", b.AutoReplenish).Add(c, "@rm", b.Replenish)
            .Add(c, "@t", b.Threshold).Add(c, "@armed", b.Armed).Add(c, "@s", b.IsSuspended).Add(c, "@now", tx.Now).Add(c, "@id", b.Id);
        await tx.WriteAsync(c, cancellationToken);
    }

    /// <summary>
    /// Writes only <c>used</c>, <c>reserved</c> and the low-balance arm of <paramref name="b"/>: the hot path of settle and
    /// release, when nothing else changed (no period reset). Leaving the period columns out of the SET list spares SQLite
    /// the maintenance of the index on <c>period_end</c>, which it redoes for every indexed column the statement sets.
    /// </summary>
    public static async ValueTask SaveBalanceAsync(MoneyTx tx, BudgetState b, CancellationToken cancellationToken)
    {
        b.UpdatedAt = tx.Now;
        var c = tx.Command(BalanceUpdate);
        tx.Add(c, "@used", b.Used).Add(c, "@reserved", b.Reserved).Add(c, "@armed", b.Armed).Add(c, "@now", tx.Now).Add(c, "@id", b.Id);
        await tx.WriteAsync(c, cancellationToken);
    }

    /// <summary>
    /// Writes the ledger row for a change already applied to <paramref name="b"/> (amount and direction from the change
    /// of <c>remaining</c>), its webhook events, and the low-balance edge trigger of API.md §5.5 (which may flip
    /// <c>Armed</c>: save the budget afterwards).
    /// </summary>
    public static async ValueTask<BudgetTransactionRecord> AppendAsync(MoneyTx tx, BudgetState b, string type, long remainingBefore,
        string? reason, string? metadataJson, string? requestId, CancellationToken cancellationToken)
    {
        var delta = b.Remaining - remainingBefore;
        var row = new BudgetTransactionRecord
        {
            Id = MonotonicIds.Next(tx.Now),
            BudgetId = b.Id,
            PlatformId = b.PlatformId,
            EndUserId = b.EndUserId,
            Type = type,
            Direction = LedgerTypes.DirectionOf(delta),
            AmountMicros = Math.Abs(delta),
            MaxAfterMicros = b.Max,
            UsedAfterMicros = b.Used,
            Reason = reason,
            MetadataJson = metadataJson ?? "{}",
            RequestId = requestId,
            CreatedAt = tx.Now,
        };
        await tx.InsertAsync(row, cancellationToken);

        var eventType = type switch
        {
            LedgerTypes.Topup => OutboxWriter.BudgetToppedUp,
            LedgerTypes.Debit or LedgerTypes.Inference or LedgerTypes.McpTool => OutboxWriter.BudgetDebited,
            LedgerTypes.Suspend => OutboxWriter.BudgetSuspended,
            LedgerTypes.Unsuspend => OutboxWriter.BudgetUnsuspended,
            _ => null,
        };
        if (eventType is not null)
        {
            await OutboxWriter.AppendBudgetEventAsync(tx, eventType, b, row, cancellationToken);
        }

        if (b.Threshold is { } threshold)
        {
            if (delta < 0 && b.Armed && b.Remaining <= threshold)
            {
                // Edge-triggered: once per crossing, until a top-up, reset, credit adjustment or threshold change re-arms.
                b.Armed = false;
                await OutboxWriter.AppendBudgetEventAsync(tx, OutboxWriter.BudgetLowBalance, b, row, cancellationToken);
            }
            else if (!b.Armed && b.Remaining > threshold
                && (type is LedgerTypes.Topup or LedgerTypes.PeriodReset || (type == LedgerTypes.Adjustment && delta > 0)))
            {
                b.Armed = true;
            }
        }

        return row;
    }

    /// <summary>
    /// The lazy period reset of API.md §5.3: when the current window has ended, writes one <c>period_reset</c> row however
    /// many windows passed, moves <c>period_start</c> to the current window, sets <c>used</c> to 0 and, with
    /// auto-replenish, <c>max</c> to the replenish amount (§5.4). Open holds survive. Returns true when it reset (the
    /// caller saves the budget).
    /// </summary>
    public static async ValueTask<bool> TouchAsync(MoneyTx tx, BudgetState b, string? requestId, CancellationToken cancellationToken)
    {
        if (b.PeriodEnd is not { } end || tx.Now < end || !b.IsActive)
        {
            return false;
        }

        var before = b.Remaining;
        var usedBefore = b.Used;
        b.PeriodStart = BudgetPeriods.WindowStart(b.Period, tx.Now);
        b.PeriodEnd = BudgetPeriods.WindowEnd(b.Period, b.PeriodStart);
        if (b.AutoReplenish && b.Replenish is { } replenish)
        {
            b.Max = replenish;
        }

        b.Used = 0;
        var metadata = string.Create(CultureInfo.InvariantCulture,
            $"{{\"period_start\":\"{b.PeriodStart.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss.fff'Z'}\",\"used_usd_before\":{MicroUsdText.Format(usedBefore)}}}");
        await AppendAsync(tx, b, LedgerTypes.PeriodReset, before, null, metadata, requestId, cancellationToken);
        return true;
    }
}
