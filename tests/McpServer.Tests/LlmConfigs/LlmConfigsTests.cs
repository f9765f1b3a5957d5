using Assistiv.McpServer.Tests.Matrix;
using Assistiv.McpServer.Tests.RateLimits;
using Assistiv.Platform.LlmConfigs;
using Assistiv.Tests.Common.Host;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Assistiv.McpServer.Tests.LlmConfigs;

/// <summary>API.md §4.3 LLM provider configs (write-only secret, encrypted; catalogue slugs of §6.1; §1.8 base_url).</summary>
public abstract class LlmConfigsTests(HostFixture host)
{
    private const string SecretKey = "sk-proj-SECRETVALUE-abcdefghijklmnop-WXYZ";

    private GatewayFactory Factory => host.Factory;

    [Fact]
    public async Task Create_Returns201_WithTheDocumentedObjectAndDefaults()
    {
        var p = await Factory.CreatePlatformAsync();
        using var admin = p.Admin();
        var r = await admin.PostJsonAsync(p.Path("/llm-configs"), $$"""{"provider":"openai","api_key":"{{SecretKey}}"}""");
        r.AssertStatus(201);
        var c = r.Json;
        // API.md §4.3 object.
        RateLimitsTests.AssertFields(c, "id", "platform_id", "provider", "provider_id", "name", "base_url", "priority", "is_default",
            "is_active", "models", "api_key_hint", "last_error", "created_at", "updated_at");
        Assert.Equal(p.Id.ToString(), c["platform_id"]!.GetValue<string>());
        Assert.Equal("openai", c["provider"]!.GetValue<string>());
        Assert.Equal("openai", c["provider_id"]!.GetValue<string>());
        Assert.Equal("OpenAI", c["name"]!.GetValue<string>());
        Assert.Null(c["base_url"]);
        Assert.Equal(100, c["priority"]!.GetValue<int>());
        Assert.False(c["is_default"]!.GetValue<bool>());
        Assert.True(c["is_active"]!.GetValue<bool>());
        Assert.Null(c["models"]);
        // API.md §3.2: at most a hint, "…" + last 4 characters.
        Assert.Equal("…WXYZ", c["api_key_hint"]!.GetValue<string>());
        Assert.Null(c["last_error"]);
        Assert.Matches("^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", c["id"]!.GetValue<string>());
    }

    [Fact]
    public async Task ApiKey_IsNeverReturned_AndStoredEncrypted()
    {
        var p = await Factory.CreatePlatformAsync();
        using var admin = p.Admin();
        var r = await admin.PostJsonAsync(p.Path("/llm-configs"), $$"""{"provider":"anthropic","api_key":"{{SecretKey}}","name":"Claude"}""");
        r.AssertStatus(201);
        Assert.DoesNotContain("SECRETVALUE", r.Body, StringComparison.Ordinal);
        var list = await admin.GetJsonAsync(p.Path("/llm-configs"));
        Assert.DoesNotContain("SECRETVALUE", list.Body, StringComparison.Ordinal);

        await using var db = Factory.Db();
        var row = await db.LlmConfigs.AsNoTracking().SingleAsync(x => x.PlatformId == p.Id, TestContext.Current.CancellationToken);
        Assert.NotNull(row.ApiKeyProtected);
        Assert.DoesNotContain("SECRETVALUE", row.ApiKeyProtected, StringComparison.Ordinal);
        // The stored value decrypts back with the llm-config purpose (API.md §3.2).
        Assert.Equal(SecretKey, Factory.Services.GetRequiredService<LlmConfigService>().RevealApiKey(row));
    }

    [Fact]
    public async Task Create_AcceptsAllDocumentedFields()
    {
        var p = await Factory.CreatePlatformAsync();
        using var admin = p.Admin();
        var r = await admin.PostJsonAsync(p.Path("/llm-configs"), """
            {"provider_id":"openai_compatible","api_key":"k-123456789","base_url":"https://llm.example.com/v1/","name":" Local ",
             "priority":0,"is_default":true,"is_active":false,
             "models":["gpt-4o-mini",{"slug":"gpt-4o","provider_model_id":"my-gpt4o"}]}
            """);
        r.AssertStatus(201);
        Assert.Equal("openai_compatible", r.Json["provider"]!.GetValue<string>());
        Assert.Equal("https://llm.example.com/v1", r.Json["base_url"]!.GetValue<string>());
        Assert.Equal("Local", r.Json["name"]!.GetValue<string>());
        Assert.Equal(0, r.Json["priority"]!.GetValue<int>());
        Assert.True(r.Json["is_default"]!.GetValue<bool>());
        Assert.False(r.Json["is_active"]!.GetValue<bool>());
        var models = r.Json["models"]!.AsArray();
        Assert.Equal(2, models.Count);
        Assert.Equal("gpt-4o-mini", models[0]!["slug"]!.GetValue<string>());
        Assert.Null(models[0]!["provider_model_id"]);
        Assert.Equal("my-gpt4o", models[1]!["provider_model_id"]!.GetValue<string>());
    }

    [Fact]
    public async Task Create_AcceptsMockWithoutApiKey_WhenTheMockProviderIsEnabled()
    {
        var p = await Factory.CreatePlatformAsync();
        using var admin = p.Admin();
        var r = await admin.PostJsonAsync(p.Path("/llm-configs"), """{"provider":"mock","models":["mock-1","mock-16"]}""");
        r.AssertStatus(201);
        Assert.Null(r.Json["api_key_hint"]);
        Assert.Equal("Mock", r.Json["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task Create_RefusesMock_WhenTheMockProviderIsDisabled()
    {
        var factory = await host.NewFactoryAsync(configure: f => f.With("Gateway:EnableMockProvider", "false"));
        var p = await factory.CreatePlatformAsync();
        using var admin = p.Admin();
        var r = await admin.PostJsonAsync(p.Path("/llm-configs"), """{"provider":"mock"}""");
        r.AssertValidation("provider");
    }

    [Theory]
    [InlineData("""{"api_key":"k"}""", "provider")]
    [InlineData("""{"provider":"azure","api_key":"k"}""", "provider")]
    [InlineData("""{"provider":7,"api_key":"k"}""", "provider")]
    [InlineData("""{"provider_id":"nope","api_key":"k"}""", "provider_id")]
    [InlineData("""{"provider":"openai","provider_id":"xai","api_key":"k"}""", "provider_id")]
    [InlineData("""{"provider":"openai"}""", "api_key")]
    [InlineData("""{"provider":"openai","api_key":""}""", "api_key")]
    [InlineData("""{"provider":"openai","api_key":123}""", "api_key")]
    [InlineData("""{"provider":"openai","api_key":"k","name":""}""", "name")]
    [InlineData("""{"provider":"openai","api_key":"k","priority":-1}""", "priority")]
    [InlineData("""{"provider":"openai","api_key":"k","priority":1001}""", "priority")]
    [InlineData("""{"provider":"openai","api_key":"k","priority":"1"}""", "priority")]
    [InlineData("""{"provider":"openai","api_key":"k","is_default":"yes"}""", "is_default")]
    [InlineData("""{"provider":"openai","api_key":"k","is_active":1}""", "is_active")]
    [InlineData("""{"provider":"openai","api_key":"k","models":["no-such-model"]}""", "models[0]")]
    [InlineData("""{"provider":"openai","api_key":"k","models":["gpt-4o",{"slug":"nope"}]}""", "models[1].slug")]
    [InlineData("""{"provider":"openai","api_key":"k","models":["gpt-4o","gpt-4o"]}""", "models[1]")]
    [InlineData("""{"provider":"openai","api_key":"k","models":[]}""", "models")]
    [InlineData("""{"provider":"openai","api_key":"k","models":"gpt-4o"}""", "models")]
    [InlineData("""{"provider":"openai","api_key":"k","models":[5]}""", "models[0]")]
    [InlineData("""{"provider":"openai_compatible","api_key":"k","models":["gpt-4o"]}""", "base_url")]
    [InlineData("""{"provider":"openai_compatible","api_key":"k","base_url":"https://x.example.com"}""", "models")]
    [InlineData("""{"provider":"openai","api_key":"k","base_url":"ftp://x.example.com"}""", "base_url")]
    [InlineData("""{"provider":"openai","api_key":"k","base_url":"/v1"}""", "base_url")]
    [InlineData("""{"provider":"openai","api_key":"k","base_url":"https://user:pw@x.example.com"}""", "base_url")]
    [InlineData("""{"provider":"openai","api_key":"k","base_url":"https://x.example.com/v1?a=b"}""", "base_url")]
    public async Task Create_Returns422WithParam_AndWritesNothing_WhenAFieldIsInvalid(string body, string param)
    {
        var p = await Factory.CreatePlatformAsync();
        using var admin = p.Admin();
        var r = await admin.PostJsonAsync(p.Path("/llm-configs"), body);
        r.AssertValidation(param);
        await using var db = Factory.Db();
        Assert.False(await db.LlmConfigs.AnyAsync(x => x.PlatformId == p.Id, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Create_RefusesPlainHttpBaseUrl_WithoutAllowPrivateTargets()
    {
        var factory = await host.NewFactoryAsync(configure: f => f.With("Gateway:Network:AllowPrivateTargets", "false"));
        var p = await factory.CreatePlatformAsync();
        using var admin = p.Admin();
        // API.md §1.8 / §4.3: http:// only with AllowPrivateTargets.
        var r = await admin.PostJsonAsync(p.Path("/llm-configs"), """{"provider":"openai","api_key":"k","base_url":"http://llm.example.com/v1"}""");
        r.AssertValidation("base_url");
    }

    [Theory]
    [InlineData("https://127.0.0.1/v1")]
    [InlineData("https://10.1.2.3")]
    [InlineData("https://172.16.0.1")]
    [InlineData("https://192.168.1.10/v1")]
    [InlineData("https://169.254.169.254/latest")]
    [InlineData("https://100.64.0.1")]
    [InlineData("https://[::1]/v1")]
    [InlineData("https://[fd00::1]")]
    [InlineData("https://[::ffff:127.0.0.1]")]
    [InlineData("https://0.0.0.0")]
    public async Task Create_RefusesPrivateTargets_WithoutAllowPrivateTargets(string baseUrl)
    {
        var factory = await host.NewFactoryAsync(configure: f => f.With("Gateway:Network:AllowPrivateTargets", "false"));
        var p = await factory.CreatePlatformAsync();
        using var admin = p.Admin();
        // API.md §1.8: a literal refused address → 422, param = the field, nothing stored.
        var r = await admin.PostJsonAsync(p.Path("/llm-configs"), $$"""{"provider":"openai_compatible","api_key":"k","base_url":"{{baseUrl}}","models":["gpt-4o"]}""");
        r.AssertValidation("base_url");
        await using var db = factory.Db();
        Assert.False(await db.LlmConfigs.AnyAsync(x => x.PlatformId == p.Id, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Create_AcceptsAPublicLiteralAddress_WithoutAllowPrivateTargets()
    {
        var factory = await host.NewFactoryAsync(configure: f => f.With("Gateway:Network:AllowPrivateTargets", "false"));
        var p = await factory.CreatePlatformAsync();
        using var admin = p.Admin();
        // A literal address needs no DNS lookup (no test reaches the internet); 93.184.215.14 is public.
        var r = await admin.PostJsonAsync(p.Path("/llm-configs"), """{"provider":"openai","api_key":"k","base_url":"https://93.184.215.14/v1"}""");
        r.AssertStatus(201);
    }

    [Fact]
    public async Task Create_AcceptsPlainHttpBaseUrl_WithAllowPrivateTargets()
    {
        var p = await Factory.CreatePlatformAsync();
        using var admin = p.Admin();
        var r = await admin.PostJsonAsync(p.Path("/llm-configs"), """{"provider":"openai_compatible","api_key":"k","base_url":"http://127.0.0.1:9/v1","models":["mock-1"]}""");
        r.AssertStatus(201);
    }

    [Fact]
    public async Task Create_Returns409_PastFiftyConfigs()
    {
        var p = await Factory.CreatePlatformAsync();
        using var admin = p.Admin();
        for (var i = 0; i < LlmConfigService.MaxPerPlatform; i++)
        {
            (await admin.PostJsonAsync(p.Path("/llm-configs"), """{"provider":"xai","api_key":"k"}""")).AssertStatus(201);
        }

        // API.md §12: ≤ 50 llm-configs per platform → 409 conflict.
        (await admin.PostJsonAsync(p.Path("/llm-configs"), """{"provider":"xai","api_key":"k"}""")).AssertError(409, "conflict");
    }

    [Fact]
    public async Task List_PagesNewestFirst_AndShowsOnlyTheCallersConfigs()
    {
        var p = await Factory.CreatePlatformAsync();
        var other = await Factory.CreatePlatformAsync();
        using var admin = p.Admin();
        using var otherAdmin = other.Admin();
        await otherAdmin.PostJsonAsync(other.Path("/llm-configs"), """{"provider":"google","api_key":"k"}""");
        var names = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            Factory.Time!.Advance(TimeSpan.FromSeconds(1));
            names.Add((await admin.PostJsonAsync(p.Path("/llm-configs"), $$"""{"provider":"openai","api_key":"k","name":"c{{i}}"}""")).Json["name"]!.GetValue<string>());
        }

        var page1 = await admin.GetJsonAsync(p.Path("/llm-configs?limit=2"));
        page1.AssertStatus(200);
        // API.md §0.2 envelope: data, total, page, limit, has_more, next_cursor; newest first.
        RateLimitsTests.AssertFields(page1.Json, "data", "total", "page", "limit", "has_more", "next_cursor");
        Assert.Equal(3, page1.Json["total"]!.GetValue<int>());
        Assert.True(page1.Json["has_more"]!.GetValue<bool>());
        Assert.Equal(["c2", "c1"], page1.Json["data"]!.AsArray().Select(x => x!["name"]!.GetValue<string>()));
        var page2 = await admin.GetJsonAsync(p.Path("/llm-configs?limit=2&page=2"));
        Assert.Equal(["c0"], page2.Json["data"]!.AsArray().Select(x => x!["name"]!.GetValue<string>()));
        Assert.False(page2.Json["has_more"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Delete_Returns204_ThenUnknownReturns404()
    {
        var p = await Factory.CreatePlatformAsync();
        using var admin = p.Admin();
        var id = (await admin.PostJsonAsync(p.Path("/llm-configs"), """{"provider":"openai","api_key":"k"}""")).Json["id"]!.GetValue<string>();
        (await admin.DeleteJsonAsync(p.Path($"/llm-configs/{id}"))).AssertStatus(204);
        (await admin.DeleteJsonAsync(p.Path($"/llm-configs/{id}"))).AssertError(404, "not_found");
        Assert.Equal(0, (await admin.GetJsonAsync(p.Path("/llm-configs"))).Json["total"]!.GetValue<int>());
    }

    [Fact]
    public async Task Delete_Returns404_ForAnotherPlatformsConfig_AndLeavesIt()
    {
        var p = await Factory.CreatePlatformAsync();
        var other = await Factory.CreatePlatformAsync();
        using var otherAdmin = other.Admin();
        var id = (await otherAdmin.PostJsonAsync(other.Path("/llm-configs"), """{"provider":"openai","api_key":"k"}""")).Json["id"]!.GetValue<string>();
        using var admin = p.Admin();
        // API.md §2.6: resolved within the key's platform → 404, never 403.
        (await admin.DeleteJsonAsync(p.Path($"/llm-configs/{id}"))).AssertError(404, "not_found");
        (await admin.DeleteJsonAsync(p.Path("/llm-configs/not-a-uuid"))).AssertError(404, "not_found");
        Assert.Equal(1, (await otherAdmin.GetJsonAsync(other.Path("/llm-configs"))).Json["total"]!.GetValue<int>());
    }
}

public sealed class LlmConfigsSqliteTests(SqliteHost host) : LlmConfigsTests(host), IClassFixture<SqliteHost>;

public sealed class LlmConfigsPostgresTests(PostgresHost host) : LlmConfigsTests(host), IClassFixture<PostgresHost>;
