using System.Data.Common;
using Assistiv.Platform.Budgets;
using Assistiv.Platform.Common;
using Assistiv.Platform.Ledger;
using Assistiv.Platform.UsageLogs;
using Assistiv.Platform.Wallet;
using Microsoft.Extensions.Options;

namespace Assistiv.Platform.Holds;

/// <summary>
/// Holds (reservations) for metered calls, API.md §5.6 and §6.6: <see cref="ReserveAsync"/> before the call, then exactly
/// one of <see cref="SettleAsync"/> (books the actual cost, capped by the hold, with the ledger rows, the usage-log row
/// and the outbox rows in one transaction) or <see cref="ReleaseAsync"/>. Reserve is atomic against concurrent callers:
/// concurrent calls never together hold more than <c>available</c>. Settle and release should run on their own bounded
/// token, not the request's (STYLE.md §0.7).
/// </summary>
public sealed class HoldService
{
    private const string HoldColumns =
        "id, platform_id, wallet_id, budget_id, end_user_id, api_key_id, request_id, request_type, model, mcp_app, mcp_tool, wallet_micros, budget_micros, instance_id, created_at";

    private const string ReserveBudgetUpdate =
        "UPDATE budgets SET reserved_micros = reserved_micros + @b, updated_at = @now "
        + "WHERE end_user_id = @eu AND platform_id = @p AND is_active AND NOT is_suspended AND (period_end IS NULL OR period_end > @now) "
        + "AND max_micros - used_micros - reserved_micros >= @b";

    private const string ReserveWalletEnforcedUpdate =
        "UPDATE wallets SET reserved_micros = reserved_micros + @w WHERE platform_id = @p AND balance_micros - reserved_micros >= @w";

    private const string ReserveWalletUpdate = "UPDATE wallets SET reserved_micros = reserved_micros + @w WHERE platform_id = @p";

    private static readonly string[] s_reserveBudget = Variants(ReserveBudgetUpdate, "id, max_micros - used_micros - reserved_micros", "budgets",
        "end_user_id = @eu AND platform_id = @p AND is_active");

    private static readonly string[] s_reserveWalletEnforced = Variants(ReserveWalletEnforcedUpdate, "id, balance_micros - reserved_micros", "wallets",
        "platform_id = @p");

    private static readonly string[] s_reserveWallet = Variants(ReserveWalletUpdate, "id, balance_micros - reserved_micros", "wallets", "platform_id = @p");

    private readonly IMoneyExecutor _money;
    private readonly TimeProvider _time;
    private readonly MoneyOptions _options;

    internal HoldService(IMoneyExecutor money, TimeProvider time, IOptions<MoneyOptions> options)
    {
        _money = money;
        _time = time;
        _options = options.Value;
    }

    /// <summary>This instance's <c>Gateway:InstanceId</c>, recorded on its holds.</summary>
    public string InstanceId => _options.InstanceId;

    /// <summary>
    /// Takes a hold on the budget (when the end user has an active one) and the wallet, or refuses in the order of API.md
    /// §6.6 step 4 (<c>budget_suspended</c>, <c>budget_exhausted</c>, <c>wallet_insufficient</c>) and writes nothing.
    /// Budget side: one conditional UPDATE (<c>available ≥ hold</c>); a budget whose period ended is reset first (§5.3).
    /// </summary>
    /// <param name="request">Who holds what.</param>
    /// <param name="cancellationToken">Cancels before the hold is queued.</param>
    public ValueTask<HoldResult> ReserveAsync(HoldRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentOutOfRangeException.ThrowIfNegative(request.WalletMicros);
        ArgumentOutOfRangeException.ThrowIfNegative(request.BudgetMicros);
        return _money.RunAsync((tx, ct) => ReserveCoreAsync(tx, request, ct), cancellationToken);
    }

    /// <summary>
    /// Books the actual cost of the call that made the hold and releases the hold, in one transaction: wallet row
    /// (<c>llm_usage</c>/<c>mcp_usage</c>), budget row (<c>inference</c>/<c>mcp_tool</c>) with <c>budget.debited</c> and
    /// maybe <c>budget.low_balance</c> / <c>wallet.low_balance</c>, and the usage-log row. Each side is capped by its hold
    /// (§5.6); with <c>EnforceWallet=false</c> the wallet books the full cost.
    /// </summary>
    /// <param name="holdId">The hold.</param>
    /// <param name="request">The cost and the log row.</param>
    /// <param name="cancellationToken">A bounded token, not the request's.</param>
    public ValueTask<SettleResult> SettleAsync(Guid holdId, SettleRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentOutOfRangeException.ThrowIfNegative(request.WalletCostMicros);
        ArgumentOutOfRangeException.ThrowIfNegative(request.BudgetCostMicros);
        if (request.LedgerType is not (LedgerTypes.Inference or LedgerTypes.McpTool))
        {
            throw new ArgumentException("LedgerType must be 'inference' or 'mcp_tool'.", nameof(request));
        }

        return _money.RunAsync((tx, ct) => SettleCoreAsync(tx, holdId, request.WalletCostMicros, request.BudgetCostMicros, request.LedgerType,
            request.Description, request.Log, ct), cancellationToken);
    }

    /// <summary>Releases a hold without charging (the call failed), inserting <paramref name="log"/> in the same transaction.</summary>
    /// <param name="holdId">The hold.</param>
    /// <param name="log">The call's usage-log row, or null.</param>
    /// <param name="cancellationToken">A bounded token, not the request's.</param>
    /// <returns>False when the hold was no longer open.</returns>
    public ValueTask<bool> ReleaseAsync(Guid holdId, UsageLogRecord? log, CancellationToken cancellationToken) =>
        _money.RunAsync((tx, ct) => ReleaseCoreAsync(tx, holdId, log, ct), cancellationToken);

    // noActiveBudget: the caller read, in this transaction, that the end user has no active budget; the budget side is
    // skipped (two statements fewer). On PostgreSQL a budget created after that read is missed, as if this hold were
    // taken just before it.
    internal async ValueTask<HoldResult> ReserveCoreAsync(MoneyTx tx, HoldRequest request, CancellationToken ct, bool noActiveBudget = false)
    {
        Guid? budgetId = null;
        long? budgetAvailable = null;
        (Guid? Id, long Available)? wallet = null;
        if (request.EndUserId is { } endUserId && !noActiveBudget)
        {
            var c = tx.Command(s_reserveBudget[tx.IsSqlite ? 1 : 0]);
            tx.Add(c, "@b", request.BudgetMicros).Add(c, "@now", tx.Now).Add(c, "@eu", endUserId).Add(c, "@p", request.PlatformId);
            // PostgreSQL: both conditional UPDATEs in one round trip (budget first: the lock order).
            var w = tx.IsSqlite ? null : WalletReserveCommand(tx, request);
            await using (var r = await tx.ReadAsync(c, ct, w))
            {
                if (await r.ReadAsync(ct))
                {
                    budgetId = tx.GetGuid(r, 0);
                    budgetAvailable = r.GetInt64(1);
                }

                if (w is not null && await r.NextResultAsync(ct) && await r.ReadAsync(ct))
                {
                    wallet = (tx.GetGuid(r, 0), r.GetInt64(1));
                }
            }

            if (budgetId is null && w is not null)
            {
                // The budget side missed (no budget, suspended, exhausted or period ended). The wallet row may now be locked,
                // and waiting for the budget's lock while holding it would invert the lock order: start over in a new
                // transaction, budget first.
                await tx.RestartAsync();
                wallet = null;
            }

            if (budgetId is null)
            {
                // Slow path: tell "no budget" from "suspended", "exhausted" and "period ended" under the row lock.
                var b = await BudgetLedger.LoadActiveAsync(tx, request.PlatformId, endUserId, ct);
                if (b is not null)
                {
                    await BudgetLedger.TouchAsync(tx, b, request.RequestId, ct);
                    if (b.IsSuspended)
                    {
                        tx.Abort();
                        return new HoldResult(HoldStatus.BudgetSuspended, null, b.Id, b.Available, 0);
                    }

                    if (b.Available < request.BudgetMicros)
                    {
                        tx.Abort();
                        return new HoldResult(HoldStatus.BudgetExhausted, null, b.Id, b.Available, 0);
                    }

                    b.Reserved += request.BudgetMicros;
                    await BudgetLedger.SaveAsync(tx, b, ct);
                    budgetId = b.Id;
                    budgetAvailable = b.Available;
                }
            }
        }

        var (walletId, walletAvailable) = wallet is { Id: not null } held ? held : await ReserveWalletAsync(tx, request, ct);
        if (walletId is null)
        {
            tx.Abort();
            return new HoldResult(HoldStatus.WalletInsufficient, null, budgetId, budgetAvailable is { } a ? a + request.BudgetMicros : null, walletAvailable);
        }

        var hold = new HoldRecord
        {
            Id = Guid.CreateVersion7(tx.Now),
            PlatformId = request.PlatformId,
            WalletId = walletId.Value,
            BudgetId = budgetId,
            EndUserId = request.EndUserId,
            ApiKeyId = request.ApiKeyId,
            RequestId = request.RequestId,
            RequestType = request.RequestType,
            Model = request.Model,
            McpApp = request.McpApp,
            McpTool = request.McpTool,
            WalletMicros = request.WalletMicros,
            BudgetMicros = budgetId is null ? 0 : request.BudgetMicros,
            InstanceId = _options.InstanceId,
            CreatedAt = tx.Now,
        };
        await tx.InsertAsync(hold, ct);
        return new HoldResult(HoldStatus.Reserved, hold.Id, budgetId, budgetAvailable, walletAvailable);
    }

    private async ValueTask<(Guid? WalletId, long Available)> ReserveWalletAsync(MoneyTx tx, HoldRequest request, CancellationToken ct)
    {
        for (var attempt = 0; attempt < 2; attempt++)
        {
            var c = WalletReserveCommand(tx, request);
            await using (var r = await tx.ReadAsync(c, ct))
            {
                if (await r.ReadAsync(ct))
                {
                    return (tx.GetGuid(r, 0), r.GetInt64(1));
                }
            }

            // No row matched: the wallet is short, or missing (platform made before the money layer).
            var wallet = await WalletLedger.LoadOrCreateAsync(tx, request.PlatformId, ct);
            var available = wallet.BalanceMicros - wallet.ReservedMicros;
            if (_options.EnforceWallet && available < request.WalletMicros)
            {
                return (null, available);
            }
        }

        throw new InvalidOperationException("The wallet reservation failed twice.");
    }

    private System.Data.Common.DbCommand WalletReserveCommand(MoneyTx tx, HoldRequest request)
    {
        var c = tx.Command((_options.EnforceWallet ? s_reserveWalletEnforced : s_reserveWallet)[tx.IsSqlite ? 1 : 0]);
        tx.Add(c, "@w", request.WalletMicros).Add(c, "@p", request.PlatformId);
        return c;
    }

    internal async ValueTask<SettleResult> SettleCoreAsync(MoneyTx tx, Guid holdId, long walletCost, long? budgetCost, string ledgerType,
        string? description, UsageLogRecord? log, CancellationToken ct)
    {
        var (hold, budget) = await LockAndDeleteAsync(tx, holdId, ct);
        if (hold is null)
        {
            if (log is not null)
            {
                // The hold is gone (swept after the total timeout): the call is not charged, but its row is kept.
                log.BillingStatus = "not_billed";
                await InsertLogAsync(tx, log, 0, 0, ct);
            }

            return new SettleResult(false, 0, 0, null, null);
        }

        long budgetCharged = 0;
        Guid? budgetRowId = null;
        if (budget is not null)
        {
            var reset = await BudgetLedger.TouchAsync(tx, budget, hold.RequestId, ct);
            budget.Reserved -= hold.BudgetMicros;
            budgetCharged = Math.Min(Math.Min(budgetCost ?? hold.BudgetMicros, hold.BudgetMicros), Math.Max(0, budget.Remaining));
            var before = budget.Remaining;
            budget.Used += budgetCharged;
            var row = await BudgetLedger.AppendAsync(tx, budget, ledgerType, before, null, null, hold.RequestId, ct);
            await (reset ? BudgetLedger.SaveAsync(tx, budget, ct) : BudgetLedger.SaveBalanceAsync(tx, budget, ct));
            budgetRowId = row.Id;
        }

        var walletCharged = _options.EnforceWallet ? Math.Min(walletCost, hold.WalletMicros) : walletCost;
        var walletRow = await WalletLedger.ChargeAsync(tx, hold.WalletId, hold.WalletMicros, walletCharged,
            ledgerType == LedgerTypes.Inference ? LedgerTypes.LlmUsage : LedgerTypes.McpUsage, description, hold.EndUserId, hold.RequestId, ct);
        if (log is not null)
        {
            await InsertLogAsync(tx, log, walletCharged, budgetCharged, ct);
        }

        return new SettleResult(true, walletCharged, budgetCharged, budgetRowId, walletRow?.Id);
    }

    internal async ValueTask<bool> ReleaseCoreAsync(MoneyTx tx, Guid holdId, UsageLogRecord? log, CancellationToken ct)
    {
        var (hold, budget) = await LockAndDeleteAsync(tx, holdId, ct);
        if (hold is null)
        {
            return false;
        }

        if (budget is not null)
        {
            budget.Reserved -= hold.BudgetMicros;
            await BudgetLedger.SaveBalanceAsync(tx, budget, ct);
        }

        var c = tx.Command("UPDATE wallets SET reserved_micros = reserved_micros - @w WHERE id = @id");
        tx.Add(c, "@w", hold.WalletMicros).Add(c, "@id", hold.WalletId);
        await tx.WriteAsync(c, ct);
        if (log is not null)
        {
            await InsertLogAsync(tx, log, 0, 0, ct);
        }

        return true;
    }

    /// <summary>
    /// Releases a hold that was never settled (start-up of its instance, or the sweeper), writing the log row of §4.9:
    /// <c>status: error</c>, <c>billing_status: not_billed</c>, <c>error_code</c> = <paramref name="errorCode"/>.
    /// </summary>
    internal ValueTask<bool> ReleaseAbandonedAsync(Guid holdId, string errorCode, CancellationToken cancellationToken) =>
        _money.RunAsync(async (tx, ct) =>
        {
            var hold = await LoadHoldAsync(tx, holdId, ct);
            if (hold is null)
            {
                return false;
            }

            var log = new UsageLogRecord
            {
                Id = Ids.NewId(_time),
                RequestId = hold.RequestId,
                PlatformId = hold.PlatformId,
                EndUserId = hold.EndUserId,
                ApiKeyId = hold.ApiKeyId,
                RequestType = hold.RequestType,
                Model = hold.Model,
                McpApp = hold.McpApp,
                McpTool = hold.McpTool,
                LatencyMs = (long)(tx.Now - hold.CreatedAt).TotalMilliseconds,
                Status = "error",
                ErrorCode = errorCode,
                ErrorMessage = errorCode == HoldErrorCodes.GatewayRestart
                    ? "The gateway restarted before the call settled; it was not charged."
                    : "The call did not settle within the total timeout; it was not charged.",
                BillingStatus = "not_billed",
                MetadataJson = "{}",
                CreatedAt = tx.Now,
            };
            return await ReleaseCoreAsync(tx, holdId, log, ct);
        }, cancellationToken);

    // Lock order budget → hold → wallet, the same as budget deactivation (budget → holds), so PostgreSQL sessions never
    // wait on each other in a cycle. The hold's budget_id can only go from a budget to null (deactivation), never back.
    private static async ValueTask<(HoldRecord? Hold, BudgetState? Budget)> LockAndDeleteAsync(MoneyTx tx, Guid holdId, CancellationToken ct)
    {
        HoldRecord? hold;
        BudgetState? budget = null;
        if (tx.IsSqlite)
        {
            // The writer holds the database lock: what is read here is what is deleted.
            hold = await LoadHoldAsync(tx, holdId, ct);
            if (hold is null)
            {
                return (null, null);
            }

            budget = hold.BudgetId is { } bid ? await BudgetLedger.LoadByIdAsync(tx, bid, ct) : null;
            var delete = tx.Command("DELETE FROM holds WHERE id = @id");
            tx.Add(delete, "@id", holdId);
            if (await tx.CountAsync(delete, ct) == 0)
            {
                return (null, null);
            }
        }
        else
        {
            // One round trip: lock the hold's budget first, then delete the hold and take the values the DELETE saw.
            var lockBudget = tx.Command($"SELECT {BudgetState.Columns} FROM budgets WHERE id = (SELECT budget_id FROM holds WHERE id = @id) FOR UPDATE");
            tx.Add(lockBudget, "@id", holdId);
            var delete = tx.Command($"DELETE FROM holds WHERE id = @id RETURNING {HoldColumns}");
            tx.Add(delete, "@id", holdId);
            await using var r = await tx.ReadAsync(lockBudget, ct, delete);
            if (await r.ReadAsync(ct))
            {
                budget = BudgetState.Read(tx, r);
            }

            await r.NextResultAsync(ct);
            hold = await r.ReadAsync(ct) ? ReadHold(tx, r) : null;
            if (hold is null)
            {
                return (null, null);
            }
        }

        if (budget is null || hold.BudgetId != budget.Id || !budget.IsActive)
        {
            // Deactivated meanwhile: its holds were released with it; settle against the wallet only (API.md §4.6).
            budget = null;
        }

        return (hold, budget);
    }

    private static string[] Variants(string update, string columns, string table, string rowFilter) =>
        [MoneyTx.UpdateReturning(false, update, columns, table, rowFilter), MoneyTx.UpdateReturning(true, update, columns, table, rowFilter)];

    private static async ValueTask<HoldRecord?> LoadHoldAsync(MoneyTx tx, Guid holdId, CancellationToken ct)
    {
        var c = tx.Command($"SELECT {HoldColumns} FROM holds WHERE id = @id");
        tx.Add(c, "@id", holdId);
        await using var r = await tx.ReadAsync(c, ct);
        return await r.ReadAsync(ct) ? ReadHold(tx, r) : null;
    }

    private static HoldRecord ReadHold(MoneyTx tx, DbDataReader r) => new()
    {
        Id = tx.GetGuid(r, 0),
        PlatformId = tx.GetGuid(r, 1),
        WalletId = tx.GetGuid(r, 2),
        BudgetId = tx.GetGuidOrNull(r, 3),
        EndUserId = tx.GetGuidOrNull(r, 4),
        ApiKeyId = tx.GetGuidOrNull(r, 5),
        RequestId = r.GetString(6),
        RequestType = r.GetString(7),
        Model = MoneyTx.GetStringOrNull(r, 8),
        McpApp = MoneyTx.GetStringOrNull(r, 9),
        McpTool = MoneyTx.GetStringOrNull(r, 10),
        WalletMicros = r.GetInt64(11),
        BudgetMicros = r.GetInt64(12),
        InstanceId = r.GetString(13),
        CreatedAt = tx.GetTime(r, 14),
    };

    private async ValueTask InsertLogAsync(MoneyTx tx, UsageLogRecord log, long walletCharged, long budgetCharged, CancellationToken ct)
    {
        if (log.Id == Guid.Empty)
        {
            log.Id = Ids.NewId(_time);
        }

        if (log.CreatedAt == default)
        {
            log.CreatedAt = tx.Now;
        }

        log.EstimatedCostMicros = walletCharged;
        log.BilledMicros = budgetCharged;
        await tx.InsertAsync(log, ct);
    }
}

/// <summary>Usage-log <c>error_code</c>s of holds released without settlement (API.md §4.9, §5.6).</summary>
public static class HoldErrorCodes
{
    /// <summary>Released at start-up of the instance that made it.</summary>
    public const string GatewayRestart = "gateway_restart";

    /// <summary>Released by the sweeper after the total timeout + 60 s.</summary>
    public const string HoldExpired = "hold_expired";
}
