using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Assistiv.Tests.Common.Host;
using static Assistiv.McpServer.Tests.Money.MoneyHttp;

namespace Assistiv.McpServer.Tests.Money;

/// <summary>API.md §4.7 platform wallet routes.</summary>
public abstract class WalletEndpointsTests
{
    private readonly MoneyFixture _fixture;

    protected WalletEndpointsTests(MoneyFixture fixture) => _fixture = fixture;

    private GatewayFactory Factory => _fixture.Factory;

    [Fact]
    public async Task Get_ReturnsNewWallet_WithEveryField()
    {
        var p = await Factory.CreatePlatformAsync();
        using var admin = p.Admin();
        using var response = await admin.GetAsync(p.Path("/wallet"), Ct);
        var text = await RawAsync(response, 200);
        var w = JsonNode.Parse(text)!.AsObject();
        // API.md §4.7 wallet object; a new wallet: balance 0, low_balance_threshold null, low_balance_armed true.
        string[] fields = ["id", "platform_id", "balance", "reserved_usd", "available_usd", "currency", "low_balance_threshold", "low_balance_armed",
            "is_active", "created_at", "updated_at", "recent_transactions"];
        Assert.Equal(fields.Order(), w.Select(kv => kv.Key).Order());
        Assert.Contains("\"balance\":0.000000", text, StringComparison.Ordinal);
        Assert.Equal("usd", w["currency"]!.GetValue<string>());
        Assert.Null(w["low_balance_threshold"]);
        Assert.True(w["low_balance_armed"]!.GetValue<bool>());
        Assert.Empty(w["recent_transactions"]!.AsArray());
        Assert.Equal(p.Id.ToString(), w["platform_id"]!.GetValue<string>());
    }

    [Fact]
    public async Task Topup_AddsToBalance_WithTopUpRow_AndAcceptsAmountUsdAlias()
    {
        var p = await Factory.CreatePlatformAsync();
        using var admin = p.Admin();
        var first = await JsonAsync(await admin.PostJsonAsync(p.Path("/wallet/topup"), """{"amount": 12.345678, "description": "card"}"""), 200);
        // API.md §4.7: → { wallet, transaction }; type top_up, amount ≥ 0 with direction.
        Assert.Equal("12.345678", Raw(first["wallet"]!, "balance"));
        var row = first["transaction"]!.AsObject();
        string[] fields = ["id", "platform_id", "type", "direction", "amount", "balance_after", "description", "end_user_id", "request_id", "metadata", "created_at"];
        Assert.Equal(fields.Order(), row.Select(kv => kv.Key).Order());
        Assert.Equal("top_up", row["type"]!.GetValue<string>());
        Assert.Equal("credit", row["direction"]!.GetValue<string>());
        Assert.Equal("12.345678", Raw(row, "balance_after"));
        Assert.Equal("card", row["description"]!.GetValue<string>());

        var second = await JsonAsync(await admin.PostJsonAsync(p.Path("/wallet/topup"), """{"amount_usd": 0.000322}"""), 200);
        Assert.Equal("12.346000", Raw(second["wallet"]!, "balance"));
        Assert.Equal(2, second["wallet"]!["recent_transactions"]!.AsArray().Count);
        var list = await GetAsync(admin, p.Path("/wallet/transactions?order=asc"));
        Assert.Equal(["12.345678", "0.000322"], list["data"]!.AsArray().Select(r => Raw(r!, "amount")));
    }

    [Fact]
    public async Task TopupAndPatch_Return403Forbidden_ForManagementOnlyKey()
    {
        var p = await Factory.CreatePlatformAsync();
        using var admin = p.Admin();
        using var created = await admin.PostAsJsonAsync(p.Path("/api-keys"), new { name = "mgmt", scopes = new[] { "management" } }, Ct);
        var key = (await JsonAsync(created, 201))["raw_key"]!.GetValue<string>();
        using var mgmt = Factory.Client(key);
        // API.md §2.8 rows 18–19: PATCH P/wallet and POST P/wallet/topup need admin; 17: GET needs management.
        await HttpAssert.ErrorAsync(await mgmt.PostJsonAsync(p.Path("/wallet/topup"), """{"amount": 1}"""), 403, "forbidden");
        await HttpAssert.ErrorAsync(await mgmt.PatchJsonAsync(p.Path("/wallet"), """{"low_balance_threshold": 1}"""), 403, "forbidden");
        await GetAsync(mgmt, p.Path("/wallet"));
        await GetAsync(mgmt, p.Path("/wallet/transactions"));
    }

    [Fact]
    public async Task Patch_SetsThresholdAndRearms_NullDisables()
    {
        var p = await Factory.CreatePlatformAsync();
        using var admin = p.Admin();
        var w = await JsonAsync(await admin.PatchJsonAsync(p.Path("/wallet"), """{"low_balance_threshold": 5}"""), 200);
        Assert.Equal("5.000000", Raw(w, "low_balance_threshold"));
        Assert.True(w["low_balance_armed"]!.GetValue<bool>());
        var cleared = await JsonAsync(await admin.PatchJsonAsync(p.Path("/wallet"), """{"low_balance_threshold": null}"""), 200);
        Assert.Null(cleared["low_balance_threshold"]);
    }

    [Fact]
    public async Task WalletRoutes_Return403WrongKeyType_ForEndUserKeys()
    {
        var p = await Factory.CreatePlatformAsync();
        var u = await p.CreateEndUserAsync();
        using var eu = Factory.Client(u.Key);
        // API.md §2.8 row 17: sk-eu_ → 403 wrong_key_type.
        using var response = await eu.GetAsync(p.Path("/wallet"), Ct);
        await HttpAssert.ErrorAsync(response, 403, "wrong_key_type");
    }
}

public sealed class WalletEndpointsSqliteTests(SqliteMoneyFixture fixture) : WalletEndpointsTests(fixture), IClassFixture<SqliteMoneyFixture>;

public sealed class WalletEndpointsPostgresTests(PostgresMoneyFixture fixture) : WalletEndpointsTests(fixture), IClassFixture<PostgresMoneyFixture>;
