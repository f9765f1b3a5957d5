using Assistiv.Platform.Budgets;
using Assistiv.Platform.Holds;
using Assistiv.Platform.Ledger;
using Assistiv.Platform.UsageLogs;
using Microsoft.EntityFrameworkCore;

namespace Assistiv.Platform.Tests.Money;

/// <summary>
/// Reserve → Settle | Release through <see cref="HoldService"/> (API.md §5.6, §6.6), on SQLite and on PostgreSQL.
/// </summary>
public abstract class HoldServiceTests : IAsyncLifetime
{
    private MoneyHost _host = null!;

    protected abstract string Database { get; }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _host = await MoneyHost.StartAsync(Database);

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    private static HoldRequest Request(Guid pid, Guid? eu, long wallet, long budget) =>
        new(pid, eu, null, "req_" + Guid.CreateVersion7().ToString("N")[..8], "chat.completion", wallet, budget) { Model = "mock-1" };

    [Fact]
    public async Task Reserve_HoldsBudgetAndWallet_AndSettle_BooksCappedCharges()
    {
        var pid = await _host.CreatePlatformAsync(walletMicros: 1_000_000);
        var eu = await _host.CreateEndUserAsync(pid);
        await _host.CreateBudgetAsync(pid, eu, 10_000_000);
        // API.md §5.7 example: hold 0.000220 wallet / 0.000253 budget (markup 15), usage 18 + 50 → 0.000118 / 0.000136.
        var hold = await _host.Holds.ReserveAsync(Request(pid, eu, 220, 253), Ct);
        Assert.Equal(HoldStatus.Reserved, hold.Status);
        Assert.Equal(10_000_000 - 253, hold.BudgetAvailableMicros);
        Assert.Equal(1_000_000 - 220, hold.WalletAvailableMicros);
        var view = await _host.Budgets.GetActiveAsync(pid, eu, null, Ct);
        Assert.Equal(253, view!.ReservedMicros);

        var log = new UsageLogRecord { RequestId = "req_s", PlatformId = pid, EndUserId = eu, RequestType = "chat.completion", Status = "success", BillingStatus = "billed" };
        var settled = await _host.Holds.SettleAsync(hold.HoldId!.Value, new SettleRequest(118, 136, LedgerTypes.Inference, "Inference: 68 tokens (mock-1)", log), Ct);
        Assert.True(settled.Settled);
        Assert.Equal(118, settled.WalletChargedMicros);
        Assert.Equal(136, settled.BudgetChargedMicros);

        var budget = await _host.Budgets.GetActiveAsync(pid, eu, null, Ct);
        Assert.Equal(136, budget!.UsedMicros);
        Assert.Equal(0, budget.ReservedMicros);
        var (wallet, recent) = await _host.Wallets.GetAsync(pid, Ct);
        Assert.Equal(1_000_000 - 118, wallet.BalanceMicros);
        Assert.Equal(0, wallet.ReservedMicros);
        // API.md §6.6 step 6: wallet llm_usage row, budget inference row, log row, outbox in one transaction.
        Assert.Equal(LedgerTypes.LlmUsage, recent[0].Type);
        Assert.Equal(LedgerTypes.DebitDirection, recent[0].Direction);
        Assert.Equal(eu, recent[0].EndUserId);
        var logRow = await _host.QueryAsync(db => db.UsageLogs.AsNoTracking().SingleAsync(l => l.RequestId == "req_s", Ct));
        Assert.Equal(118, logRow.EstimatedCostMicros);
        Assert.Equal(136, logRow.BilledMicros);
        var row = await _host.QueryAsync(db => db.BudgetTransactions.AsNoTracking().SingleAsync(t => t.Id == settled.BudgetTransactionId, Ct));
        Assert.Equal(LedgerTypes.Inference, row.Type);
        Assert.Equal(1, await _host.QueryAsync(db => db.OutboxEvents.CountAsync(e => e.EventId == row.Id + ":budget.debited", Ct)));
        Assert.Equal(0, await _host.QueryAsync(db => db.Holds.CountAsync(h => h.Id == hold.HoldId, Ct)));
    }

    [Fact]
    public async Task Settle_ChargesAtMostTheHold_OnBothSides()
    {
        var pid = await _host.CreatePlatformAsync(walletMicros: 1_000_000);
        var eu = await _host.CreateEndUserAsync(pid);
        await _host.CreateBudgetAsync(pid, eu, 10_000_000);
        var hold = await _host.Holds.ReserveAsync(Request(pid, eu, 100, 150), Ct);
        // API.md §5.6: each side books min(cost, hold).
        var settled = await _host.Holds.SettleAsync(hold.HoldId!.Value, new SettleRequest(5_000, 9_000, LedgerTypes.Inference, null, null), Ct);
        Assert.Equal(100, settled.WalletChargedMicros);
        Assert.Equal(150, settled.BudgetChargedMicros);
    }

    [Fact]
    public async Task Settle_NeverTakesBudgetBelowZero_WhenMaxWasLoweredBelowTheHold()
    {
        var pid = await _host.CreatePlatformAsync(walletMicros: 1_000_000);
        var eu = await _host.CreateEndUserAsync(pid);
        await _host.CreateBudgetAsync(pid, eu, 1_000);
        var hold = await _host.Holds.ReserveAsync(Request(pid, eu, 800, 800), Ct);
        await _host.Budgets.PatchAsync(pid, eu, new BudgetPatch { MaxMicros = 300 }, null, Ct);
        // API.md §5.6: the budget never books more than max(0, remaining) at that moment.
        var settled = await _host.Holds.SettleAsync(hold.HoldId!.Value, new SettleRequest(800, 800, LedgerTypes.Inference, null, null), Ct);
        Assert.Equal(300, settled.BudgetChargedMicros);
        var b = await _host.Budgets.GetActiveAsync(pid, eu, null, Ct);
        Assert.Equal(0, b!.MaxMicros - b.UsedMicros);
    }

    [Fact]
    public async Task Reserve_RefusesInCheckOrder_SuspendedThenExhaustedThenWallet_AndWritesNothing()
    {
        var pid = await _host.CreatePlatformAsync(walletMicros: 500);
        var eu = await _host.CreateEndUserAsync(pid);
        await _host.CreateBudgetAsync(pid, eu, 1_000);
        // API.md §6.6 step 4: wallet short but budget fine → wallet_insufficient.
        Assert.Equal(HoldStatus.WalletInsufficient, (await _host.Holds.ReserveAsync(Request(pid, eu, 600, 600), Ct)).Status);
        // budget short (and wallet short) → budget_exhausted first.
        Assert.Equal(HoldStatus.BudgetExhausted, (await _host.Holds.ReserveAsync(Request(pid, eu, 600, 1_001), Ct)).Status);
        await _host.Budgets.PatchAsync(pid, eu, new BudgetPatch { IsSuspended = true }, null, Ct);
        // suspended → budget_suspended before anything else.
        Assert.Equal(HoldStatus.BudgetSuspended, (await _host.Holds.ReserveAsync(Request(pid, eu, 1, 1), Ct)).Status);
        Assert.Equal(0, await _host.QueryAsync(db => db.Holds.CountAsync(h => h.PlatformId == pid, Ct)));
        var b = await _host.Budgets.GetActiveAsync(pid, eu, null, Ct);
        Assert.Equal(0, b!.ReservedMicros);
        var (w, _) = await _host.Wallets.GetAsync(pid, Ct);
        Assert.Equal(0, w.ReservedMicros);
    }

    [Fact]
    public async Task Reserve_WithoutBudgetOrEndUser_HoldsTheWalletOnly()
    {
        var pid = await _host.CreatePlatformAsync(walletMicros: 1_000);
        var eu = await _host.CreateEndUserAsync(pid);
        // API.md §6.6: a user without a budget is limited by the wallet only; a platform key is billed to the wallet only.
        var noBudget = await _host.Holds.ReserveAsync(Request(pid, eu, 400, 400), Ct);
        var platformKey = await _host.Holds.ReserveAsync(Request(pid, null, 400, 400), Ct);
        Assert.Equal(HoldStatus.Reserved, noBudget.Status);
        Assert.Null(noBudget.BudgetId);
        Assert.Equal(HoldStatus.Reserved, platformKey.Status);
        Assert.Equal(HoldStatus.WalletInsufficient, (await _host.Holds.ReserveAsync(Request(pid, eu, 201, 0), Ct)).Status);
        var settled = await _host.Holds.SettleAsync(noBudget.HoldId!.Value, new SettleRequest(10, 10, LedgerTypes.Inference, null, null), Ct);
        Assert.Equal(0, settled.BudgetChargedMicros);
        Assert.Null(settled.BudgetTransactionId);
    }

    [Fact]
    public async Task Release_ReturnsTheHold_AndChargesNothing()
    {
        var pid = await _host.CreatePlatformAsync(walletMicros: 1_000);
        var eu = await _host.CreateEndUserAsync(pid);
        await _host.CreateBudgetAsync(pid, eu, 1_000);
        var hold = await _host.Holds.ReserveAsync(Request(pid, eu, 1_000, 1_000), Ct);
        Assert.Equal(HoldStatus.BudgetExhausted, (await _host.Holds.ReserveAsync(Request(pid, eu, 1, 1), Ct)).Status);
        Assert.True(await _host.Holds.ReleaseAsync(hold.HoldId!.Value, null, Ct));
        Assert.False(await _host.Holds.ReleaseAsync(hold.HoldId.Value, null, Ct));
        var again = await _host.Holds.ReserveAsync(Request(pid, eu, 1_000, 1_000), Ct);
        Assert.Equal(HoldStatus.Reserved, again.Status);
        var b = await _host.Budgets.GetActiveAsync(pid, eu, null, Ct);
        Assert.Equal(0, b!.UsedMicros);
        var (w, _) = await _host.Wallets.GetAsync(pid, Ct);
        Assert.Equal(1_000, w.BalanceMicros);
    }

    [Fact]
    public async Task EnforceWalletFalse_NeverBlocks_AndBooksTheFullCost()
    {
        await using var host = await MoneyHost.StartAsync(Database, settings: new Dictionary<string, string?> { ["Gateway:Billing:EnforceWallet"] = "false" });
        var pid = await host.CreatePlatformAsync(walletMicros: 100);
        var hold = await host.Holds.ReserveAsync(Request(pid, null, 1_000, 0), Ct);
        // API.md §1.3: EnforceWallet=false → the wallet is debited but never blocks; §5.6: it books the full cost.
        Assert.Equal(HoldStatus.Reserved, hold.Status);
        var settled = await host.Holds.SettleAsync(hold.HoldId!.Value, new SettleRequest(5_000, 0, LedgerTypes.Inference, null, null), Ct);
        Assert.Equal(5_000, settled.WalletChargedMicros);
        var (w, _) = await host.Wallets.GetAsync(pid, Ct);
        Assert.Equal(-4_900, w.BalanceMicros);
    }

    [Fact]
    public async Task ConcurrentReserves_NeverHoldMoreThanAvailable_AndSettleWithZeroOverspend()
    {
        var pid = await _host.CreatePlatformAsync(walletMicros: 1_000_000_000);
        var eu = await _host.CreateEndUserAsync(pid);
        await _host.CreateBudgetAsync(pid, eu, 100 * 7_001);
        // 500 concurrent reserve+settle pairs on a budget that affords 100 holds.
        var results = await Task.WhenAll(Enumerable.Range(0, 500).Select(async _ =>
        {
            var hold = await _host.Holds.ReserveAsync(Request(pid, eu, 7_001, 7_001), Ct);
            if (hold.Status != HoldStatus.Reserved)
            {
                return hold.Status;
            }

            // Settle asks for more than the hold: capped (API.md §5.6).
            await _host.Holds.SettleAsync(hold.HoldId!.Value, new SettleRequest(9_000, 9_000, LedgerTypes.Inference, null, null), Ct);
            return hold.Status;
        }));
        // Settled holds free nothing (their charge equals the hold), so exactly 100 get through.
        Assert.Equal(100, results.Count(s => s == HoldStatus.Reserved));
        Assert.Equal(400, results.Count(s => s == HoldStatus.BudgetExhausted));
        var b = await _host.Budgets.GetActiveAsync(pid, eu, null, Ct);
        Assert.Equal(b!.MaxMicros, b.UsedMicros);
        Assert.Equal(0, b.ReservedMicros);
        await using var db = await _host.Db.CreateDbContextAsync(Ct);
        await LedgerInvariant.AssertAsync(db, pid, remainingNonNegative: true, walletNonNegative: true, "after race");
    }

    [Fact]
    public async Task Settle_EmitsBudgetAndWalletLowBalance_OncePerCrossing()
    {
        var pid = await _host.CreatePlatformAsync(walletMicros: 10_000);
        var eu = await _host.CreateEndUserAsync(pid);
        await _host.CreateBudgetAsync(pid, eu, 10_000, threshold: 5_000);
        await _host.Wallets.SetThresholdAsync(pid, 5_000, Ct);
        for (var i = 0; i < 3; i++)
        {
            var hold = await _host.Holds.ReserveAsync(Request(pid, eu, 3_000, 3_000), Ct);
            await _host.Holds.SettleAsync(hold.HoldId!.Value, new SettleRequest(3_000, 3_000, LedgerTypes.Inference, null, null), Ct);
        }

        // API.md §5.5: 10,000 → 7,000 → 4,000 (crosses 5,000: one event) → 1,000 (disarmed: none).
        var events = await _host.QueryAsync(db => db.OutboxEvents.AsNoTracking().Where(e => e.PlatformId == pid)
            .Select(e => e.EventType).ToListAsync(Ct));
        Assert.Equal(1, events.Count(e => e == "budget.low_balance"));
        Assert.Equal(1, events.Count(e => e == "wallet.low_balance"));
        Assert.Equal(3, events.Count(e => e == "budget.debited"));

        var walletEvent = await _host.QueryAsync(db => db.OutboxEvents.AsNoTracking().SingleAsync(e => e.PlatformId == pid && e.EventType == "wallet.low_balance", Ct));
        var data = System.Text.Json.Nodes.JsonNode.Parse(walletEvent.Payload)!["data"]!;
        // API.md §10.2 wallet.low_balance data.
        Assert.Equal("llm_usage", data["type"]!.GetValue<string>());
        Assert.Equal("0.004000", data["balance_after"]!.ToJsonString());
        Assert.Equal("0.005000", data["low_balance_threshold"]!.ToJsonString());
        Assert.EndsWith(":wallet.low_balance", System.Text.Json.Nodes.JsonNode.Parse(walletEvent.Payload)!["event_id"]!.GetValue<string>(), StringComparison.Ordinal);

        // A wallet top-up above the threshold re-arms (§5.5).
        var (w, _) = await _host.Wallets.TopupAsync(pid, 10_000, null, null, null, Ct);
        Assert.True(w.LowBalanceArmed);
    }

    [Fact]
    public async Task Reserve_ResetsAnEndedPeriodFirst_AndHoldsSurviveAReset()
    {
        // Two minutes before midnight UTC: holds live at most TotalTimeoutSeconds + 60 s (API.md §5.6).
        _host.Time.Advance(TimeSpan.FromHours(24) - TimeSpan.FromMinutes(2) - TimeSpan.FromHours(_host.Time.GetUtcNow().Hour) - TimeSpan.FromMinutes(_host.Time.GetUtcNow().Minute));
        var pid = await _host.CreatePlatformAsync(walletMicros: 1_000_000);
        var eu = await _host.CreateEndUserAsync(pid);
        await _host.CreateBudgetAsync(pid, eu, 1_000, BudgetPeriods.Daily);
        var first = await _host.Holds.ReserveAsync(Request(pid, eu, 600, 600), Ct);
        await _host.Holds.SettleAsync(first.HoldId!.Value, new SettleRequest(600, 600, LedgerTypes.Inference, null, null), Ct);
        var open = await _host.Holds.ReserveAsync(Request(pid, eu, 300, 300), Ct);
        Assert.Equal(HoldStatus.BudgetExhausted, (await _host.Holds.ReserveAsync(Request(pid, eu, 200, 200), Ct)).Status);

        // Next day: the pre-call check resets the window (API.md §5.3), the open hold survives and still counts.
        _host.Time.Advance(TimeSpan.FromMinutes(3));
        var next = await _host.Holds.ReserveAsync(Request(pid, eu, 700, 700), Ct);
        Assert.Equal(HoldStatus.Reserved, next.Status);
        Assert.Equal(0, next.BudgetAvailableMicros);
        await _host.Holds.SettleAsync(open.HoldId!.Value, new SettleRequest(300, 300, LedgerTypes.Inference, null, null), Ct);
        var b = await _host.Budgets.GetActiveAsync(pid, eu, null, Ct);
        Assert.Equal(300, b!.UsedMicros);
        Assert.Equal(1, await _host.QueryAsync(db => db.BudgetTransactions.CountAsync(t => t.EndUserId == eu && t.Type == "period_reset", Ct)));
    }
}

public sealed class HoldServiceSqliteTests : HoldServiceTests
{
    protected override string Database => "sqlite";
}

public sealed class HoldServicePostgresTests : HoldServiceTests
{
    protected override string Database => "postgres";
}
