using System.Globalization;
using Assistiv.Platform.Common;
using Assistiv.Platform.Holds;
using Assistiv.Platform.Ledger;
using Assistiv.Platform.UsageLogs;
using Microsoft.Extensions.Options;

namespace Assistiv.Platform.Metering;

/// <summary>
/// Tool-call metering with budgets and the wallet (API.md §8.5). Admission, atomically in one money transaction: a
/// suspended budget refuses every call (<c>[budget_suspended]</c>); otherwise the call claims a free slot of the
/// platform's UTC month while <c>settled + claimed &lt; Gateway:Mcp:FreeCallsPerMonth</c>; otherwise it holds
/// <c>Gateway:Mcp:PricePerCallUsd</c> on the wallet and, with the platform's markup, on the budget (§6.6), and is refused
/// with <c>[budget_exhausted]</c> / <c>[wallet_insufficient]</c> when that hold is not affordable. Completion, in one
/// transaction with the <c>mcp_tool</c> usage-log row: a free slot is consumed on success (<c>free_tier</c>) and
/// returned on failure; a hold is settled on success (wallet <c>mcp_usage</c>, budget <c>mcp_tool</c>, outbox events;
/// <c>billed</c>) and released on failure. Failed calls are neither counted nor charged.
/// </summary>
public sealed class MeteredToolCallMeter : IToolCallMeter
{
    // Scalar subqueries: one row always, NULL where a row is missing. One active budget per end user (unique index).
    private const string AdmissionStateSql =
        "SELECT (SELECT is_suspended FROM budgets WHERE end_user_id = @eu AND platform_id = @p AND is_active), "
        + "(SELECT markup_percentage FROM platforms WHERE id = @p), "
        + "(SELECT settled_free + claimed_free FROM mcp_free_tier WHERE platform_id = @p AND month = @m)";

    private readonly IMoneyExecutor _money;
    private readonly HoldService _holds;
    private readonly TimeProvider _time;
    private readonly MoneyOptions _options;

    internal MeteredToolCallMeter(IMoneyExecutor money, HoldService holds, TimeProvider time, IOptions<MoneyOptions> options)
    {
        _money = money;
        _holds = holds;
        _time = time;
        _options = options.Value;
    }

    /// <inheritdoc/>
    public ValueTask<ToolAdmission> AdmitAsync(ToolMeterRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return _money.RunAsync(async (tx, ct) =>
        {
            // One read for what admission decides on: the active budget's suspension (null: no active budget), the
            // platform's markup and the month's free calls so far (null: none yet).
            var month = MonthOf(tx.Now);
            var state = tx.Command(AdmissionStateSql);
            tx.Add(state, "@eu", request.EndUserId).Add(state, "@p", request.PlatformId).Add(state, "@m", month);
            bool? suspended;
            object? markupValue;
            long? usedFree;
            await using (var r = await tx.ReadAsync(state, ct))
            {
                await r.ReadAsync(ct);
                suspended = r.IsDBNull(0) ? null : Convert.ToBoolean(r.GetValue(0), CultureInfo.InvariantCulture);
                markupValue = r.IsDBNull(1) ? null : r.GetValue(1);
                usedFree = r.IsDBNull(2) ? null : Convert.ToInt64(r.GetValue(2), CultureInfo.InvariantCulture);
            }

            if (suspended == true)
            {
                return new ToolAdmission(ToolAdmissionStatus.BudgetSuspended, FreeSlot: false, HoldId: null);
            }

            // A month whose free calls are all settled or claimed skips the claim. On PostgreSQL a claim returned by a failed
            // call after this read is missed, as if this call had been admitted just before it.
            if (_options.FreeCallsPerMonth > 0 && (usedFree is null || usedFree < _options.FreeCallsPerMonth)
                && await ClaimFreeSlotAsync(tx, request.PlatformId, month, ct))
            {
                return new ToolAdmission(ToolAdmissionStatus.Admitted, FreeSlot: true, HoldId: null) { FreeTierMonth = month };
            }

            var markup = markupValue switch
            {
                decimal d => d,
                string text => decimal.Parse(text, NumberStyles.Number, CultureInfo.InvariantCulture),
                { } other => Convert.ToDecimal(other, CultureInfo.InvariantCulture),
                null => 0m,
            };
            var price = _options.PricePerCallMicros;
            var hold = await _holds.ReserveCoreAsync(tx, new HoldRequest(request.PlatformId, request.EndUserId, request.ApiKeyId, request.RequestId,
                "mcp_tool", price, Charges.WithMarkup(price, markup))
            {
                McpApp = request.App,
                McpTool = request.Tool,
            }, ct, noActiveBudget: suspended is null);
            return hold.Status switch
            {
                HoldStatus.Reserved => new ToolAdmission(ToolAdmissionStatus.Admitted, FreeSlot: false, HoldId: hold.HoldId),
                HoldStatus.BudgetSuspended => new ToolAdmission(ToolAdmissionStatus.BudgetSuspended, false, null),
                HoldStatus.BudgetExhausted => new ToolAdmission(ToolAdmissionStatus.BudgetExhausted, false, null),
                _ => new ToolAdmission(ToolAdmissionStatus.WalletInsufficient, false, null),
            };
        }, cancellationToken);
    }

    /// <inheritdoc/>
    public async ValueTask CompleteAsync(ToolMeterRequest request, ToolAdmission? admission, ToolCallCompletion completion, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(completion);
        await _money.RunAsync(async (tx, ct) =>
        {
            var log = new UsageLogRecord
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
                BillingStatus = "not_billed",
                McpApp = request.App,
                McpTool = request.Tool,
                MetadataJson = "{}",
                CreatedAt = tx.Now,
            };

            if (admission is { Status: ToolAdmissionStatus.Admitted, FreeSlot: true })
            {
                var month = admission.FreeTierMonth ?? MonthOf(tx.Now);
                var moved = tx.Command(completion.Success
                    ? "UPDATE mcp_free_tier SET settled_free = settled_free + 1, claimed_free = claimed_free - 1 WHERE platform_id = @p AND month = @m AND claimed_free > 0"
                    : "UPDATE mcp_free_tier SET claimed_free = claimed_free - 1 WHERE platform_id = @p AND month = @m AND claimed_free > 0");
                tx.Add(moved, "@p", request.PlatformId).Add(moved, "@m", month);
                var n = await tx.CountAsync(moved, ct);
                log.BillingStatus = completion.Success && n == 1 ? "free_tier" : "not_billed";
                await tx.InsertAsync(log, ct);
            }
            else if (admission is { Status: ToolAdmissionStatus.Admitted, HoldId: { } holdId })
            {
                if (completion.Success)
                {
                    log.BillingStatus = "billed";
                    await _holds.SettleCoreAsync(tx, holdId, _options.PricePerCallMicros, budgetCost: null, LedgerTypes.McpTool,
                        "MCP tool call: " + request.Tool, log, ct);
                }
                else if (!await _holds.ReleaseCoreAsync(tx, holdId, log, ct))
                {
                    await tx.InsertAsync(log, ct);
                }
            }
            else
            {
                await tx.InsertAsync(log, ct);
            }

            return true;
        }, cancellationToken);
    }

    /// <summary>The free-tier counter key of a UTC instant: <c>yyyy-MM</c>.</summary>
    /// <param name="utcNow">The instant.</param>
    internal static string MonthOf(DateTimeOffset utcNow) => utcNow.UtcDateTime.ToString("yyyy-MM", CultureInfo.InvariantCulture);

    // One conditional statement claims the slot, so concurrent calls never pass the limit together. The month's row is
    // created on first use; an INSERT that created nothing means another call created it meanwhile (on PostgreSQL the
    // INSERT waits for that call's commit), so the claim is tried once more rather than the tier taken as used up.
    private async ValueTask<bool> ClaimFreeSlotAsync(MoneyTx tx, Guid platformId, string month, CancellationToken ct)
    {
        for (var attempt = 0; attempt < 2; attempt++)
        {
            var claim = tx.Command(
                "UPDATE mcp_free_tier SET claimed_free = claimed_free + 1 WHERE platform_id = @p AND month = @m AND settled_free + claimed_free < @limit");
            tx.Add(claim, "@p", platformId).Add(claim, "@m", month).Add(claim, "@limit", _options.FreeCallsPerMonth);
            if (await tx.CountAsync(claim, ct) == 1)
            {
                return true;
            }

            if (attempt > 0)
            {
                break;
            }

            var insert = tx.Command("INSERT INTO mcp_free_tier (platform_id, month, settled_free, claimed_free) VALUES (@p, @m, 0, 0) ON CONFLICT DO NOTHING");
            tx.Add(insert, "@p", platformId).Add(insert, "@m", month);
            await tx.CountAsync(insert, ct);
        }

        return false;
    }
}
