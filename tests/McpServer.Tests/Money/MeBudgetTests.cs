using Assistiv.Tests.Common.Host;
using static Assistiv.McpServer.Tests.Money.MoneyHttp;

namespace Assistiv.McpServer.Tests.Money;

/// <summary>API.md §4.10 <c>/v1/me/budget</c> and <c>/v1/me/budget/transactions</c>.</summary>
public sealed class MeBudgetTests(SqliteMoneyFixture fixture) : IClassFixture<SqliteMoneyFixture>
{
    private GatewayFactory Factory => fixture.Factory;

    [Fact]
    public async Task MeBudget_ReturnsBudget_AlsoWhileSuspended()
    {
        var p = await Factory.CreatePlatformAsync();
        var u = await p.CreateEndUserAsync();
        var created = await CreateBudgetAsync(p, u, """{"max_usd": 3}""");
        using var admin = p.Admin();
        await JsonAsync(await admin.PatchJsonAsync(Budget(p, u), """{"is_suspended": true}"""), 200);
        using var me = Factory.Client(u.Key);
        var b = await GetAsync(me, "/v1/me/budget");
        // API.md §4.10: the budget object, also while suspended.
        Assert.Equal(created["id"]!.GetValue<string>(), b["id"]!.GetValue<string>());
        Assert.True(b["is_suspended"]!.GetValue<bool>());
        Assert.Equal("3.000000", Raw(b, "remaining_usd"));
    }

    [Fact]
    public async Task MeBudget_Returns404NoActiveBudget_WhenNone()
    {
        var p = await Factory.CreatePlatformAsync();
        var u = await p.CreateEndUserAsync();
        using var me = Factory.Client(u.Key);
        using var response = await me.GetAsync("/v1/me/budget", Ct);
        // API.md §4.10: none → 404 no_active_budget [A].
        await HttpAssert.ErrorAsync(response, 404, "no_active_budget");
    }

    [Fact]
    public async Task MeBudgetTransactions_ListsOwnLedger_AndRejectsBudgetId()
    {
        var p = await Factory.CreatePlatformAsync();
        var u = await p.CreateEndUserAsync();
        var b = await CreateBudgetAsync(p, u, """{"max_usd": 3}""");
        using var admin = p.Admin();
        await JsonAsync(await admin.PostJsonAsync(Budget(p, u, "/debit"), """{"amount_usd": 1}"""), 200);
        using var me = Factory.Client(u.Key);
        var list = await GetAsync(me, "/v1/me/budget/transactions?limit=1");
        Assert.Equal(2, list["total"]!.GetValue<int>());
        Assert.Equal("debit", list["data"]![0]!["type"]!.GetValue<string>());
        Assert.True(list["has_more"]!.GetValue<bool>());
        using var withId = await me.GetAsync("/v1/me/budget/transactions?budget_id=" + b["id"]!.GetValue<string>(), Ct);
        // API.md §4.10: budget_id → 422.
        var error = await HttpAssert.ErrorAsync(withId, 422, "validation_error");
        Assert.Equal("budget_id", error.GetProperty("param").GetString());
    }

    [Fact]
    public async Task MeBudget_Returns403WrongKeyType_ForPlatformKey()
    {
        var p = await Factory.CreatePlatformAsync();
        using var admin = p.Admin();
        // API.md §2.8 row 37: platform key → 403 wrong_key_type [A].
        using var response = await admin.GetAsync("/v1/me/budget", Ct);
        await HttpAssert.ErrorAsync(response, 403, "wrong_key_type");
        using var tx = await admin.GetAsync("/v1/me/budget/transactions", Ct);
        await HttpAssert.ErrorAsync(tx, 403, "wrong_key_type");
    }
}
