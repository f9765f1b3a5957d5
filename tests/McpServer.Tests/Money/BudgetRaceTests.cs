using System.Net;
using Assistiv.Tests.Common.Host;
using Microsoft.EntityFrameworkCore;
using static Assistiv.McpServer.Tests.Money.MoneyHttp;

namespace Assistiv.McpServer.Tests.Money;

/// <summary>
/// Issue B's race (API.md §1.7, §4.6): 500 concurrent <c>POST E/budget/debit</c> calls over HTTP on one budget that can
/// afford exactly 100 of them. Exactly 100 succeed, the other 400 get 402 <c>budget_exhausted</c>, and not one
/// micro-dollar is overspent; on SQLite and on PostgreSQL.
/// </summary>
public abstract class BudgetRaceTests
{
    private readonly MoneyFixture _fixture;

    protected BudgetRaceTests(MoneyFixture fixture) => _fixture = fixture;

    [Fact]
    public async Task ConcurrentDebits_ExactlyTheAffordableSucceed_WithZeroOverspend()
    {
        var p = await _fixture.Factory.CreatePlatformAsync();
        var u = await p.CreateEndUserAsync();
        // 100 × 0.010001 = 1.000100: the budget affords exactly 100 debits.
        await CreateBudgetAsync(p, u, """{"max_usd": 1.0001}""");
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = 500 };
        using var client = new HttpClient(handler) { BaseAddress = _fixture.Factory.BaseAddress, Timeout = TimeSpan.FromMinutes(2) };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", p.AdminKey);
        using var start = new SemaphoreSlim(0);
        var calls = Enumerable.Range(0, 500).Select(async _ =>
        {
            await start.WaitAsync(Ct);
            using var response = await client.PostJsonAsync(Budget(p, u, "/debit"), """{"amount_usd": 0.010001}""");
            if (response.StatusCode == HttpStatusCode.PaymentRequired)
            {
                await HttpAssert.ErrorAsync(response, 402, "budget_exhausted");
            }

            return response.StatusCode;
        }).ToList();
        start.Release(500);
        var statuses = await Task.WhenAll(calls);

        Assert.Equal(100, statuses.Count(s => s == HttpStatusCode.OK));
        Assert.Equal(400, statuses.Count(s => s == HttpStatusCode.PaymentRequired));
        using var admin = p.Admin();
        var b = await GetAsync(admin, Budget(p, u));
        Assert.Equal("1.000100", Raw(b, "used_usd"));
        Assert.Equal("0.000000", Raw(b, "remaining_usd"));
        var debits = await _fixture.QueryAsync(db => db.BudgetTransactions.CountAsync(t => t.EndUserId == u.Id && t.Type == "debit", Ct));
        Assert.Equal(100, debits);
    }
}

public sealed class BudgetRaceSqliteTests(SqliteMoneyFixture fixture) : BudgetRaceTests(fixture), IClassFixture<SqliteMoneyFixture>;

public sealed class BudgetRacePostgresTests(PostgresMoneyFixture fixture) : BudgetRaceTests(fixture), IClassFixture<PostgresMoneyFixture>;
