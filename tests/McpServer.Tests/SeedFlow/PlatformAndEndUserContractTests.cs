using Assistiv.McpServer.Tests.Matrix;
using Assistiv.McpServer.Tests.RateLimits;
using Assistiv.Tests.Common.Host;
using Microsoft.EntityFrameworkCore;

namespace Assistiv.McpServer.Tests.SeedFlow;

/// <summary>API.md §4.1 platform object and PATCH, §4.4 end users and <c>rotate_keys</c>, §4.10 <c>GET /v1/me</c>.</summary>
public abstract class PlatformAndEndUserContractTests(HostFixture host)
{
    private GatewayFactory Factory => host.Factory;

    [Fact]
    public async Task GetPlatform_ReturnsTheDocumentedObject_WithDefaults()
    {
        var p = await Factory.CreatePlatformAsync("Acme Contract");
        using var admin = p.Admin();
        var r = await admin.GetJsonAsync(p.Path());
        r.AssertStatus(200);
        RateLimitsTests.AssertFields(r.Json, "id", "name", "slug", "settings", "is_active", "created_at", "updated_at");
        RateLimitsTests.AssertFields(r.Json["settings"]!, "default_budget_usd", "markup_percentage", "tool_policy");
        Assert.Equal("Acme Contract", r.Json["name"]!.GetValue<string>());
        Assert.Null(r.Json["settings"]!["default_budget_usd"]);
        Assert.Contains("\"markup_percentage\":0,", r.Body, StringComparison.Ordinal);
        Assert.Contains("\"tool_policy\":{\"allowed_tools\":null,\"read_only\":false}", r.Body, StringComparison.Ordinal);
        Assert.True(r.Json["is_active"]!.GetValue<bool>());
        Assert.Matches(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$", r.Json["created_at"]!.GetValue<string>());
    }

    [Fact]
    public async Task PatchPlatform_ChangesOnlyGivenFields_AndMergesSettingsKeyByKey()
    {
        var p = await Factory.CreatePlatformAsync("Patch me");
        using var admin = p.Admin();
        var slug = "patched-" + Guid.CreateVersion7().ToString("N")[..8];
        var r = await admin.PatchJsonAsync(p.Path(), "{\"slug\":\"" + slug + "\",\"settings\":{\"default_budget_usd\":5,\"markup_percentage\":15}}");
        r.AssertStatus(200);
        Assert.Equal("Patch me", r.Json["name"]!.GetValue<string>());
        Assert.Equal(slug, r.Json["slug"]!.GetValue<string>());
        Assert.Contains("\"default_budget_usd\":5.000000", r.Body, StringComparison.Ordinal);
        Assert.Contains("\"markup_percentage\":15", r.Body, StringComparison.Ordinal);

        // API.md §4.1: settings merge key by key; a key set to null returns to its default.
        var second = await admin.PatchJsonAsync(p.Path(), """{"settings":{"markup_percentage":null}}""");
        Assert.Contains("\"default_budget_usd\":5.000000", second.Body, StringComparison.Ordinal);
        Assert.Contains("\"markup_percentage\":0,", second.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PatchPlatform_Returns409Conflict_WhenTheSlugIsTaken()
    {
        var a = await Factory.CreatePlatformAsync();
        var b = await Factory.CreatePlatformAsync();
        using var bAdmin = b.Admin();
        var aSlug = (await a.Admin().GetJsonAsync(a.Path())).Json["slug"]!.GetValue<string>();
        (await bAdmin.PatchJsonAsync(b.Path(), $$"""{"slug":"{{aSlug}}"}""")).AssertError(409, "conflict");
    }

    [Fact]
    public async Task CreateEndUser_Returns201ThenTheSameUserWithAFreshKey_AndOldKeysStayValid()
    {
        var p = await Factory.CreatePlatformAsync();
        using var admin = p.Admin();
        var first = await admin.PostJsonAsync(p.Path("/end-users"), """{"external_id":"user_42","display_name":"Jane Smith","metadata":{"plan":"pro"}}""");
        first.AssertStatus(201);
        RateLimitsTests.AssertFields(first.Json, "id", "platform_id", "external_id", "display_name", "metadata", "tool_policy", "is_active",
            "created_at", "updated_at", "api_key");
        RateLimitsTests.AssertFields(first.Json["api_key"]!, "id", "key_prefix", "raw_key", "scopes", "expires_at", "created_at");
        var firstKey = first.Json["api_key"]!["raw_key"]!.GetValue<string>();
        Assert.Matches("^sk-eu_[0-9a-f]{64}$", firstKey);
        Assert.Equal(firstKey[..12], first.Json["api_key"]!["key_prefix"]!.GetValue<string>());

        var second = await admin.PostJsonAsync(p.Path("/end-users"), """{"external_id":"user_42","display_name":"Ignored"}""");
        // API.md §4.4: existing external_id → 200, same user, fresh key; display_name of a repeat call is ignored.
        second.AssertStatus(200);
        Assert.Equal(first.Json["id"]!.GetValue<string>(), second.Json["id"]!.GetValue<string>());
        Assert.Equal("Jane Smith", second.Json["display_name"]!.GetValue<string>());
        var secondKey = second.Json["api_key"]!["raw_key"]!.GetValue<string>();
        Assert.NotEqual(firstKey, secondKey);
        using var old = Factory.Client(firstKey);
        (await old.GetJsonAsync("/v1/me")).AssertStatus(200);
    }

    [Fact]
    public async Task CreateEndUser_WithRotateKeys_RevokesTheOtherKeys()
    {
        var p = await Factory.CreatePlatformAsync();
        var user = await p.CreateEndUserAsync("rotate-me");
        using var admin = p.Admin();
        var r = await admin.PostJsonAsync(p.Path("/end-users"), """{"external_id":"rotate-me","rotate_keys":true}""");
        r.AssertStatus(200);
        using var old = Factory.Client(user.Key);
        (await old.GetJsonAsync("/v1/me")).AssertError(401, "key_revoked");
        using var fresh = Factory.Client(r.Json["api_key"]!["raw_key"]!.GetValue<string>());
        var me = await fresh.GetJsonAsync("/v1/me");
        me.AssertStatus(200);
        // API.md §4.10 GET /v1/me.
        RateLimitsTests.AssertFields(me.Json, "end_user_id", "platform_id", "external_id", "display_name", "key_id", "key_prefix");
        Assert.Equal(user.Id.ToString(), me.Json["end_user_id"]!.GetValue<string>());
    }

    [Fact]
    public async Task CreateEndUser_Returns409_ForAnInactiveUser_AndMintsNothing()
    {
        var p = await Factory.CreatePlatformAsync();
        var user = await p.CreateEndUserAsync("inactive");
        using var admin = p.Admin();
        (await admin.PatchJsonAsync(p.Path($"/end-users/{user.Id}"), """{"is_active":false}""")).AssertStatus(200);
        var r = await admin.PostJsonAsync(p.Path("/end-users"), """{"external_id":"inactive"}""");
        var error = r.AssertError(409, "conflict");
        Assert.Equal("external_id", error.GetProperty("param").GetString());
        await using var db = Factory.Db();
        Assert.Equal(1, await db.ApiKeys.CountAsync(k => k.EndUserId == user.Id, TestContext.Current.CancellationToken));
    }
}

public sealed class PlatformAndEndUserContractSqliteTests(SqliteHost host) : PlatformAndEndUserContractTests(host), IClassFixture<SqliteHost>;

public sealed class PlatformAndEndUserContractPostgresTests(PostgresHost host) : PlatformAndEndUserContractTests(host), IClassFixture<PostgresHost>;
