using System.Text.Json.Nodes;
using Assistiv.McpServer.Tests.Matrix;
using Assistiv.Tests.Common.Host;
using Microsoft.EntityFrameworkCore;

namespace Assistiv.McpServer.Tests.RateLimits;

/// <summary>API.md §4.8 rate-limit configuration, §4.10 <c>/v1/me/rate-limits</c>, §4.13 aliases.</summary>
public abstract class RateLimitsTests(HostFixture host)
{
    private GatewayFactory Factory => host.Factory;

    [Fact]
    public async Task PlatformDefault_IsAllNullWithNullUpdatedAt_AtStart()
    {
        var p = await Factory.CreatePlatformAsync();
        using var admin = p.Admin();
        var r = await admin.GetJsonAsync(p.Path("/rate-limits"));
        r.AssertStatus(200);
        // API.md §4.8: { rpm_limit, tpm_limit, rpd_limit, updated_at|null }, all null at start.
        AssertFields(r.Json, "rpm_limit", "tpm_limit", "rpd_limit", "updated_at");
        Assert.Null(r.Json["rpm_limit"]);
        Assert.Null(r.Json["tpm_limit"]);
        Assert.Null(r.Json["rpd_limit"]);
        Assert.Null(r.Json["updated_at"]);
    }

    [Fact]
    public async Task PutPlatformDefault_ReplacesAllFields_OmittedBecomesNull()
    {
        var p = await Factory.CreatePlatformAsync();
        using var admin = p.Admin();
        (await admin.PutJsonAsync(p.Path("/rate-limits"), """{"rpm_limit":60,"tpm_limit":50000,"rpd_limit":1000}""")).AssertStatus(200);
        var r = await admin.PutJsonAsync(p.Path("/rate-limits"), """{"rpm_limit":30}""");
        r.AssertStatus(200);
        Assert.Equal(30, r.Json["rpm_limit"]!.GetValue<int>());
        // API.md §4.8: full replacement; an omitted field = null.
        Assert.Null(r.Json["tpm_limit"]);
        Assert.Null(r.Json["rpd_limit"]);
        Assert.Equal(Factory.Time!.GetUtcNow().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'"), r.Json["updated_at"]!.GetValue<string>());
        var get = await admin.GetJsonAsync(p.Path("/rate-limits"));
        Assert.Equal(r.Body, get.Body);
    }

    [Theory]
    [InlineData("""{"rpm_limit":0}""", "rpm_limit")]
    [InlineData("""{"rpm_limit":-1}""", "rpm_limit")]
    [InlineData("""{"rpm_limit":1.5}""", "rpm_limit")]
    [InlineData("""{"rpm_limit":"60"}""", "rpm_limit")]
    [InlineData("""{"rpm_limit":1000001}""", "rpm_limit")]
    [InlineData("""{"tpm_limit":100000001}""", "tpm_limit")]
    [InlineData("""{"rpd_limit":100000001}""", "rpd_limit")]
    [InlineData("""{"rpd_limit":true}""", "rpd_limit")]
    public async Task PutPlatformDefault_Returns422WithParam_WhenLimitOutOfRangeOrWrongType(string body, string param)
    {
        var p = await Factory.CreatePlatformAsync();
        using var admin = p.Admin();
        var r = await admin.PutJsonAsync(p.Path("/rate-limits"), body);
        // API.md §12: integer ≥ 1 or null; ≤ 1,000,000 / 100,000,000 / 100,000,000.
        r.AssertValidation(param);
        Assert.Null((await admin.GetJsonAsync(p.Path("/rate-limits"))).Json["updated_at"]);
    }

    [Fact]
    public async Task PutPlatformDefault_AcceptsUpperBounds()
    {
        var p = await Factory.CreatePlatformAsync();
        using var admin = p.Admin();
        var r = await admin.PutJsonAsync(p.Path("/rate-limits"), """{"rpm_limit":1000000,"tpm_limit":100000000,"rpd_limit":100000000}""");
        r.AssertStatus(200);
        Assert.Equal(100_000_000, r.Json["tpm_limit"]!.GetValue<int>());
    }

    [Fact]
    public async Task EndUserLimits_ResolveToNone_WithoutDefaultOrOverride()
    {
        var p = await Factory.CreatePlatformAsync();
        var user = await p.CreateEndUserAsync();
        using var admin = p.Admin();
        var r = await admin.GetJsonAsync(p.Path($"/end-users/{user.Id}/rate-limits"));
        r.AssertStatus(200);
        AssertFields(r.Json, "end_user_id", "override", "effective");
        Assert.Equal(user.Id.ToString(), r.Json["end_user_id"]!.GetValue<string>());
        Assert.Null(r.Json["override"]);
        var e = r.Json["effective"]!;
        AssertFields(e, "rpm_limit", "tpm_limit", "rpd_limit", "resolution", "sources");
        Assert.Equal("none", e["resolution"]!.GetValue<string>());
        Assert.Equal("none", e["sources"]!["rpm_limit"]!.GetValue<string>());
        Assert.Null(e["rpm_limit"]);
    }

    [Fact]
    public async Task EndUserLimits_ResolvePerField_OverrideThenDefault_AsInTheContractExample()
    {
        var p = await Factory.CreatePlatformAsync();
        var user = await p.CreateEndUserAsync();
        using var admin = p.Admin();
        (await admin.PutJsonAsync(p.Path("/rate-limits"), """{"rpm_limit":60,"rpd_limit":10000}""")).AssertStatus(200);
        var r = await admin.PutJsonAsync(p.Path($"/end-users/{user.Id}/rate-limits"), """{"rpm_limit":600,"tpm_limit":250000}""");
        r.AssertStatus(200);
        // API.md §4.8 example: override {600, 250000, null} + default rpd 10000 → explicit, explicit, default.
        var o = r.Json["override"]!;
        AssertFields(o, "rpm_limit", "tpm_limit", "rpd_limit", "updated_at");
        Assert.Equal(600, o["rpm_limit"]!.GetValue<int>());
        Assert.Equal(250000, o["tpm_limit"]!.GetValue<int>());
        Assert.Null(o["rpd_limit"]);
        var e = r.Json["effective"]!;
        Assert.Equal(600, e["rpm_limit"]!.GetValue<int>());
        Assert.Equal(250000, e["tpm_limit"]!.GetValue<int>());
        Assert.Equal(10000, e["rpd_limit"]!.GetValue<int>());
        Assert.Equal("explicit", e["resolution"]!.GetValue<string>());
        Assert.Equal("explicit", e["sources"]!["rpm_limit"]!.GetValue<string>());
        Assert.Equal("explicit", e["sources"]!["tpm_limit"]!.GetValue<string>());
        Assert.Equal("default", e["sources"]!["rpd_limit"]!.GetValue<string>());
        Assert.Equal(r.Body, (await admin.GetJsonAsync(p.Path($"/end-users/{user.Id}/rate-limits"))).Body);
    }

    [Fact]
    public async Task EndUserLimits_ResolveToDefault_WhenOnlyThePlatformDefaultIsSet()
    {
        var p = await Factory.CreatePlatformAsync();
        var user = await p.CreateEndUserAsync();
        using var admin = p.Admin();
        await admin.PutJsonAsync(p.Path("/rate-limits"), """{"tpm_limit":5000}""");
        var e = (await admin.GetJsonAsync(p.Path($"/end-users/{user.Id}/rate-limits"))).Json["effective"]!;
        Assert.Equal("default", e["resolution"]!.GetValue<string>());
        Assert.Equal(5000, e["tpm_limit"]!.GetValue<int>());
        Assert.Equal("none", e["sources"]!["rpm_limit"]!.GetValue<string>());
        Assert.Equal("default", e["sources"]!["tpm_limit"]!.GetValue<string>());
    }

    [Fact]
    public async Task PutOverride_WithAllNull_RemovesTheOverride()
    {
        var p = await Factory.CreatePlatformAsync();
        var user = await p.CreateEndUserAsync();
        using var admin = p.Admin();
        (await admin.PutJsonAsync(p.Path($"/end-users/{user.Id}/rate-limits"), """{"rpm_limit":5}""")).AssertStatus(200);
        var r = await admin.PutJsonAsync(p.Path($"/end-users/{user.Id}/rate-limits"), """{"rpm_limit":null,"tpm_limit":null}""");
        r.AssertStatus(200);
        Assert.Null(r.Json["override"]);
        Assert.Equal("none", r.Json["effective"]!["resolution"]!.GetValue<string>());
    }

    [Fact]
    public async Task PostOverride_IsAnAliasOfPut()
    {
        var p = await Factory.CreatePlatformAsync();
        var user = await p.CreateEndUserAsync();
        using var admin = p.Admin();
        await admin.PutJsonAsync(p.Path($"/end-users/{user.Id}/rate-limits"), """{"rpm_limit":5,"rpd_limit":7}""");
        var r = await admin.PostJsonAsync(p.Path($"/end-users/{user.Id}/rate-limits"), """{"tpm_limit":9}""");
        r.AssertStatus(200);
        // API.md §4.13: POST ≡ PUT, so the omitted fields become null.
        Assert.Null(r.Json["override"]!["rpm_limit"]);
        Assert.Equal(9, r.Json["override"]!["tpm_limit"]!.GetValue<int>());
        Assert.Null(r.Json["override"]!["rpd_limit"]);
    }

    [Fact]
    public async Task PatchOverride_ChangesOnlyTheGivenFields()
    {
        var p = await Factory.CreatePlatformAsync();
        var user = await p.CreateEndUserAsync();
        using var admin = p.Admin();
        await admin.PutJsonAsync(p.Path($"/end-users/{user.Id}/rate-limits"), """{"rpm_limit":5,"rpd_limit":7}""");
        var r = await admin.PatchJsonAsync(p.Path($"/end-users/{user.Id}/rate-limits"), """{"tpm_limit":9,"rpd_limit":null}""");
        r.AssertStatus(200);
        Assert.Equal(5, r.Json["override"]!["rpm_limit"]!.GetValue<int>());
        Assert.Equal(9, r.Json["override"]!["tpm_limit"]!.GetValue<int>());
        Assert.Null(r.Json["override"]!["rpd_limit"]);
    }

    [Fact]
    public async Task PatchOverride_CreatesOne_WhenNoneExists()
    {
        var p = await Factory.CreatePlatformAsync();
        var user = await p.CreateEndUserAsync();
        using var admin = p.Admin();
        var r = await admin.PatchJsonAsync(p.Path($"/end-users/{user.Id}/rate-limits"), """{"rpd_limit":3}""");
        r.AssertStatus(200);
        Assert.Equal(3, r.Json["override"]!["rpd_limit"]!.GetValue<int>());
        Assert.Null(r.Json["override"]!["rpm_limit"]);
    }

    [Fact]
    public async Task DeleteOverride_Returns204_WithOrWithoutAnOverride()
    {
        var p = await Factory.CreatePlatformAsync();
        var user = await p.CreateEndUserAsync();
        using var admin = p.Admin();
        await admin.PutJsonAsync(p.Path($"/end-users/{user.Id}/rate-limits"), """{"rpm_limit":5}""");
        (await admin.DeleteJsonAsync(p.Path($"/end-users/{user.Id}/rate-limits"))).AssertStatus(204);
        (await admin.DeleteJsonAsync(p.Path($"/end-users/{user.Id}/rate-limits"))).AssertStatus(204);
        Assert.Null((await admin.GetJsonAsync(p.Path($"/end-users/{user.Id}/rate-limits"))).Json["override"]);
    }

    [Theory]
    [InlineData("GET")]
    [InlineData("PUT")]
    [InlineData("POST")]
    [InlineData("PATCH")]
    [InlineData("DELETE")]
    public async Task OverrideRoutes_Return404_ForUnknownMalformedOrForeignEndUser(string method)
    {
        var p = await Factory.CreatePlatformAsync();
        var other = await Factory.CreatePlatformAsync();
        var foreign = await other.CreateEndUserAsync();
        using var admin = p.Admin();
        foreach (var id in new[] { foreign.Id.ToString(), "0190a000-0000-7000-8000-000000000000", "not-a-uuid" })
        {
            var r = await admin.SendAsync(new HttpMethod(method), p.Path($"/end-users/{id}/rate-limits"), method is "GET" or "DELETE" ? null : """{"rpm_limit":5}""");
            // API.md §2.6: ids resolve within the key's platform; otherwise 404 (never 403), no existence leak.
            r.AssertError(404, "not_found");
        }

        await using var db = Factory.Db();
        Assert.False(await db.EndUserRateLimits.AnyAsync(x => x.EndUserId == foreign.Id, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task PutOverride_ValidatesBeforeLookingUpTheEndUser()
    {
        var p = await Factory.CreatePlatformAsync();
        using var admin = p.Admin();
        // API.md §2.6: validation (422) comes before resource lookup (404).
        var r = await admin.PutJsonAsync(p.Path("/end-users/not-a-uuid/rate-limits"), """{"rpm_limit":0}""");
        r.AssertValidation("rpm_limit");
    }

    [Fact]
    public async Task DeletingTheEndUser_RemovesItsOverride()
    {
        var p = await Factory.CreatePlatformAsync();
        var user = await p.CreateEndUserAsync();
        using var admin = p.Admin();
        await admin.PutJsonAsync(p.Path($"/end-users/{user.Id}/rate-limits"), """{"rpm_limit":5}""");
        (await admin.DeleteJsonAsync(p.Path($"/end-users/{user.Id}"))).AssertStatus(204);
        await using var db = Factory.Db();
        // API.md §4.4: DELETE E deletes the rate-limit override.
        Assert.False(await db.EndUserRateLimits.AnyAsync(x => x.EndUserId == user.Id, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task MeRateLimits_ShowsEffectiveLimitsSourcesAndRemaining()
    {
        var p = await Factory.CreatePlatformAsync();
        var user = await p.CreateEndUserAsync();
        using var admin = p.Admin();
        await admin.PutJsonAsync(p.Path("/rate-limits"), """{"rpd_limit":10000}""");
        await admin.PutJsonAsync(p.Path($"/end-users/{user.Id}/rate-limits"), """{"rpm_limit":600}""");
        using var me = Factory.Client(user.Key);
        var r = await me.GetJsonAsync("/v1/me/rate-limits");
        r.AssertStatus(200);
        // API.md §4.10: { rpm_limit, tpm_limit, rpd_limit, resolution, sources, remaining{requests_minute,tokens_minute,requests_day} }.
        AssertFields(r.Json, "rpm_limit", "tpm_limit", "rpd_limit", "resolution", "sources", "remaining");
        Assert.Equal(600, r.Json["rpm_limit"]!.GetValue<int>());
        Assert.Null(r.Json["tpm_limit"]);
        Assert.Equal(10000, r.Json["rpd_limit"]!.GetValue<int>());
        Assert.Equal("explicit", r.Json["resolution"]!.GetValue<string>());
        AssertFields(r.Json["sources"]!, "rpm_limit", "tpm_limit", "rpd_limit");
        Assert.Equal("default", r.Json["sources"]!["rpd_limit"]!.GetValue<string>());
        var remaining = r.Json["remaining"]!;
        AssertFields(remaining, "requests_minute", "tokens_minute", "requests_day");
        // Nothing is counted until inference exists: remaining = the limit, null when unlimited (§4.10).
        Assert.Equal(600, remaining["requests_minute"]!.GetValue<int>());
        Assert.Null(remaining["tokens_minute"]);
        Assert.Equal(10000, remaining["requests_day"]!.GetValue<int>());
    }

    [Fact]
    public async Task ConcurrentFirstWrites_OfOneOverride_AllSucceed_AndLeaveOneRow()
    {
        var p = await Factory.CreatePlatformAsync();
        var user = await p.CreateEndUserAsync();
        using var admin = p.Admin();
        var results = await Task.WhenAll(Enumerable.Range(1, 10).Select(i =>
            admin.PutJsonAsync(p.Path($"/end-users/{user.Id}/rate-limits"), $$"""{"rpm_limit":{{i}}}""")));
        Assert.All(results, r => r.AssertStatus(200));
        await using var db = Factory.Db();
        Assert.Equal(1, await db.EndUserRateLimits.CountAsync(x => x.EndUserId == user.Id, TestContext.Current.CancellationToken));
        var platformResults = await Task.WhenAll(Enumerable.Range(1, 10).Select(i =>
            admin.PutJsonAsync(p.Path("/rate-limits"), $$"""{"rpd_limit":{{i}}}""")));
        Assert.All(platformResults, r => r.AssertStatus(200));
        Assert.Equal(1, await db.PlatformRateLimits.CountAsync(x => x.PlatformId == p.Id, TestContext.Current.CancellationToken));
    }

    internal static void AssertFields(JsonNode node, params string[] names) =>
        Assert.Equal(names.Order(StringComparer.Ordinal), node.AsObject().Select(p => p.Key).Order(StringComparer.Ordinal));
}

public sealed class RateLimitsSqliteTests(SqliteHost host) : RateLimitsTests(host), IClassFixture<SqliteHost>;

public sealed class RateLimitsPostgresTests(PostgresHost host) : RateLimitsTests(host), IClassFixture<PostgresHost>;
