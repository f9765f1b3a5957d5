using Assistiv.Tests.Common.Host;
using Microsoft.EntityFrameworkCore;
using static Assistiv.McpServer.Tests.Money.MoneyHttp;

namespace Assistiv.McpServer.Tests.Money;

/// <summary>
/// Bad input on the money routes: wrong types, negative, zero, over-precision and string amounts, unknown ids → the
/// documented error (API.md §5.1, §11.2, §12) and nothing written.
/// </summary>
public sealed class MoneyBadInputTests(SqliteMoneyFixture fixture) : IClassFixture<SqliteMoneyFixture>
{
    private GatewayFactory Factory => fixture.Factory;

    public static TheoryData<string, string, string> BadBodies => new()
    {
        // route suffix, body, expected param
        { "", """{"max_usd": "5"}""", "max_usd" },                       // §5.1: strings → 422
        { "", """{"max_usd": 0}""", "max_usd" },                         // §4.6: > 0
        { "", """{"max_usd": -1}""", "max_usd" },
        { "", """{"max_usd": 1.0000001}""", "max_usd" },                 // §5.1: > 6 decimals → 422
        { "", """{"max_usd": 1000000.000001}""", "max_usd" },            // §12: ≤ 1,000,000
        { "", """{}""", "max_usd" },                                      // required
        { "", """{"max_usd": 5, "period": "weekly"}""", "period" },
        { "", """{"max_usd": 5, "period": 1}""", "period" },
        { "", """{"max_usd": 5, "auto_replenish": "yes"}""", "auto_replenish" },
        { "", """{"max_usd": 5, "auto_replenish": true, "replenish_amount": 1}""", "auto_replenish" }, // one_time + auto → 422
        { "", """{"max_usd": 5, "period": "daily", "auto_replenish": true}""", "replenish_amount" },
        { "", """{"max_usd": 5, "low_balance_threshold": -0.5}""", "low_balance_threshold" },
        { "/topup", """{"amount_usd": 0}""", "amount_usd" },
        { "/topup", """{"amount_usd": -2}""", "amount_usd" },
        { "/topup", """{"amount_usd": "2"}""", "amount_usd" },
        { "/topup", """{"amount_usd": 0.0000001}""", "amount_usd" },
        { "/topup", """{"amount_usd": 1, "reason": 5}""", "reason" },
        { "/topup", """{"amount_usd": 1, "metadata": []}""", "metadata" },
        { "/debit", """{"amount_usd": 1e-7}""", "amount_usd" },
        { "/debit", """{"amount_usd": null}""", "amount_usd" },
        { "/debit", """{"amount_usd": 1, "allow_negative": "true"}""", "allow_negative" },
        { "/debit", """{"reason": "x"}""", "amount_usd" },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task BudgetPost_Returns422WithParam_AndWritesNothing(string suffix, string body, string param)
    {
        var p = await Factory.CreatePlatformAsync();
        var u = await p.CreateEndUserAsync();
        if (suffix.Length > 0)
        {
            await CreateBudgetAsync(p, u, """{"max_usd": 5}""");
        }

        var before = await CountsAsync(p.Id);
        using var admin = p.Admin();
        using var response = await admin.PostJsonAsync(Budget(p, u, suffix), body);
        var error = await HttpAssert.ErrorAsync(response, 422, "validation_error");
        Assert.Equal(param, error.GetProperty("param").GetString());
        Assert.Equal(before, await CountsAsync(p.Id));
    }

    [Theory]
    [InlineData("""{"max_usd": -1}""", "max_usd")]
    [InlineData("""{"max_usd": null}""", "max_usd")]
    [InlineData("""{"is_suspended": 1}""", "is_suspended")]
    [InlineData("""{"low_balance_threshold": "1"}""", "low_balance_threshold")]
    [InlineData("""{"replenish_amount": 0}""", "replenish_amount")]
    [InlineData("""{"period": "one_time", "auto_replenish": true, "replenish_amount": 1}""", "auto_replenish")]
    public async Task BudgetPatch_Returns422WithParam_AndWritesNothing(string body, string param)
    {
        var p = await Factory.CreatePlatformAsync();
        var u = await p.CreateEndUserAsync();
        await CreateBudgetAsync(p, u, """{"max_usd": 5}""");
        var before = await CountsAsync(p.Id);
        using var admin = p.Admin();
        using var response = await admin.PatchJsonAsync(Budget(p, u), body);
        var error = await HttpAssert.ErrorAsync(response, 422, "validation_error");
        Assert.Equal(param, error.GetProperty("param").GetString());
        Assert.Equal(before, await CountsAsync(p.Id));
    }

    [Theory]
    [InlineData("""{"amount": 0}""", "amount")]
    [InlineData("""{"amount": "10"}""", "amount")]
    [InlineData("""{"amount": 1.1234567}""", "amount")]
    [InlineData("""{"amount_usd": -3}""", "amount_usd")]
    [InlineData("""{"amount": 1, "amount_usd": 2}""", "amount_usd")]
    [InlineData("""{"amount": 1, "description": {}}""", "description")]
    public async Task WalletTopup_Returns422WithParam_AndWritesNothing(string body, string param)
    {
        var p = await Factory.CreatePlatformAsync();
        var before = await CountsAsync(p.Id);
        using var admin = p.Admin();
        using var response = await admin.PostJsonAsync(p.Path("/wallet/topup"), body);
        var error = await HttpAssert.ErrorAsync(response, 422, "validation_error");
        Assert.Equal(param, error.GetProperty("param").GetString());
        Assert.Equal(before, await CountsAsync(p.Id));
    }

    [Theory]
    [InlineData("/budget")]
    [InlineData("/budget/topup")]
    [InlineData("/budget/debit")]
    public async Task BudgetPost_Returns400InvalidJson_ForNonObjectBody(string suffix)
    {
        var p = await Factory.CreatePlatformAsync();
        var u = await p.CreateEndUserAsync();
        using var admin = p.Admin();
        // API.md §0.1: a body that is not a JSON object → 400 invalid_json.
        using var response = await admin.PostJsonAsync(p.Path($"/end-users/{u.Id}{suffix}"), "[1]");
        await HttpAssert.ErrorAsync(response, 400, "invalid_json");
    }

    [Theory]
    [InlineData("00000000-0000-0000-0000-000000000000")]
    [InlineData("not-a-uuid")]
    public async Task BudgetRoutes_Return404NotFound_ForUnknownEndUser(string id)
    {
        var p = await Factory.CreatePlatformAsync();
        var before = await CountsAsync(p.Id);
        using var admin = p.Admin();
        // API.md §12: malformed or unknown path ids → 404 not_found (after validation).
        await HttpAssert.ErrorAsync(await admin.PostJsonAsync(p.Path($"/end-users/{id}/budget"), """{"max_usd": 1}"""), 404, "not_found");
        await HttpAssert.ErrorAsync(await admin.PostJsonAsync(p.Path($"/end-users/{id}/budget/debit"), """{"amount_usd": 1}"""), 404, "not_found");
        await HttpAssert.ErrorAsync(await admin.GetAsync(p.Path($"/end-users/{id}/budget/transactions"), Ct), 404, "not_found");
        await HttpAssert.ErrorAsync(await admin.GetAsync(p.Path($"/end-users/{id}/wallet"), Ct), 404, "not_found");
        Assert.Equal(before, await CountsAsync(p.Id));
    }

    [Theory]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=101", "limit")]
    [InlineData("page=0", "page")]
    [InlineData("order=up", "order")]
    [InlineData("cursor=%25%25", "cursor")]
    [InlineData("type=refund", "type")]
    [InlineData("type=debit,nope", "type")]
    [InlineData("since=yesterday", "since")]
    [InlineData("since=2026-05-02T00:00:00Z&until=2026-05-01T00:00:00Z", "until")]
    [InlineData("budget_id=abc", "budget_id")]
    public async Task Transactions_Returns422WithParam_ForBadQuery(string query, string param)
    {
        var p = await Factory.CreatePlatformAsync();
        var u = await p.CreateEndUserAsync();
        await CreateBudgetAsync(p, u, """{"max_usd": 5}""");
        using var admin = p.Admin();
        using var response = await admin.GetAsync(Budget(p, u, "/transactions?" + query), Ct);
        var error = await HttpAssert.ErrorAsync(response, 422, "validation_error");
        Assert.Equal(param, error.GetProperty("param").GetString());
    }

    [Fact]
    public async Task Transactions_Returns404_ForBudgetIdOfAnotherEndUser()
    {
        var p = await Factory.CreatePlatformAsync();
        var u = await p.CreateEndUserAsync();
        var other = await p.CreateEndUserAsync();
        await CreateBudgetAsync(p, u, """{"max_usd": 5}""");
        var foreign = await CreateBudgetAsync(p, other, """{"max_usd": 5}""");
        using var admin = p.Admin();
        using var response = await admin.GetAsync(Budget(p, u, "/transactions?budget_id=" + foreign["id"]!.GetValue<string>()), Ct);
        // API.md §2.6: ids under an {euid} path resolve within that end user, otherwise 404.
        await HttpAssert.ErrorAsync(response, 404, "not_found");
    }

    [Fact]
    public async Task Cursor_Returns422_WhenUsedWithTheOtherOrder()
    {
        var p = await Factory.CreatePlatformAsync();
        var u = await p.CreateEndUserAsync();
        await CreateBudgetAsync(p, u, """{"max_usd": 5}""");
        using var admin = p.Admin();
        await JsonAsync(await admin.PostJsonAsync(Budget(p, u, "/debit"), """{"amount_usd": 1}"""), 200);
        var first = await GetAsync(admin, Budget(p, u, "/transactions?limit=1"));
        var cursor = first["next_cursor"]!.GetValue<string>();
        using var response = await admin.GetAsync(Budget(p, u, "/transactions?order=asc&cursor=" + cursor), Ct);
        var error = await HttpAssert.ErrorAsync(response, 422, "validation_error");
        Assert.Equal("cursor", error.GetProperty("param").GetString());
    }

    private Task<(int Budgets, int Rows, int WalletRows, int Events, long Used, long Max)> CountsAsync(Guid platformId) =>
        fixture.QueryAsync(async db => (
            await db.Budgets.CountAsync(b => b.PlatformId == platformId, Ct),
            await db.BudgetTransactions.CountAsync(t => t.PlatformId == platformId, Ct),
            await db.WalletTransactions.CountAsync(t => t.PlatformId == platformId, Ct),
            await db.OutboxEvents.CountAsync(e => e.PlatformId == platformId, Ct),
            await db.Budgets.Where(b => b.PlatformId == platformId).SumAsync(b => b.UsedMicros, Ct),
            await db.Budgets.Where(b => b.PlatformId == platformId).SumAsync(b => b.MaxMicros, Ct)));
}
