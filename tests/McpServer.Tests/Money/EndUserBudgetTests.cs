using System.Net;
using Assistiv.Platform.Holds;
using Assistiv.Tests.Common.Host;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static Assistiv.McpServer.Tests.Money.MoneyHttp;

namespace Assistiv.McpServer.Tests.Money;

/// <summary>API.md §4.4: the default budget of end-user create, and budget deactivation on end-user delete.</summary>
public sealed class EndUserBudgetTests(SqliteMoneyFixture fixture) : IClassFixture<SqliteMoneyFixture>
{
    private GatewayFactory Factory => fixture.Factory;

    [Fact]
    public async Task CreateEndUser_GetsMonthlyBudget_FromDefaultBudgetSetting()
    {
        var p = await Factory.CreatePlatformAsync();
        using var admin = p.Admin();
        await JsonAsync(await admin.PatchJsonAsync(p.Path(), """{"settings": {"default_budget_usd": 2.5}}"""), 200);
        var u = await p.CreateEndUserAsync();
        var b = await GetAsync(admin, Budget(p, u));
        // API.md §4.4: {max_usd: default_budget_usd, period: "monthly", auto_replenish: false}, created in the same transaction.
        Assert.Equal("2.500000", Raw(b, "max_usd"));
        Assert.Equal("monthly", b["period"]!.GetValue<string>());
        Assert.False(b["auto_replenish"]!.GetValue<bool>());
        var rows = await GetAsync(admin, Budget(p, u, "/transactions"));
        Assert.Equal("opening_balance", rows["data"]![0]!["type"]!.GetValue<string>());
    }

    [Fact]
    public async Task CreateEndUser_GetsNoBudget_WithoutDefaultBudgetSetting()
    {
        var p = await Factory.CreatePlatformAsync();
        var u = await p.CreateEndUserAsync();
        using var admin = p.Admin();
        using var response = await admin.GetAsync(Budget(p, u), Ct);
        await HttpAssert.ErrorAsync(response, 404, "no_active_budget");
    }

    [Fact]
    public async Task DeleteEndUser_DeactivatesBudget_AndReleasesItsHolds()
    {
        var p = await Factory.CreatePlatformAsync();
        var u = await p.CreateEndUserAsync();
        await CreateBudgetAsync(p, u, """{"max_usd": 5}""");
        using var admin = p.Admin();
        await JsonAsync(await admin.PostJsonAsync(p.Path("/wallet/topup"), """{"amount": 5}"""), 200);
        var holds = Factory.Services.GetRequiredService<HoldService>();
        var hold = await holds.ReserveAsync(new HoldRequest(p.Id, u.Id, null, "req_x", "chat.completion", 1_000, 1_000), Ct);
        Assert.Equal(HoldStatus.Reserved, hold.Status);

        using var deleted = await admin.DeleteAsync(p.Path($"/end-users/{u.Id}"), Ct);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        // API.md §4.4: the budget is deactivated; §4.6: its open holds are released, in-flight calls settle on the wallet only.
        var budget = await fixture.QueryAsync(db => db.Budgets.AsNoTracking().SingleAsync(b => b.EndUserId == u.Id, Ct));
        Assert.False(budget.IsActive);
        Assert.Equal(0, budget.ReservedMicros);
        var open = await fixture.QueryAsync(db => db.Holds.AsNoTracking().SingleAsync(h => h.Id == hold.HoldId, Ct));
        Assert.Null(open.BudgetId);
        var settled = await holds.SettleAsync(hold.HoldId!.Value, new SettleRequest(500, 500, "inference", null, null), Ct);
        Assert.Equal(500, settled.WalletChargedMicros);
        Assert.Equal(0, settled.BudgetChargedMicros);
        Assert.Null(settled.BudgetTransactionId);
    }
}
