using Assistiv.McpServer.Tests.Matrix;
using Assistiv.McpServer.Tests.RateLimits;
using Assistiv.Tests.Common.Host;
using Microsoft.EntityFrameworkCore;

namespace Assistiv.McpServer.Tests.SeedFlow;

/// <summary>API.md §4.5 <c>POST P/bootstrap</c>: one transaction, snake_case and the SDK's camelCase names.</summary>
public abstract class BootstrapTests(HostFixture host)
{
    private GatewayFactory Factory => host.Factory;

    [Fact]
    public async Task Bootstrap_CreatesUserKeyBudgetAndOverride_Returns201WithTheDocumentedShape()
    {
        var p = await Factory.CreatePlatformAsync();
        using var admin = p.Admin();
        var r = await admin.PostJsonAsync(p.Path("/bootstrap"), """
            {"external_id":"user_42","display_name":"Jane Smith","metadata":{"plan":"pro"},
             "default_budget":{"max_usd":5,"period":"monthly"},"default_rate_limit":{"rpm_limit":60,"tpm_limit":50000}}
            """);
        r.AssertStatus(201);
        // API.md §4.5 response.
        RateLimitsTests.AssertFields(r.Json, "end_user_id", "api_key", "created", "end_user", "budget", "rate_limit");
        Assert.True(r.Json["created"]!.GetValue<bool>());
        Assert.Matches("^sk-eu_[0-9a-f]{64}$", r.Json["api_key"]!.GetValue<string>());
        Assert.Equal(r.Json["end_user_id"]!.GetValue<string>(), r.Json["end_user"]!["id"]!.GetValue<string>());
        Assert.Equal("user_42", r.Json["end_user"]!["external_id"]!.GetValue<string>());
        Assert.Equal("Jane Smith", r.Json["end_user"]!["display_name"]!.GetValue<string>());
        Assert.Equal("pro", r.Json["end_user"]!["metadata"]!["plan"]!.GetValue<string>());
        Assert.Contains("\"max_usd\":5.000000", r.Body, StringComparison.Ordinal);
        Assert.Equal("monthly", r.Json["budget"]!["period"]!.GetValue<string>());
        Assert.Equal(r.Json["end_user_id"]!.GetValue<string>(), r.Json["budget"]!["end_user_id"]!.GetValue<string>());
        RateLimitsTests.AssertFields(r.Json["rate_limit"]!, "rpm_limit", "tpm_limit", "rpd_limit", "updated_at");
        Assert.Equal(60, r.Json["rate_limit"]!["rpm_limit"]!.GetValue<int>());
        Assert.Equal(50000, r.Json["rate_limit"]!["tpm_limit"]!.GetValue<int>());
        Assert.Null(r.Json["rate_limit"]!["rpd_limit"]);

        using var user = Factory.Client(r.Json["api_key"]!.GetValue<string>());
        (await user.GetJsonAsync("/v1/me/budget")).AssertStatus(200);
        Assert.Equal("explicit", (await user.GetJsonAsync("/v1/me/rate-limits")).Json["resolution"]!.GetValue<string>());
    }

    [Fact]
    public async Task Bootstrap_AcceptsTheSdkCamelCaseNames()
    {
        var p = await Factory.CreatePlatformAsync();
        using var admin = p.Admin();
        // The SDK README's bootstrap() call.
        var r = await admin.PostJsonAsync(p.Path("/bootstrap"), $$"""
            {"platformId":"{{p.Id}}","externalId":"user_42","displayName":"Jane Smith","metadata":{"plan":"pro"},
             "defaultBudget":{"max_usd":5,"period":"monthly"},"defaultRateLimit":{"rpm_limit":60,"tpm_limit":50000},"rotateKeys":false}
            """);
        r.AssertStatus(201);
        Assert.Equal("Jane Smith", r.Json["end_user"]!["display_name"]!.GetValue<string>());
        Assert.Equal(60, r.Json["rate_limit"]!["rpm_limit"]!.GetValue<int>());
        Assert.Equal("monthly", r.Json["budget"]!["period"]!.GetValue<string>());
    }

    [Fact]
    public async Task Bootstrap_Repeat_ReturnsTheSameUserWithAFreshKey_AndLeavesBudgetAndOverrideUntouched()
    {
        var p = await Factory.CreatePlatformAsync();
        using var admin = p.Admin();
        var first = await admin.PostJsonAsync(p.Path("/bootstrap"), """{"external_id":"again","default_budget":{"max_usd":5},"default_rate_limit":{"rpm_limit":60}}""");
        first.AssertStatus(201);
        var second = await admin.PostJsonAsync(p.Path("/bootstrap"), """{"external_id":"again","display_name":"x","default_budget":{"max_usd":9},"default_rate_limit":{"rpm_limit":1}}""");
        // API.md §4.5: 200 when it existed; existing budget and override returned as is (no 409).
        second.AssertStatus(200);
        Assert.False(second.Json["created"]!.GetValue<bool>());
        Assert.Equal(first.Json["end_user_id"]!.GetValue<string>(), second.Json["end_user_id"]!.GetValue<string>());
        Assert.NotEqual(first.Json["api_key"]!.GetValue<string>(), second.Json["api_key"]!.GetValue<string>());
        Assert.Equal(first.Json["budget"]!["id"]!.GetValue<string>(), second.Json["budget"]!["id"]!.GetValue<string>());
        Assert.Contains("\"max_usd\":5.000000", second.Body, StringComparison.Ordinal);
        Assert.Equal(60, second.Json["rate_limit"]!["rpm_limit"]!.GetValue<int>());
        Assert.Null(second.Json["end_user"]!["display_name"]);
        // Previous keys stay valid without rotate_keys (§4.4).
        using var old = Factory.Client(first.Json["api_key"]!.GetValue<string>());
        (await old.GetJsonAsync("/v1/me")).AssertStatus(200);
    }

    [Fact]
    public async Task Bootstrap_WithRotateKeys_RevokesTheOtherKeys()
    {
        var p = await Factory.CreatePlatformAsync();
        using var admin = p.Admin();
        var first = await admin.PostJsonAsync(p.Path("/bootstrap"), """{"external_id":"rot"}""");
        var second = await admin.PostJsonAsync(p.Path("/bootstrap"), """{"externalId":"rot","rotateKeys":true}""");
        second.AssertStatus(200);
        using var old = Factory.Client(first.Json["api_key"]!.GetValue<string>());
        (await old.GetJsonAsync("/v1/me")).AssertError(401, "key_revoked");
        using var fresh = Factory.Client(second.Json["api_key"]!.GetValue<string>());
        (await fresh.GetJsonAsync("/v1/me")).AssertStatus(200);
    }

    [Fact]
    public async Task Bootstrap_CreatesMissingBudgetAndOverride_ForAnExistingUser()
    {
        var p = await Factory.CreatePlatformAsync();
        var user = await p.CreateEndUserAsync("existing");
        using var admin = p.Admin();
        var r = await admin.PostJsonAsync(p.Path("/bootstrap"), """{"external_id":"existing","default_budget":{"max_usd":2.5,"period":"daily"},"default_rate_limit":{"rpd_limit":100}}""");
        r.AssertStatus(200);
        Assert.Equal(user.Id.ToString(), r.Json["end_user_id"]!.GetValue<string>());
        Assert.Contains("\"max_usd\":2.500000", r.Body, StringComparison.Ordinal);
        Assert.Equal(100, r.Json["rate_limit"]!["rpd_limit"]!.GetValue<int>());
    }

    [Fact]
    public async Task Bootstrap_WithoutDefaultBudget_UsesThePlatformDefault_ForANewUserOnly()
    {
        var p = await Factory.CreatePlatformAsync();
        var existing = await p.CreateEndUserAsync("before-default");
        using var admin = p.Admin();
        (await admin.PatchJsonAsync(p.Path(), """{"settings":{"default_budget_usd":3}}""")).AssertStatus(200);
        var created = await admin.PostJsonAsync(p.Path("/bootstrap"), """{"external_id":"after-default"}""");
        // API.md §4.4 rule: a monthly budget of default_budget_usd, auto_replenish false.
        Assert.Contains("\"max_usd\":3.000000", created.Body, StringComparison.Ordinal);
        Assert.Equal("monthly", created.Json["budget"]!["period"]!.GetValue<string>());
        Assert.False(created.Json["budget"]!["auto_replenish"]!.GetValue<bool>());
        Assert.Null(created.Json["rate_limit"]);
        var again = await admin.PostJsonAsync(p.Path("/bootstrap"), """{"external_id":"before-default"}""");
        again.AssertStatus(200);
        Assert.Equal(existing.Id.ToString(), again.Json["end_user_id"]!.GetValue<string>());
        Assert.Null(again.Json["budget"]);
    }

    [Fact]
    public async Task Bootstrap_Returns409_ForAnInactiveUser_AndMintsNothing()
    {
        var p = await Factory.CreatePlatformAsync();
        var user = await p.CreateEndUserAsync("off");
        using var admin = p.Admin();
        await admin.PatchJsonAsync(p.Path($"/end-users/{user.Id}"), """{"is_active":false}""");
        var r = await admin.PostJsonAsync(p.Path("/bootstrap"), """{"external_id":"off","default_budget":{"max_usd":5},"default_rate_limit":{"rpm_limit":5}}""");
        Assert.Equal("external_id", r.AssertError(409, "conflict").GetProperty("param").GetString());
        await using var db = Factory.Db();
        Assert.Equal(1, await db.ApiKeys.CountAsync(k => k.EndUserId == user.Id, TestContext.Current.CancellationToken));
        Assert.False(await db.Budgets.AnyAsync(b => b.EndUserId == user.Id, TestContext.Current.CancellationToken));
        Assert.False(await db.EndUserRateLimits.AnyAsync(x => x.EndUserId == user.Id, TestContext.Current.CancellationToken));
    }

    [Theory]
    [InlineData("""{}""", "external_id")]
    [InlineData("""{"external_id":""}""", "external_id")]
    [InlineData("""{"externalId":5}""", "externalId")]
    [InlineData("""{"external_id":"a","externalId":"b"}""", "externalId")]
    [InlineData("""{"external_id":"v","platform_id":"0190a000-0000-7000-8000-000000000000"}""", "platform_id")]
    [InlineData("""{"external_id":"v","platformId":"nope"}""", "platformId")]
    [InlineData("""{"external_id":"v","default_budget":{"period":"monthly"}}""", "default_budget.max_usd")]
    [InlineData("""{"external_id":"v","defaultBudget":{"max_usd":-1}}""", "defaultBudget.max_usd")]
    [InlineData("""{"external_id":"v","default_budget":{"max_usd":1.0000001}}""", "default_budget.max_usd")]
    [InlineData("""{"external_id":"v","default_budget":{"max_usd":"5"}}""", "default_budget.max_usd")]
    [InlineData("""{"external_id":"v","default_budget":{"max_usd":5,"period":"weekly"}}""", "default_budget.period")]
    [InlineData("""{"external_id":"v","default_budget":{"max_usd":5,"auto_replenish":true}}""", "default_budget.auto_replenish")]
    [InlineData("""{"external_id":"v","default_budget":{"max_usd":5,"period":"monthly","auto_replenish":true}}""", "default_budget.replenish_amount")]
    [InlineData("""{"external_id":"v","default_budget":5}""", "default_budget")]
    [InlineData("""{"external_id":"v","default_rate_limit":{"rpm_limit":0}}""", "default_rate_limit.rpm_limit")]
    [InlineData("""{"external_id":"v","defaultRateLimit":{"tpm_limit":"9"}}""", "defaultRateLimit.tpm_limit")]
    [InlineData("""{"external_id":"v","rotate_keys":"yes"}""", "rotate_keys")]
    [InlineData("""{"external_id":"v","metadata":[]}""", "metadata")]
    public async Task Bootstrap_Returns422WithParam_AndWritesNothing(string body, string param)
    {
        var p = await Factory.CreatePlatformAsync();
        using var admin = p.Admin();
        // API.md §4.5: validation errors in any part fail the whole call (422, nothing written).
        (await admin.PostJsonAsync(p.Path("/bootstrap"), body)).AssertValidation(param);
        await using var db = Factory.Db();
        Assert.False(await db.EndUsers.AnyAsync(u => u.PlatformId == p.Id, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Bootstrap_WithIdempotencyKey_ReplaysTheSameRawKey_AndMintsOnce()
    {
        var p = await Factory.CreatePlatformAsync();
        using var admin = p.Admin();
        const string body = """{"externalId":"idem","defaultBudget":{"max_usd":5}}""";
        var first = await admin.PostJsonAsync(p.Path("/bootstrap"), body, "boot-1");
        var second = await admin.PostJsonAsync(p.Path("/bootstrap"), body, "boot-1");
        Assert.Equal(201, second.Status);
        Assert.Equal("true", second.Header("Idempotent-Replayed"));
        Assert.Equal(first.Body, second.Body);
        var id = Guid.Parse(first.Json["end_user_id"]!.GetValue<string>());
        await using var db = Factory.Db();
        Assert.Equal(1, await db.ApiKeys.CountAsync(k => k.EndUserId == id, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task ConcurrentBootstraps_OfOneExternalId_MakeOneUserAndOneBudget()
    {
        var p = await Factory.CreatePlatformAsync();
        using var admin = p.Admin();
        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ =>
            admin.PostJsonAsync(p.Path("/bootstrap"), """{"external_id":"racer","default_budget":{"max_usd":5},"default_rate_limit":{"rpm_limit":5}}""")));
        Assert.All(results, r => Assert.True(r.Status is 200 or 201, r.Body));
        Assert.Single(results, r => r.Status == 201);
        Assert.Single(results.Select(r => r.Json["end_user_id"]!.GetValue<string>()).Distinct());
        Assert.Single(results.Select(r => r.Json["budget"]!["id"]!.GetValue<string>()).Distinct());
        var id = Guid.Parse(results[0].Json["end_user_id"]!.GetValue<string>());
        await using var db = Factory.Db();
        Assert.Equal(1, await db.Budgets.CountAsync(b => b.EndUserId == id, TestContext.Current.CancellationToken));
        Assert.Equal(8, await db.ApiKeys.CountAsync(k => k.EndUserId == id, TestContext.Current.CancellationToken));
    }
}

public sealed class BootstrapSqliteTests(SqliteHost host) : BootstrapTests(host), IClassFixture<SqliteHost>;

public sealed class BootstrapPostgresTests(PostgresHost host) : BootstrapTests(host), IClassFixture<PostgresHost>;
