using Assistiv.Connectors.Tests.TestSupport;
using Assistiv.Platform.Metering;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Assistiv.Connectors.Tests.Metering;

/// <summary>The free tier of API.md §8.5 on SQLite (a file per test).</summary>
public sealed class FreeTierToolCallMeterTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly Guid s_platform = Guid.Parse("0196c3a0-0000-7000-8000-000000000001");

    private static FreeTierToolCallMeter Meter(TestDatabase db, TimeProvider time, long freeCalls) =>
        new(db.Factory, time, Options.Create(new McpMeteringOptions { FreeCallsPerMonth = freeCalls }), NullLogger<FreeTierToolCallMeter>.Instance);

    private static ToolMeterRequest Request(int n = 1) =>
        new(s_platform, Guid.Parse("0196c3a0-0000-7000-8000-000000000002"), Guid.Parse("0196c3a0-0000-7000-8000-000000000003"), $"req_{n:D26}", "github", "github_get_me");

    private static ToolCallCompletion Success => new(true, "success", null, null, 42);

    private static ToolCallCompletion Failure => new(false, "error", "upstream_not_found", "GitHub found nothing there.", 17);

    [Fact]
    public async Task Success_WithinTheTier_IsLoggedFreeTier()
    {
        await using var db = await TestDatabase.CreateAsync(Ct);
        var meter = Meter(db, new FakeTimeProvider(new DateTimeOffset(2026, 5, 14, 10, 0, 0, TimeSpan.Zero)), 1000);

        var admission = await meter.AdmitAsync(Request(), Ct);
        await meter.CompleteAsync(Request(), admission, Success, Ct);

        Assert.Equal((ToolAdmissionStatus.Admitted, true, "2026-05"), (admission.Status, admission.FreeSlot, admission.FreeTierMonth));
        await using var context = await db.Factory.CreateDbContextAsync(Ct);
        var counter = await context.McpFreeTier.SingleAsync(Ct);
        Assert.Equal(("2026-05", 1L, 0L), (counter.Month, counter.SettledFree, counter.ClaimedFree));
        var row = await context.UsageLogs.SingleAsync(Ct);

        // API.md §4.9 / §8.5: request_type mcp_tool, mcp_app, mcp_tool, billing_status free_tier, costs 0.
        Assert.Equal(("mcp_tool", "github", "github_get_me"), (row.RequestType, row.McpApp, row.McpTool));
        Assert.Equal(("success", null, "free_tier"), (row.Status, row.ErrorCode, row.BillingStatus));
        Assert.Equal((0L, 0L, 42L), (row.EstimatedCostMicros, row.BilledMicros, row.LatencyMs));
        Assert.Equal((Request().RequestId, (Guid?)Request().ApiKeyId, (Guid?)Request().EndUserId), (row.RequestId, row.ApiKeyId, row.EndUserId));
        Assert.Equal(new DateTimeOffset(2026, 5, 14, 10, 0, 0, TimeSpan.Zero), row.CreatedAt);
    }

    [Fact]
    public async Task Failure_ReturnsTheSlot_AndIsNotBilled()
    {
        await using var db = await TestDatabase.CreateAsync(Ct);
        var meter = Meter(db, new FakeTimeProvider(new DateTimeOffset(2026, 5, 14, 10, 0, 0, TimeSpan.Zero)), 1);

        var failed = await meter.AdmitAsync(Request(1), Ct);
        await meter.CompleteAsync(Request(1), failed, Failure, Ct);
        var next = await meter.AdmitAsync(Request(2), Ct);

        // API.md §8.5: a claimed slot is returned on failure; failed calls are neither counted nor charged.
        Assert.True(next.FreeSlot);
        await using var context = await db.Factory.CreateDbContextAsync(Ct);
        var row = await context.UsageLogs.SingleAsync(Ct);
        Assert.Equal(("error", "upstream_not_found", "not_billed"), (row.Status, row.ErrorCode, row.BillingStatus));
        Assert.Equal("GitHub found nothing there.", row.ErrorMessage);
    }

    [Fact]
    public async Task CallsBeyondTheTier_RunUnbilled()
    {
        await using var db = await TestDatabase.CreateAsync(Ct);
        var meter = Meter(db, new FakeTimeProvider(new DateTimeOffset(2026, 5, 14, 10, 0, 0, TimeSpan.Zero)), 2);

        for (var i = 1; i <= 3; i++)
        {
            var admission = await meter.AdmitAsync(Request(i), Ct);
            Assert.Equal(ToolAdmissionStatus.Admitted, admission.Status);
            Assert.Equal(i <= 2, admission.FreeSlot);
            Assert.Null(admission.HoldId);
            await meter.CompleteAsync(Request(i), admission, Success, Ct);
        }

        // API.md §8.5 metering interface: calls within the tier log free_tier, later ones run and log not_billed.
        await using var context = await db.Factory.CreateDbContextAsync(Ct);
        var statuses = await context.UsageLogs.OrderBy(r => r.RequestId).Select(r => r.BillingStatus).ToListAsync(Ct);
        Assert.Equal(["free_tier", "free_tier", "not_billed"], statuses);
    }

    [Fact]
    public async Task RejectedAndPreAdmissionCalls_WriteOnlyTheRow()
    {
        await using var db = await TestDatabase.CreateAsync(Ct);
        var meter = Meter(db, new FakeTimeProvider(new DateTimeOffset(2026, 5, 14, 10, 0, 0, TimeSpan.Zero)), 10);

        await meter.CompleteAsync(Request(1), null, new ToolCallCompletion(false, "error", "invalid_arguments", "per_page: too big", 1), Ct);
        await meter.CompleteAsync(Request(2), new ToolAdmission(ToolAdmissionStatus.BudgetExhausted, false, null),
            new ToolCallCompletion(false, "rejected", "budget_exhausted", "exhausted", 1), Ct);

        await using var context = await db.Factory.CreateDbContextAsync(Ct);
        Assert.Equal(2, await context.UsageLogs.CountAsync(Ct));
        Assert.Equal(0, await context.McpFreeTier.CountAsync(Ct));
        Assert.All(await context.UsageLogs.ToListAsync(Ct), r => Assert.Equal("not_billed", r.BillingStatus));
    }

    [Fact]
    public async Task Months_AreUtcCalendarMonths_AndASlotSettlesInTheMonthItWasClaimed()
    {
        await using var db = await TestDatabase.CreateAsync(Ct);

        // 23:59:59.5 UTC on 31 May 2026 is already June in UTC+2: the month is UTC's (API.md §1.3).
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 6, 1, 1, 59, 59, TimeSpan.FromHours(2)).AddMilliseconds(500));
        var meter = Meter(db, time, 1);

        var may = await meter.AdmitAsync(Request(1), Ct);
        time.Advance(TimeSpan.FromSeconds(1));
        var june = await meter.AdmitAsync(Request(2), Ct);
        await meter.CompleteAsync(Request(1), may, Success, Ct);
        await meter.CompleteAsync(Request(2), june, Success, Ct);

        Assert.Equal(("2026-05", "2026-06"), (may.FreeTierMonth, june.FreeTierMonth));
        await using var context = await db.Factory.CreateDbContextAsync(Ct);
        var counters = await context.McpFreeTier.OrderBy(c => c.Month).Select(c => new { c.Month, c.SettledFree, c.ClaimedFree }).ToListAsync(Ct);
        Assert.Equal([new { Month = "2026-05", SettledFree = 1L, ClaimedFree = 0L }, new { Month = "2026-06", SettledFree = 1L, ClaimedFree = 0L }], counters);
    }

    [Fact]
    public async Task ZeroFreeCalls_TurnsTheTierOff()
    {
        await using var db = await TestDatabase.CreateAsync(Ct);
        var meter = Meter(db, new FakeTimeProvider(), 0);

        var admission = await meter.AdmitAsync(Request(), Ct);
        await meter.CompleteAsync(Request(), admission, Success, Ct);

        Assert.False(admission.FreeSlot);
        await using var context = await db.Factory.CreateDbContextAsync(Ct);
        Assert.Equal("not_billed", (await context.UsageLogs.SingleAsync(Ct)).BillingStatus);
    }

    [Fact]
    public async Task ConcurrentClaims_NeverPassTheLimit()
    {
        const int Limit = 7;
        const int Calls = 40;
        await using var db = await TestDatabase.CreateAsync(Ct);
        var meter = Meter(db, new FakeTimeProvider(new DateTimeOffset(2026, 5, 14, 10, 0, 0, TimeSpan.Zero)), Limit);
        using var start = new ManualResetEventSlim();

        var calls = Enumerable.Range(1, Calls).Select(i => Task.Run(async () =>
        {
            start.Wait(Ct);
            var admission = await meter.AdmitAsync(Request(i), Ct);
            await meter.CompleteAsync(Request(i), admission, Success, Ct);
            return admission.FreeSlot;
        }, Ct)).ToArray();
        start.Set();
        var freeSlots = await Task.WhenAll(calls);

        // API.md §8.5: admission claims atomically; exactly Limit calls are free.
        Assert.Equal(Limit, freeSlots.Count(f => f));
        await using var context = await db.Factory.CreateDbContextAsync(Ct);
        Assert.Equal(Limit, await context.UsageLogs.CountAsync(r => r.BillingStatus == "free_tier", Ct));
        Assert.Equal(Calls, await context.UsageLogs.CountAsync(Ct));
        var counter = await context.McpFreeTier.SingleAsync(Ct);
        Assert.Equal((Limit, 0L), (counter.SettledFree, counter.ClaimedFree));
    }
}
