using Assistiv.McpServer.Tests.Matrix;
using Assistiv.Platform.UsageLogs;
using Assistiv.Tests.Common.Host;

namespace Assistiv.McpServer.Tests.SeedFlow;

/// <summary>
/// The platform flow of the SDK README (`@assistiv/sdk` 0.2.0) as plain HTTP calls: bootstrap (repeat → same user,
/// fresh key), budget create, an idempotent top-up sent twice (one ledger row), a rate-limit override, a log search,
/// and the <c>me.*</c> reads with the end-user key.
/// </summary>
public abstract class SeedReadmeFlowTests(HostFixture host)
{
    private GatewayFactory Factory => host.Factory;

    [Fact]
    public async Task ReadmePlatformFlow_WorksOverHttp()
    {
        var p = await Factory.CreatePlatformAsync("Seed flow");
        using var platform = p.Admin();

        // platform.bootstrap({ platformId, externalId: "user_42", defaultBudget: { max_usd: 5, period: "monthly" } })
        var boot = await platform.PostJsonAsync(p.Path("/bootstrap"),
            $$$"""{"platformId":"{{{p.Id}}}","externalId":"user_42","defaultBudget":{"max_usd":5,"period":"monthly"}}""");
        boot.AssertStatus(201);
        var endUserId = boot.Json["end_user_id"]!.GetValue<string>();
        var apiKey = boot.Json["api_key"]!.GetValue<string>();
        Assert.True(boot.Json["created"]!.GetValue<bool>());

        // "Idempotent on externalId — repeat calls with the same id return the existing user and mint a fresh key."
        var again = await platform.PostJsonAsync(p.Path("/bootstrap"),
            $$$"""{"platformId":"{{{p.Id}}}","externalId":"user_42","defaultBudget":{"max_usd":5,"period":"monthly"}}""");
        again.AssertStatus(200);
        Assert.Equal(endUserId, again.Json["end_user_id"]!.GetValue<string>());
        Assert.NotEqual(apiKey, again.Json["api_key"]!.GetValue<string>());

        // platform.budgets(platformId).create(endUserId, {...}) for a second user (the first has its bootstrap budget).
        var second = await platform.PostJsonAsync(p.Path("/bootstrap"), """{"externalId":"user_43"}""");
        var secondId = second.Json["end_user_id"]!.GetValue<string>();
        var budget = await platform.PostJsonAsync(p.Path($"/end-users/{secondId}/budget"),
            """{"max_usd":10,"period":"monthly","auto_replenish":true,"replenish_amount":10,"low_balance_threshold":1}""");
        budget.AssertStatus(201);
        Assert.Contains("\"max_usd\":10.000000", budget.Body, StringComparison.Ordinal);

        // platform.budgets(platformId).topup(endUserId, { amount_usd: 5, reason: "promo_grant" }, { idempotencyKey: "promo-2026-q2" }) twice.
        var topup = await platform.PostJsonAsync(p.Path($"/end-users/{endUserId}/budget/topup"), """{"amount_usd":5,"reason":"promo_grant"}""", "promo-2026-q2");
        topup.AssertStatus(200);
        var retry = await platform.PostJsonAsync(p.Path($"/end-users/{endUserId}/budget/topup"), """{"amount_usd":5,"reason":"promo_grant"}""", "promo-2026-q2");
        Assert.Equal("true", retry.Header("Idempotent-Replayed"));
        Assert.Equal(topup.Body, retry.Body);
        var ledger = await platform.GetJsonAsync(p.Path($"/end-users/{endUserId}/budget/transactions?type=topup"));
        ledger.AssertStatus(200);
        // "safe to retry the same call": exactly one topup row, max_usd 5 + 5.
        Assert.Single(ledger.Json["data"]!.AsArray());
        Assert.Contains("\"max_usd\":10.000000", topup.Body, StringComparison.Ordinal);

        // platform.rateLimits(platformId).setForEndUser(endUserId, { rpm_limit: 600, tpm_limit: 250_000 })
        var limits = await platform.PutJsonAsync(p.Path($"/end-users/{endUserId}/rate-limits"), """{"rpm_limit":600,"tpm_limit":250000}""");
        limits.AssertStatus(200);

        // platform.logs(platformId).search({ end_user_id, since }) — rows made through the DbContext (API.md §1.7).
        var now = Factory.Time!.GetUtcNow();
        await using (var db = Factory.Db())
        {
            db.UsageLogs.Add(new UsageLogRecord
            {
                Id = Guid.CreateVersion7(now), RequestId = "req_01JT0000000000000000000042", PlatformId = p.Id, EndUserId = Guid.Parse(endUserId),
                RequestType = "chat.completion", Model = "gpt-4o-mini", ProviderId = "openai", Status = "success", BillingStatus = "billed",
                PromptTokens = 12, CompletionTokens = 7, TotalTokens = 19, EstimatedCostMicros = 6, BilledMicros = 7, CreatedAt = now,
            });
            await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        }

        var since = now.AddDays(-1).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'");
        var logs = await platform.PostJsonAsync(p.Path("/logs/search"), $$"""{"end_user_id":"{{endUserId}}","since":"{{since}}"}""");
        logs.AssertStatus(200);
        Assert.Equal("req_01JT0000000000000000000042", Assert.Single(logs.Json["data"]!.AsArray())!["request_id"]!.GetValue<string>());

        // The end-user side: me.budget(), me.rateLimits(), me.budgetTransactions({ limit: 100 }), me.logs().
        using var me = Factory.Client(apiKey);
        var myBudget = await me.GetJsonAsync("/v1/me/budget");
        myBudget.AssertStatus(200);
        Assert.Contains("\"max_usd\":10.000000", myBudget.Body, StringComparison.Ordinal);
        Assert.Contains("\"remaining_usd\":10.000000", myBudget.Body, StringComparison.Ordinal);
        Assert.Equal("monthly", myBudget.Json["period"]!.GetValue<string>());
        var myLimits = await me.GetJsonAsync("/v1/me/rate-limits");
        Assert.Equal(600, myLimits.Json["rpm_limit"]!.GetValue<int>());
        Assert.Equal(250000, myLimits.Json["tpm_limit"]!.GetValue<int>());
        Assert.Equal("explicit", myLimits.Json["resolution"]!.GetValue<string>());
        var myLedger = await me.GetJsonAsync("/v1/me/budget/transactions?limit=100");
        myLedger.AssertStatus(200);
        Assert.Equal(["topup", "opening_balance"], myLedger.Json["data"]!.AsArray().Select(t => t!["type"]!.GetValue<string>()));
        var myLogs = await me.GetJsonAsync("/v1/me/logs");
        Assert.Single(myLogs.Json["data"]!.AsArray());
    }
}

public sealed class SeedReadmeFlowSqliteTests(SqliteHost host) : SeedReadmeFlowTests(host), IClassFixture<SqliteHost>;

public sealed class SeedReadmeFlowPostgresTests(PostgresHost host) : SeedReadmeFlowTests(host), IClassFixture<PostgresHost>;
