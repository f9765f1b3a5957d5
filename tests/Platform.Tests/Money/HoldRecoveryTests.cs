using Assistiv.Platform.Holds;
using Assistiv.Platform.Ledger;
using Microsoft.EntityFrameworkCore;

namespace Assistiv.Platform.Tests.Money;

/// <summary>
/// Holds left open (API.md §5.6): released at start-up of the instance that made them (<c>gateway_restart</c>), or by
/// any instance's sweeper once older than the total timeout + 60 s (<c>hold_expired</c>); and the writer drains on stop.
/// </summary>
public abstract class HoldRecoveryTests
{
    protected abstract string Database { get; }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static HoldRequest Request(Guid pid, Guid? eu, string requestId) =>
        new(pid, eu, null, requestId, "chat.completion", 500, 500) { Model = "mock-1" };

    [Fact]
    public async Task StartUp_ReleasesOwnPreviousHolds_WithGatewayRestartLog_AndLeavesOtherInstances()
    {
        var a = new Dictionary<string, string?> { ["Gateway:InstanceId"] = "gw-a:8080" };
        var b = new Dictionary<string, string?> { ["Gateway:InstanceId"] = "gw-b:8080" };
        var first = await MoneyHost.StartAsync(Database, settings: a, ownsDatabase: false);
        Guid pid, eu;
        Guid? mine, theirs;
        await using (var other = await MoneyHost.StartAsync(Database, first.Time, b, first.SqliteDirectory, first.Postgres, ownsDatabase: false))
        {
            pid = await first.CreatePlatformAsync(walletMicros: 10_000);
            eu = await first.CreateEndUserAsync(pid);
            await first.CreateBudgetAsync(pid, eu, 10_000);
            mine = (await first.Holds.ReserveAsync(Request(pid, eu, "req_mine"), Ct)).HoldId;
            theirs = (await other.Holds.ReserveAsync(Request(pid, eu, "req_theirs"), Ct)).HoldId;
        }

        // The "crash": the process goes away with its hold open; the same instance id starts again on the same database.
        await first.DisposeAsync();
        await using var restarted = await MoneyHost.StartAsync(Database, first.Time, a, first.SqliteDirectory, first.Postgres);

        var holds = await restarted.QueryAsync(db => db.Holds.AsNoTracking().Select(h => h.Id).ToListAsync(Ct));
        Assert.DoesNotContain(mine!.Value, holds);
        Assert.Contains(theirs!.Value, holds);
        var log = await restarted.QueryAsync(db => db.UsageLogs.AsNoTracking().SingleAsync(l => l.RequestId == "req_mine", Ct));
        // API.md §4.9, §5.6: status error, billing_status not_billed, error_code gateway_restart; nothing charged.
        Assert.Equal("error", log.Status);
        Assert.Equal("not_billed", log.BillingStatus);
        Assert.Equal(HoldErrorCodes.GatewayRestart, log.ErrorCode);
        Assert.Equal("chat.completion", log.RequestType);
        Assert.Equal(0, log.EstimatedCostMicros);
        var budget = await restarted.Budgets.GetActiveAsync(pid, eu, null, Ct);
        Assert.Equal(0, budget!.UsedMicros);
        Assert.Equal(500, budget.ReservedMicros);
        await using var db = await restarted.Db.CreateDbContextAsync(Ct);
        await LedgerInvariant.AssertAsync(db, pid, remainingNonNegative: true, walletNonNegative: true, "after restart");
    }

    [Fact]
    public async Task Sweeper_ReleasesHoldsOlderThanTotalTimeoutPlus60s_WithHoldExpiredLog()
    {
        await using var host = await MoneyHost.StartAsync(Database);
        var pid = await host.CreatePlatformAsync(walletMicros: 10_000);
        var young = (await host.Holds.ReserveAsync(Request(pid, null, "req_young"), Ct)).HoldId!.Value;
        host.Time.Advance(TimeSpan.FromSeconds(600));
        var old = (await host.Holds.ReserveAsync(Request(pid, null, "req_old"), Ct)).HoldId!.Value;
        Assert.NotEqual(young, old);

        // 661 s after the first hold: older than TotalTimeoutSeconds (600) + 60 s; the second is 61 s old.
        host.Time.Advance(TimeSpan.FromSeconds(61));
        await Assistiv.Tests.Common.TestConstants.WaitUntilAsync(async () =>
            await host.QueryAsync(db => db.UsageLogs.AnyAsync(l => l.RequestId == "req_young", Ct)), cancellationToken: Ct);
        var holds = await host.QueryAsync(db => db.Holds.AsNoTracking().Select(h => h.Id).ToListAsync(Ct));
        Assert.Equal([old], holds);
        var log = await host.QueryAsync(db => db.UsageLogs.AsNoTracking().SingleAsync(l => l.RequestId == "req_young", Ct));
        Assert.Equal(HoldErrorCodes.HoldExpired, log.ErrorCode);
        Assert.Equal("not_billed", log.BillingStatus);
        var (w, _) = await host.Wallets.GetAsync(pid, Ct);
        Assert.Equal(500, w.ReservedMicros);
        Assert.Equal(10_000, w.BalanceMicros);
    }

    [Fact]
    public async Task Sweeper_ResetsEndedPeriods_WithoutATouch()
    {
        await using var host = await MoneyHost.StartAsync(Database);
        var pid = await host.CreatePlatformAsync();
        var eu = await host.CreateEndUserAsync(pid);
        var budget = await host.CreateBudgetAsync(pid, eu, 1_000, Budgets.BudgetPeriods.Daily);
        await host.Budgets.DebitAsync(pid, eu, 400, false, null, null, null, Ct);
        host.Time.Advance(TimeSpan.FromDays(1));
        // API.md §5.3: a sweeper every 60 s resets too; its rows have request_id null.
        await Assistiv.Tests.Common.TestConstants.WaitUntilAsync(async () =>
            await host.QueryAsync(db => db.BudgetTransactions.AnyAsync(t => t.BudgetId == budget.Id && t.Type == LedgerTypes.PeriodReset, Ct)), cancellationToken: Ct);
        var row = await host.QueryAsync(db => db.BudgetTransactions.AsNoTracking().SingleAsync(t => t.BudgetId == budget.Id && t.Type == LedgerTypes.PeriodReset, Ct));
        Assert.Null(row.RequestId);
        Assert.Equal(0, row.UsedAfterMicros);
        Assert.Equal(LedgerTypes.Credit, row.Direction);
        Assert.Equal(400, row.AmountMicros);
    }

    [Fact]
    public async Task Stop_DrainsQueuedOperations_NothingLost()
    {
        var host = await MoneyHost.StartAsync(Database, ownsDatabase: false);
        var pid = await host.CreatePlatformAsync();
        var pending = Enumerable.Range(0, 200)
            .Select(_ => host.Wallets.TopupAsync(pid, 1, null, null, null, CancellationToken.None).AsTask()).ToList();
        await host.StopAsync();
        await Task.WhenAll(pending);
        await using var again = await MoneyHost.StartAsync(Database, host.Time, null, host.SqliteDirectory, host.Postgres);
        await host.DisposeAsync();
        var (w, _) = await again.Wallets.GetAsync(pid, Ct);
        Assert.Equal(200, w.BalanceMicros);
        Assert.Equal(200, await again.QueryAsync(db => db.WalletTransactions.CountAsync(t => t.PlatformId == pid, Ct)));
    }
}

public sealed class HoldRecoverySqliteTests : HoldRecoveryTests
{
    protected override string Database => "sqlite";
}

public sealed class HoldRecoveryPostgresTests : HoldRecoveryTests
{
    protected override string Database => "postgres";
}
