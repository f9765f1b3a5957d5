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

/// <summary>
/// The free-tier cases of the interim meter's tests (docs/decisions/0014-free-tier-meter.md), kept against the metered
/// meter that replaced it: log row fields, slot returned on failure, rows for rejected and pre-admission calls, UTC
/// months, a tier of 0. Each test makes its own host (the tier size differs).
/// </summary>
public abstract class MeteredFreeTierTests
{
    protected abstract string Database { get; }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static ToolCallCompletion Success => new(true, "success", null, null, 42);

    private Task<MoneyHost> HostAsync(long freeCalls, DateTimeOffset start) => MoneyHost.StartAsync(Database, new Microsoft.Extensions.Time.Testing.FakeTimeProvider(start),
        new Dictionary<string, string?> { ["Gateway:Mcp:FreeCallsPerMonth"] = freeCalls.ToString(System.Globalization.CultureInfo.InvariantCulture) });

    private static ToolMeterRequest Request(Guid pid, Guid eu, int n) => new(pid, eu, Guid.CreateVersion7(), $"req_{n:D26}", "github", "github_get_me");

    [Fact]
    public async Task Success_WithinTheTier_IsLoggedFreeTier_WithTheCallsFields()
    {
        var at = new DateTimeOffset(2026, 5, 14, 10, 0, 0, TimeSpan.Zero);
        await using var host = await HostAsync(1000, at);
        var pid = await host.CreatePlatformAsync();
        var eu = await host.CreateEndUserAsync(pid);
        var call = Request(pid, eu, 1);
        var admission = await host.Meter.AdmitAsync(call, Ct);
        await host.Meter.CompleteAsync(call, admission, Success, Ct);

        Assert.Equal((ToolAdmissionStatus.Admitted, true, "2026-05"), (admission.Status, admission.FreeSlot, admission.FreeTierMonth));
        var row = await host.QueryAsync(db => db.UsageLogs.AsNoTracking().SingleAsync(l => l.PlatformId == pid, Ct));
        // API.md §4.9 / §8.5: request_type mcp_tool, mcp_app, mcp_tool, billing_status free_tier, costs 0.
        Assert.Equal(("mcp_tool", "github", "github_get_me"), (row.RequestType, row.McpApp, row.McpTool));
        Assert.Equal(("success", null, "free_tier"), (row.Status, row.ErrorCode, row.BillingStatus));
        Assert.Equal((0L, 0L, 42L), (row.EstimatedCostMicros, row.BilledMicros, row.LatencyMs));
        Assert.Equal((call.RequestId, (Guid?)call.ApiKeyId, (Guid?)eu), (row.RequestId, row.ApiKeyId, row.EndUserId));
        Assert.Equal(at, row.CreatedAt);
    }

    [Fact]
    public async Task RejectedAndPreAdmissionCalls_WriteOnlyTheRow()
    {
        await using var host = await HostAsync(10, new DateTimeOffset(2026, 5, 14, 10, 0, 0, TimeSpan.Zero));
        var pid = await host.CreatePlatformAsync();
        var eu = await host.CreateEndUserAsync(pid);
        await host.Meter.CompleteAsync(Request(pid, eu, 1), null, new ToolCallCompletion(false, "error", "invalid_arguments", "per_page: too big", 1), Ct);
        await host.Meter.CompleteAsync(Request(pid, eu, 2), new ToolAdmission(ToolAdmissionStatus.BudgetExhausted, false, null),
            new ToolCallCompletion(false, "rejected", "budget_exhausted", "exhausted", 1), Ct);

        var rows = await host.QueryAsync(db => db.UsageLogs.AsNoTracking().Where(l => l.PlatformId == pid).ToListAsync(Ct));
        Assert.Equal(2, rows.Count);
        Assert.All(rows, r => Assert.Equal("not_billed", r.BillingStatus));
        Assert.Equal(0, await host.QueryAsync(db => db.McpFreeTier.CountAsync(t => t.PlatformId == pid, Ct)));
    }

    [Fact]
    public async Task Months_AreUtcCalendarMonths_AndASlotSettlesInTheMonthItWasClaimed()
    {
        // 23:59:59.5 UTC on 31 May 2026 is already June in UTC+2: the month is UTC's (API.md §1.3).
        var start = new DateTimeOffset(2026, 6, 1, 1, 59, 59, TimeSpan.FromHours(2)).AddMilliseconds(500);
        await using var host = await HostAsync(1, start);
        var pid = await host.CreatePlatformAsync();
        var eu = await host.CreateEndUserAsync(pid);
        var may = await host.Meter.AdmitAsync(Request(pid, eu, 1), Ct);
        host.Time.Advance(TimeSpan.FromSeconds(1));
        var june = await host.Meter.AdmitAsync(Request(pid, eu, 2), Ct);
        await host.Meter.CompleteAsync(Request(pid, eu, 1), may, Success, Ct);
        await host.Meter.CompleteAsync(Request(pid, eu, 2), june, Success, Ct);

        Assert.Equal(("2026-05", "2026-06"), (may.FreeTierMonth, june.FreeTierMonth));
        var counters = await host.QueryAsync(db => db.McpFreeTier.AsNoTracking().Where(c => c.PlatformId == pid).OrderBy(c => c.Month)
            .Select(c => new { c.Month, c.SettledFree, c.ClaimedFree }).ToListAsync(Ct));
        Assert.Equal([new { Month = "2026-05", SettledFree = 1L, ClaimedFree = 0L }, new { Month = "2026-06", SettledFree = 1L, ClaimedFree = 0L }], counters);
    }

    [Fact]
    public async Task ZeroFreeCalls_TurnsTheTierOff_EveryCallHolds()
    {
        await using var host = await HostAsync(0, new DateTimeOffset(2026, 5, 14, 10, 0, 0, TimeSpan.Zero));
        var pid = await host.CreatePlatformAsync(walletMicros: 5_000);
        var eu = await host.CreateEndUserAsync(pid);
        var admission = await host.Meter.AdmitAsync(Request(pid, eu, 1), Ct);
        await host.Meter.CompleteAsync(Request(pid, eu, 1), admission, Success, Ct);

        Assert.False(admission.FreeSlot);
        Assert.NotNull(admission.HoldId);
        Assert.Equal("billed", (await host.QueryAsync(db => db.UsageLogs.AsNoTracking().SingleAsync(l => l.PlatformId == pid, Ct))).BillingStatus);
    }

    [Fact]
    public async Task ConcurrentFirstCallsOfAMonth_AreAllFree_WhileTheTierLasts()
    {
        // The month's counter row does not exist yet: every call races to create it. A call whose INSERT lost that race
        // must still claim a slot (on PostgreSQL it used to be charged: the lost insert was read as "tier used up").
        await using var host = await HostAsync(1000, new DateTimeOffset(2026, 5, 14, 10, 0, 0, TimeSpan.Zero));
        var pid = await host.CreatePlatformAsync(walletMicros: 1_000_000);
        var eu = await host.CreateEndUserAsync(pid);
        var admissions = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => host.Meter.AdmitAsync(Request(pid, eu, i), Ct).AsTask()));

        var tier = await host.QueryAsync(db => db.McpFreeTier.AsNoTracking().SingleAsync(t => t.PlatformId == pid, Ct));
        Assert.Equal(20, admissions.Count(a => a.FreeSlot));
        Assert.Equal(20, tier.ClaimedFree);
        Assert.Equal(0, await host.QueryAsync(db => db.Holds.CountAsync(h => h.PlatformId == pid, Ct)));
    }
}

public sealed class MeteredFreeTierSqliteTests : MeteredFreeTierTests
{
    protected override string Database => "sqlite";
}

public sealed class MeteredFreeTierPostgresTests : MeteredFreeTierTests
{
    protected override string Database => "postgres";
}

public sealed class MeteredToolCallMeterSqliteTests : MeteredToolCallMeterTests
{
    protected override string Database => "sqlite";
}

public sealed class MeteredToolCallMeterPostgresTests : MeteredToolCallMeterTests
{
    protected override string Database => "postgres";
}
