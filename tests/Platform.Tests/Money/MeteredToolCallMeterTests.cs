using Assistiv.Platform.Budgets;
using Assistiv.Platform.Ledger;
using Assistiv.Platform.Metering;
using Assistiv.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Assistiv.Platform.Tests.Money;

/// <summary>Tool-call money (API.md §8.5): free tier, then holds of <c>PricePerCallUsd</c> with markup, settled or released.</summary>
public abstract class MeteredToolCallMeterTests : IAsyncLifetime
{
    private MoneyHost _host = null!;

    protected abstract string Database { get; }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    // A tier of 2 calls keeps the tests short; the price stays the documented default 0.001 (API.md §1.3).
    public async ValueTask InitializeAsync() =>
        _host = await MoneyHost.StartAsync(Database, settings: new Dictionary<string, string?> { ["Gateway:Mcp:FreeCallsPerMonth"] = "2" });

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    private static ToolMeterRequest Call(Guid pid, Guid eu, string requestId) =>
        new(pid, eu, Guid.CreateVersion7(), requestId, "mock", "mock_echo");

    private static ToolCallCompletion Ok() => new(true, "success", null, null, 12);

    private static ToolCallCompletion Failed() => new(false, "error", "upstream_unavailable", "down", 12);

    [Fact]
    public async Task FreeTier_IsUsedFirst_ThenPaidCallsSettleWalletAndBudgetWithMarkup()
    {
        var pid = await _host.CreatePlatformAsync(walletMicros: 1_000_000);
        var eu = await _host.CreateEndUserAsync(pid);
        await _host.CreateBudgetAsync(pid, eu, 1_000_000);
        await _host.Services.GetRequiredService<PlatformService>()
            .PatchAsync(pid, new PlatformPatch(null, null, false, null, true, 15m, false, null), Ct);
        for (var i = 0; i < 3; i++)
        {
            var call = Call(pid, eu, "req_call" + i);
            var admission = await _host.Meter.AdmitAsync(call, Ct);
            Assert.Equal(ToolAdmissionStatus.Admitted, admission.Status);
            Assert.Equal(i < 2, admission.FreeSlot);
            Assert.Equal(i < 2, admission.HoldId is null);
            await _host.Meter.CompleteAsync(call, admission, Ok(), Ct);
        }

        var logs = await _host.QueryAsync(db => db.UsageLogs.AsNoTracking().Where(l => l.PlatformId == pid).OrderBy(l => l.RequestId).ToListAsync(Ct));
        // API.md §8.5: free_tier, free_tier, then billed at PricePerCallUsd 0.001; §5.7: budget ⌈0.001 × 1.15⌉ = 0.00115.
        Assert.Equal(["free_tier", "free_tier", "billed"], logs.Select(l => l.BillingStatus));
        Assert.All(logs, l => Assert.Equal("mcp_tool", l.RequestType));
        Assert.Equal(1_000, logs[2].EstimatedCostMicros);
        Assert.Equal(1_150, logs[2].BilledMicros);
        var (wallet, recent) = await _host.Wallets.GetAsync(pid, Ct);
        Assert.Equal(1_000_000 - 1_000, wallet.BalanceMicros);
        Assert.Equal(LedgerTypes.McpUsage, recent[0].Type);
        var budget = await _host.Budgets.GetActiveAsync(pid, eu, null, Ct);
        Assert.Equal(1_150, budget!.UsedMicros);
        Assert.Equal(1, await _host.QueryAsync(db => db.BudgetTransactions.CountAsync(t => t.EndUserId == eu && t.Type == LedgerTypes.McpTool, Ct)));
        var tier = await _host.QueryAsync(db => db.McpFreeTier.AsNoTracking().SingleAsync(t => t.PlatformId == pid, Ct));
        Assert.Equal(2, tier.SettledFree);
        Assert.Equal(0, tier.ClaimedFree);
    }

    [Fact]
    public async Task FailedCalls_AreNeitherCountedNorCharged()
    {
        var pid = await _host.CreatePlatformAsync(walletMicros: 1_000_000);
        var eu = await _host.CreateEndUserAsync(pid);
        var free = Call(pid, eu, "req_f1");
        var admission = await _host.Meter.AdmitAsync(free, Ct);
        await _host.Meter.CompleteAsync(free, admission, Failed(), Ct);
        var tier = await _host.QueryAsync(db => db.McpFreeTier.AsNoTracking().SingleAsync(t => t.PlatformId == pid, Ct));
        Assert.Equal(0, tier.SettledFree + tier.ClaimedFree);

        // Use the tier up, then fail a paid call: its hold is released.
        for (var i = 0; i < 2; i++)
        {
            var c = Call(pid, eu, "req_ok" + i);
            await _host.Meter.CompleteAsync(c, await _host.Meter.AdmitAsync(c, Ct), Ok(), Ct);
        }

        var paid = Call(pid, eu, "req_paid_fail");
        var paidAdmission = await _host.Meter.AdmitAsync(paid, Ct);
        Assert.NotNull(paidAdmission.HoldId);
        await _host.Meter.CompleteAsync(paid, paidAdmission, Failed(), Ct);
        var (wallet, _) = await _host.Wallets.GetAsync(pid, Ct);
        Assert.Equal(1_000_000, wallet.BalanceMicros);
        Assert.Equal(0, wallet.ReservedMicros);
        var log = await _host.QueryAsync(db => db.UsageLogs.AsNoTracking().SingleAsync(l => l.RequestId == "req_paid_fail", Ct));
        Assert.Equal("not_billed", log.BillingStatus);
        Assert.Equal("error", log.Status);
        Assert.Equal("upstream_unavailable", log.ErrorCode);
    }

    [Fact]
    public async Task SuspendedBudget_BlocksEveryCall_EvenWithinTheFreeTier()
    {
        var pid = await _host.CreatePlatformAsync(walletMicros: 1_000_000);
        var eu = await _host.CreateEndUserAsync(pid);
        await _host.CreateBudgetAsync(pid, eu, 1_000_000);
        await _host.Budgets.PatchAsync(pid, eu, new BudgetPatch { IsSuspended = true }, null, Ct);
        var call = Call(pid, eu, "req_susp");
        var admission = await _host.Meter.AdmitAsync(call, Ct);
        // API.md §8.5: a suspended budget blocks every tool call, free or not.
        Assert.Equal(ToolAdmissionStatus.BudgetSuspended, admission.Status);
        await _host.Meter.CompleteAsync(call, admission, new ToolCallCompletion(false, "rejected", "budget_suspended", null, 1), Ct);
        var log = await _host.QueryAsync(db => db.UsageLogs.AsNoTracking().SingleAsync(l => l.RequestId == "req_susp", Ct));
        Assert.Equal("rejected", log.Status);
        Assert.Equal("not_billed", log.BillingStatus);
        Assert.Equal(0, await _host.QueryAsync(db => db.McpFreeTier.CountAsync(t => t.PlatformId == pid, Ct)));
    }

    [Fact]
    public async Task PaidCall_IsRefused_WhenBudgetOrWalletCannotAffordTheHold()
    {
        var pid = await _host.CreatePlatformAsync(walletMicros: 1_500);
        var eu = await _host.CreateEndUserAsync(pid);
        await _host.CreateBudgetAsync(pid, eu, 999);
        for (var i = 0; i < 2; i++)
        {
            var c = Call(pid, eu, "req_t" + i);
            await _host.Meter.CompleteAsync(c, await _host.Meter.AdmitAsync(c, Ct), Ok(), Ct);
        }

        // API.md §8.5: [budget_exhausted] when the budget cannot hold 0.001.
        Assert.Equal(ToolAdmissionStatus.BudgetExhausted, (await _host.Meter.AdmitAsync(Call(pid, eu, "req_x"), Ct)).Status);
        await _host.Budgets.TopupAsync(pid, eu, 10_000, null, null, null, Ct);
        var first = await _host.Meter.AdmitAsync(Call(pid, eu, "req_y"), Ct);
        Assert.Equal(ToolAdmissionStatus.Admitted, first.Status);
        // The wallet (1,500) holds one call of 1,000, not two: [wallet_insufficient].
        Assert.Equal(ToolAdmissionStatus.WalletInsufficient, (await _host.Meter.AdmitAsync(Call(pid, eu, "req_z"), Ct)).Status);
    }

    [Fact]
    public async Task ConcurrentCalls_NeverClaimMoreFreeSlotsThanTheTier()
    {
        var pid = await _host.CreatePlatformAsync(walletMicros: 1_000_000_000);
        var eu = await _host.CreateEndUserAsync(pid);
        var admissions = await Task.WhenAll(Enumerable.Range(0, 50).Select(i => _host.Meter.AdmitAsync(Call(pid, eu, "req_c" + i), Ct).AsTask()));
        Assert.Equal(2, admissions.Count(a => a.FreeSlot));
        Assert.Equal(48, admissions.Count(a => a.HoldId is not null));
    }
}

public sealed class MeteredToolCallMeterSqliteTests : MeteredToolCallMeterTests
{
    protected override string Database => "sqlite";
}

public sealed class MeteredToolCallMeterPostgresTests : MeteredToolCallMeterTests
{
    protected override string Database => "postgres";
}
