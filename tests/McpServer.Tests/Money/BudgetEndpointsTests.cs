using System.Net;
using System.Text.Json.Nodes;
using Assistiv.Tests.Common.Host;
using Microsoft.EntityFrameworkCore;
using static Assistiv.McpServer.Tests.Money.MoneyHttp;

namespace Assistiv.McpServer.Tests.Money;

/// <summary>API.md §4.6 budget routes over HTTP, on SQLite and on PostgreSQL.</summary>
public abstract class BudgetEndpointsTests
{
    private readonly MoneyFixture _fixture;

    protected BudgetEndpointsTests(MoneyFixture fixture) => _fixture = fixture;

    private GatewayFactory Factory => _fixture.Factory;

    [Fact]
    public async Task Create_Returns201WithEveryBudgetField_AndWritesOpeningBalance()
    {
        var p = await Factory.CreatePlatformAsync();
        var u = await p.CreateEndUserAsync();
        using var admin = p.Admin();
        using var response = await admin.PostJsonAsync(Budget(p, u),
            """{"max_usd": 10, "period": "monthly", "auto_replenish": true, "replenish_amount": 10.5, "low_balance_threshold": 1}""");
        var text = await RawAsync(response, 201);
        var b = JsonNode.Parse(text)!.AsObject();
        // API.md §4.6 budget object: exactly these fields.
        string[] fields = ["id", "platform_id", "end_user_id", "max_usd", "used_usd", "remaining_usd", "reserved_usd", "available_usd", "period",
            "period_start", "period_end", "auto_replenish", "replenish_amount", "low_balance_threshold", "low_balance_armed", "is_active",
            "is_suspended", "created_at", "updated_at"];
        Assert.Equal(fields.Order(), b.Select(kv => kv.Key).Order());
        // API.md §5.1: money as JSON numbers with exactly 6 decimals.
        Assert.Contains("\"max_usd\":10.000000", text, StringComparison.Ordinal);
        Assert.Equal("0.000000", Raw(b, "used_usd"));
        Assert.Equal("10.000000", Raw(b, "remaining_usd"));
        Assert.Equal("0.000000", Raw(b, "reserved_usd"));
        Assert.Equal("10.000000", Raw(b, "available_usd"));
        Assert.Equal("10.500000", Raw(b, "replenish_amount"));
        Assert.Equal("1.000000", Raw(b, "low_balance_threshold"));
        // API.md §5.3: monthly window [1st 00:00 UTC, next 1st); the clock starts at 2026-05-01T12:00Z and tests of this
        // class move it by days at most.
        Assert.Equal("2026-05-01T00:00:00.000Z", b["period_start"]!.GetValue<string>());
        Assert.Equal("2026-06-01T00:00:00.000Z", b["period_end"]!.GetValue<string>());
        Assert.True(b["low_balance_armed"]!.GetValue<bool>());
        Assert.True(b["is_active"]!.GetValue<bool>());
        Assert.False(b["is_suspended"]!.GetValue<bool>());
        Assert.Equal(u.Id.ToString(), b["end_user_id"]!.GetValue<string>());

        var tx = await GetAsync(admin, Budget(p, u, "/transactions"));
        var row = Assert.Single(tx["data"]!.AsArray())!;
        // API.md §5.2: opening_balance, credit, amount = max.
        Assert.Equal("opening_balance", row["type"]!.GetValue<string>());
        Assert.Equal("credit", row["direction"]!.GetValue<string>());
        Assert.Equal("10.000000", Raw(row, "amount_usd"));
        Assert.Equal("10.000000", Raw(row, "remaining_usd_after"));
        Assert.Equal(response.Headers.GetValues("x-request-id").Single(), row["request_id"]!.GetValue<string>());
    }

    [Fact]
    public async Task Create_DefaultsToOneTimeWithoutEnd_WhenPeriodAbsent()
    {
        var p = await Factory.CreatePlatformAsync();
        var u = await p.CreateEndUserAsync();
        var b = await CreateBudgetAsync(p, u, """{"max_usd": 5}""");
        // API.md §4.6 defaults; §5.3: one_time starts at creation and has no end.
        Assert.Equal("one_time", b["period"]!.GetValue<string>());
        Assert.Equal(b["created_at"]!.GetValue<string>(), b["period_start"]!.GetValue<string>());
        Assert.Null(b["period_end"]);
        Assert.False(b["auto_replenish"]!.GetValue<bool>());
        Assert.Null(b["replenish_amount"]);
        Assert.Null(b["low_balance_threshold"]);
    }

    [Fact]
    public async Task Create_Returns409BudgetExists_WhenActiveBudgetExists()
    {
        var p = await Factory.CreatePlatformAsync();
        var u = await p.CreateEndUserAsync();
        await CreateBudgetAsync(p, u, """{"max_usd": 5}""");
        using var admin = p.Admin();
        using var response = await admin.PostJsonAsync(Budget(p, u), """{"max_usd": 7}""");
        // API.md §4.6: an active budget exists → 409 budget_exists.
        await HttpAssert.ErrorAsync(response, 409, "budget_exists");
    }

    [Fact]
    public async Task Create_Returns404NotFound_ForEndUserOfAnotherPlatform()
    {
        var p = await Factory.CreatePlatformAsync();
        var other = await Factory.CreatePlatformAsync();
        var stranger = await other.CreateEndUserAsync();
        using var admin = p.Admin();
        using var response = await admin.PostJsonAsync(p.Path($"/end-users/{stranger.Id}/budget"), """{"max_usd": 5}""");
        // API.md §2.6: ids resolve within the key's platform, otherwise 404 not_found.
        await HttpAssert.ErrorAsync(response, 404, "not_found");
        Assert.Equal(0, await _fixture.QueryAsync(db => db.Budgets.CountAsync(b => b.EndUserId == stranger.Id, Ct)));
    }

    [Fact]
    public async Task Get_Returns404NoActiveBudget_WhenNone()
    {
        var p = await Factory.CreatePlatformAsync();
        var u = await p.CreateEndUserAsync();
        using var admin = p.Admin();
        using var response = await admin.GetAsync(Budget(p, u), Ct);
        // API.md §4.6: none → 404 no_active_budget.
        await HttpAssert.ErrorAsync(response, 404, "no_active_budget");
    }

    [Fact]
    public async Task Topup_RaisesMax_AndReturnsBudgetAndTopupRow_WithToppedUpEvent()
    {
        var p = await Factory.CreatePlatformAsync();
        var u = await p.CreateEndUserAsync();
        await CreateBudgetAsync(p, u, """{"max_usd": 2}""");
        using var admin = p.Admin();
        using var response = await admin.PostJsonAsync(Budget(p, u, "/topup"), """{"amount_usd": 0.000001, "reason": "gift", "metadata": {"k": "v"}}""");
        var body = await JsonAsync(response, 200);
        // API.md §4.6: topup raises max_usd, writes a topup row; → { budget, transaction }.
        Assert.Equal("2.000001", Raw(body["budget"]!, "max_usd"));
        var row = body["transaction"]!;
        Assert.Equal("topup", row["type"]!.GetValue<string>());
        Assert.Equal("credit", row["direction"]!.GetValue<string>());
        Assert.Equal("0.000001", Raw(row, "amount_usd"));
        Assert.Equal("2.000001", Raw(row, "max_usd_after"));
        Assert.Equal("gift", row["reason"]!.GetValue<string>());
        Assert.Equal("v", row["metadata"]!["k"]!.GetValue<string>());

        // API.md §10.1/§10.2: budget.topped_up with event_id "<transaction_id>:budget.topped_up", api_version 2026-04-11.
        var txId = row["id"]!.GetValue<string>();
        var outbox = await _fixture.QueryAsync(db => db.OutboxEvents.AsNoTracking().SingleAsync(e => e.EventId == txId + ":budget.topped_up", Ct));
        var envelope = JsonNode.Parse(outbox.Payload)!;
        Assert.Equal("budget.topped_up", envelope["event_type"]!.GetValue<string>());
        Assert.Equal("2026-04-11", envelope["api_version"]!.GetValue<string>());
        Assert.Equal(u.ExternalId, envelope["data"]!["external_id"]!.GetValue<string>());
        Assert.Equal("0.000001", Raw(envelope["data"]!, "amount_usd"));
        Assert.Equal("2.000001", Raw(envelope["data"]!, "remaining_usd_after"));
        Assert.Matches("^msg_[0-9A-HJKMNP-TV-Z]{26}$", outbox.MessageId);
    }

    [Fact]
    public async Task Topup_Returns422_WhenMaxWouldPassOneMillion()
    {
        var p = await Factory.CreatePlatformAsync();
        var u = await p.CreateEndUserAsync();
        await CreateBudgetAsync(p, u, """{"max_usd": 999999.5}""");
        using var admin = p.Admin();
        using var response = await admin.PostJsonAsync(Budget(p, u, "/topup"), """{"amount_usd": 1}""");
        // API.md §4.6: a top-up that would take max_usd above 1,000,000 → 422 param amount_usd.
        var error = await HttpAssert.ErrorAsync(response, 422, "validation_error");
        Assert.Equal("amount_usd", error.GetProperty("param").GetString());
    }

    [Fact]
    public async Task Debit_Returns402BudgetExhausted_AndWritesNothing_WhenLargerThanAvailable()
    {
        var p = await Factory.CreatePlatformAsync();
        var u = await p.CreateEndUserAsync();
        await CreateBudgetAsync(p, u, """{"max_usd": 1}""");
        using var admin = p.Admin();
        using var response = await admin.PostJsonAsync(Budget(p, u, "/debit"), """{"amount_usd": 1.000001}""");
        // API.md §4.6: a debit larger than available_usd → 402 budget_exhausted, nothing written.
        await HttpAssert.ErrorAsync(response, 402, "budget_exhausted");
        var tx = await GetAsync(admin, Budget(p, u, "/transactions"));
        Assert.Equal(1, tx["total"]!.GetValue<int>());
        var b = await GetAsync(admin, Budget(p, u));
        Assert.Equal("0.000000", Raw(b, "used_usd"));
    }

    [Fact]
    public async Task Debit_WithAllowNegative_TakesRemainingBelowZero()
    {
        var p = await Factory.CreatePlatformAsync();
        var u = await p.CreateEndUserAsync();
        await CreateBudgetAsync(p, u, """{"max_usd": 1}""");
        using var admin = p.Admin();
        using var response = await admin.PostJsonAsync(Budget(p, u, "/debit"), """{"amount_usd": 1.5, "allow_negative": true}""");
        var body = await JsonAsync(response, 200);
        // API.md §4.6: allow_negative may take remaining_usd below zero.
        Assert.Equal("-0.500000", Raw(body["budget"]!, "remaining_usd"));
        Assert.Equal("debit", body["transaction"]!["direction"]!.GetValue<string>());
        Assert.Equal("1.500000", Raw(body["transaction"]!, "amount_usd"));
    }

    [Fact]
    public async Task Debit_EmitsLowBalanceOnce_WhenCrossingThreshold()
    {
        var p = await Factory.CreatePlatformAsync();
        var u = await p.CreateEndUserAsync();
        await CreateBudgetAsync(p, u, """{"max_usd": 5, "low_balance_threshold": 1}""");
        using var admin = p.Admin();
        var first = await JsonAsync(await admin.PostJsonAsync(Budget(p, u, "/debit"), """{"amount_usd": 4.5}"""), 200);
        var second = await JsonAsync(await admin.PostJsonAsync(Budget(p, u, "/debit"), """{"amount_usd": 0.1}"""), 200);
        // API.md §5.5: edge-triggered: one budget.low_balance per crossing, then disarmed.
        Assert.False(second["budget"]!["low_balance_armed"]!.GetValue<bool>());
        var firstId = first["transaction"]!["id"]!.GetValue<string>();
        var events = await _fixture.QueryAsync(db => db.OutboxEvents.AsNoTracking()
            .Where(e => e.EventType == "budget.low_balance" && e.PlatformId == p.Id).Select(e => e.EventId).ToListAsync(Ct));
        Assert.Equal([firstId + ":budget.low_balance"], events);

        // A top-up that leaves remaining above the threshold re-arms.
        var topped = await JsonAsync(await admin.PostJsonAsync(Budget(p, u, "/topup"), """{"amount_usd": 2}"""), 200);
        Assert.True(topped["budget"]!["low_balance_armed"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Patch_WritesAdjustmentThenSuspend_WithSuspendedEvent()
    {
        var p = await Factory.CreatePlatformAsync();
        var u = await p.CreateEndUserAsync();
        await CreateBudgetAsync(p, u, """{"max_usd": 5}""");
        using var admin = p.Admin();
        var b = await JsonAsync(await admin.PatchJsonAsync(Budget(p, u), """{"max_usd": 3, "is_suspended": true}"""), 200);
        Assert.Equal("3.000000", Raw(b, "max_usd"));
        Assert.True(b["is_suspended"]!.GetValue<bool>());
        var tx = await GetAsync(admin, Budget(p, u, "/transactions?order=asc"));
        var rows = tx["data"]!.AsArray();
        // API.md §4.6: one PATCH changing several fields writes adjustment first, then suspend.
        Assert.Equal(["opening_balance", "adjustment", "suspend"], rows.Select(r => r!["type"]!.GetValue<string>()));
        Assert.Equal("debit", rows[1]!["direction"]!.GetValue<string>());
        Assert.Equal("2.000000", Raw(rows[1]!, "amount_usd"));
        Assert.Equal("none", rows[2]!["direction"]!.GetValue<string>());
        Assert.Equal("0.000000", Raw(rows[2]!, "amount_usd"));
        var suspendId = rows[2]!["id"]!.GetValue<string>();
        Assert.Equal(1, await _fixture.QueryAsync(db => db.OutboxEvents.CountAsync(e => e.EventId == suspendId + ":budget.suspended", Ct)));

        // Same value again → nothing.
        await JsonAsync(await admin.PatchJsonAsync(Budget(p, u), """{"max_usd": 3, "is_suspended": true}"""), 200);
        Assert.Equal(3, (await GetAsync(admin, Budget(p, u, "/transactions")))["total"]!.GetValue<int>());
    }

    [Fact]
    public async Task Patch_Returns422AndChangesNothing_WhenAutoReplenishWithoutReplenishAmount()
    {
        var p = await Factory.CreatePlatformAsync();
        var u = await p.CreateEndUserAsync();
        await CreateBudgetAsync(p, u, """{"max_usd": 5, "period": "daily"}""");
        using var admin = p.Admin();
        using var response = await admin.PatchJsonAsync(Budget(p, u), """{"auto_replenish": true, "max_usd": 7}""");
        // API.md §4.6: the budget after the PATCH must satisfy the create rules, else 422 and nothing changes.
        var error = await HttpAssert.ErrorAsync(response, 422, "validation_error");
        Assert.Equal("replenish_amount", error.GetProperty("param").GetString());
        var b = await GetAsync(admin, Budget(p, u));
        Assert.Equal("5.000000", Raw(b, "max_usd"));
        Assert.False(b["auto_replenish"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Delete_Returns204_ThenNoActiveBudget_AndOldLedgerStaysReadable()
    {
        var p = await Factory.CreatePlatformAsync();
        var u = await p.CreateEndUserAsync();
        var old = await CreateBudgetAsync(p, u, """{"max_usd": 5}""");
        using var admin = p.Admin();
        using var deleted = await admin.DeleteAsync(Budget(p, u), Ct);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        using var get = await admin.GetAsync(Budget(p, u), Ct);
        await HttpAssert.ErrorAsync(get, 404, "no_active_budget");
        using var again = await admin.DeleteAsync(Budget(p, u), Ct);
        await HttpAssert.ErrorAsync(again, 404, "no_active_budget");

        // API.md §4.6: a new budget may be created; budget_id reads a deactivated budget's ledger.
        await CreateBudgetAsync(p, u, """{"max_usd": 9}""");
        var oldLedger = await GetAsync(admin, Budget(p, u, "/transactions?budget_id=" + old["id"]!.GetValue<string>()));
        Assert.Equal(old["id"]!.GetValue<string>(), oldLedger["data"]![0]!["budget_id"]!.GetValue<string>());
        Assert.Equal("5.000000", Raw(oldLedger["data"]![0]!, "amount_usd"));
    }

    [Fact]
    public async Task Transactions_CursorPagesWalkEveryRowOnce_NewestFirst()
    {
        var p = await Factory.CreatePlatformAsync();
        var u = await p.CreateEndUserAsync();
        await CreateBudgetAsync(p, u, """{"max_usd": 100}""");
        using var admin = p.Admin();
        for (var i = 1; i <= 6; i++)
        {
            await JsonAsync(await admin.PostJsonAsync(Budget(p, u, "/debit"), $$"""{"amount_usd": {{i}}}"""), 200);
        }

        var seen = new List<string>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await GetAsync(admin, Budget(p, u, "/transactions?limit=3" + (cursor is null ? "" : "&cursor=" + cursor)));
            // API.md §0.2: total is exact; with a cursor, page is echoed as null.
            Assert.Equal(7, page["total"]!.GetValue<int>());
            Assert.Equal(3, page["limit"]!.GetValue<int>());
            if (cursor is not null)
            {
                Assert.Null(page["page"]);
            }

            seen.AddRange(page["data"]!.AsArray().Select(r => Raw(r!, "amount_usd")));
            cursor = page["next_cursor"]?.GetValue<string>();
            Assert.Equal(cursor is not null, page["has_more"]!.GetValue<bool>());
            pages++;
        }
        while (cursor is not null);

        Assert.Equal(3, pages);
        // Newest first: the six debits in reverse, then the opening balance.
        Assert.Equal(["6.000000", "5.000000", "4.000000", "3.000000", "2.000000", "1.000000", "100.000000"], seen);

        var asc = await GetAsync(admin, Budget(p, u, "/transactions?order=asc&type=debit&limit=2"));
        Assert.Equal(6, asc["total"]!.GetValue<int>());
        Assert.Equal(["1.000000", "2.000000"], asc["data"]!.AsArray().Select(r => Raw(r!, "amount_usd")));
    }

    [Fact]
    public async Task Transactions_FilterBySinceUntilAndTypeList()
    {
        var p = await Factory.CreatePlatformAsync();
        var u = await p.CreateEndUserAsync();
        await CreateBudgetAsync(p, u, """{"max_usd": 100}""");
        using var admin = p.Admin();
        var t0 = _fixture.Time.GetUtcNow();
        _fixture.Time.Advance(TimeSpan.FromMinutes(1));
        await JsonAsync(await admin.PostJsonAsync(Budget(p, u, "/topup"), """{"amount_usd": 1}"""), 200);
        _fixture.Time.Advance(TimeSpan.FromMinutes(1));
        var t2 = _fixture.Time.GetUtcNow();
        await JsonAsync(await admin.PostJsonAsync(Budget(p, u, "/debit"), """{"amount_usd": 2}"""), 200);
        string Iso(DateTimeOffset t) => Uri.EscapeDataString(t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture));

        // API.md §4.6: since inclusive, until exclusive; type one value or a comma-separated list.
        var window = await GetAsync(admin, Budget(p, u, $"/transactions?since={Iso(t0.AddSeconds(1))}&until={Iso(t2)}"));
        Assert.Equal(["topup"], window["data"]!.AsArray().Select(r => r!["type"]!.GetValue<string>()));
        var types = await GetAsync(admin, Budget(p, u, "/transactions?type=debit,opening_balance"));
        Assert.Equal(["debit", "opening_balance"], types["data"]!.AsArray().Select(r => r!["type"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Get_ResetsPeriodLazily_WithAutoReplenish_AfterMonthEnds()
    {
        var p = await Factory.CreatePlatformAsync();
        var u = await p.CreateEndUserAsync();
        await CreateBudgetAsync(p, u, """{"max_usd": 10, "period": "daily", "auto_replenish": true, "replenish_amount": 4}""");
        using var admin = p.Admin();
        await JsonAsync(await admin.PostJsonAsync(Budget(p, u, "/debit"), """{"amount_usd": 3}"""), 200);
        // Several days later: exactly one period_reset row (API.md §5.3), max := replenish_amount, used := 0 (§5.4).
        _fixture.Time.Advance(TimeSpan.FromDays(3));
        var b = await GetAsync(admin, Budget(p, u));
        Assert.Equal("4.000000", Raw(b, "max_usd"));
        Assert.Equal("0.000000", Raw(b, "used_usd"));
        var day = _fixture.Time.GetUtcNow().UtcDateTime.Date;
        Assert.Equal(day.ToString("yyyy-MM-dd'T'00:00:00.000'Z'", System.Globalization.CultureInfo.InvariantCulture), b["period_start"]!.GetValue<string>());
        var resets = await GetAsync(admin, Budget(p, u, "/transactions?type=period_reset"));
        var row = Assert.Single(resets["data"]!.AsArray())!;
        // remaining 7 → 4: debit direction, amount 3; metadata carries used_usd_before.
        Assert.Equal("debit", row["direction"]!.GetValue<string>());
        Assert.Equal("3.000000", Raw(row, "amount_usd"));
        Assert.Equal("3.000000", row["metadata"]!["used_usd_before"]!.ToJsonString());
        Assert.Equal(b["period_start"]!.GetValue<string>(), row["metadata"]!["period_start"]!.GetValue<string>());
    }

    [Fact]
    public async Task EndUserWallet_ReturnsUsdLedgerView_AndRejectsEndUserKeys()
    {
        var p = await Factory.CreatePlatformAsync();
        var u = await p.CreateEndUserAsync();
        using var admin = p.Admin();
        using var none = await admin.GetAsync(p.Path($"/end-users/{u.Id}/wallet"), Ct);
        await HttpAssert.ErrorAsync(none, 404, "no_active_budget");
        var budget = await CreateBudgetAsync(p, u, """{"max_usd": 8}""");
        var text = await RawAsync(await admin.GetAsync(p.Path($"/end-users/{u.Id}/wallet"), Ct), 200);
        // API.md §4.13: { end_user_id, budget_id, usd_ledger: {max_usd, used_usd, remaining_usd, is_active, is_suspended}, display_ledger: null }.
        var w = JsonNode.Parse(text)!;
        Assert.Equal(["budget_id", "display_ledger", "end_user_id", "usd_ledger"], w.AsObject().Select(kv => kv.Key).Order());
        Assert.Equal(budget["id"]!.GetValue<string>(), w["budget_id"]!.GetValue<string>());
        Assert.Contains("\"display_ledger\":null", text, StringComparison.Ordinal);
        Assert.Equal("8.000000", Raw(w["usd_ledger"]!, "remaining_usd"));
        using var euClient = Factory.Client(u.Key);
        using var forbidden = await euClient.GetAsync(p.Path($"/end-users/{u.Id}/wallet"), Ct);
        // API.md §2.8 row 26: sk-eu_ → 403 wrong_key_type.
        await HttpAssert.ErrorAsync(forbidden, 403, "wrong_key_type");
    }

    [Fact]
    public async Task BudgetRoutes_Return403WrongKeyType_ForEndUserKeys()
    {
        var p = await Factory.CreatePlatformAsync();
        var u = await p.CreateEndUserAsync();
        using var eu = Factory.Client(u.Key);
        // API.md §2.8 rows 14–16: sk-eu_ → 403 wrong_key_type.
        using var get = await eu.GetAsync(Budget(p, u), Ct);
        await HttpAssert.ErrorAsync(get, 403, "wrong_key_type");
        using var post = await eu.PostJsonAsync(Budget(p, u, "/topup"), """{"amount_usd": 1}""");
        await HttpAssert.ErrorAsync(post, 403, "wrong_key_type");
    }
}

public sealed class BudgetEndpointsSqliteTests(SqliteMoneyFixture fixture) : BudgetEndpointsTests(fixture), IClassFixture<SqliteMoneyFixture>;

public sealed class BudgetEndpointsPostgresTests(PostgresMoneyFixture fixture) : BudgetEndpointsTests(fixture), IClassFixture<PostgresMoneyFixture>;
