using System.Net.Http.Headers;
using System.Text;
using Assistiv.McpServer.Tests.Matrix;
using Assistiv.Tests.Common.Host;
using Microsoft.EntityFrameworkCore;

namespace Assistiv.McpServer.Tests.BadInput;

/// <summary>
/// Bad input on the management writes (API.md §0.1, §2.6, §5.1, §12): malformed JSON → 400, wrong types and ranges →
/// 422 naming the field, oversize bodies → 413, unknown ids → 404; nothing is written.
/// </summary>
public abstract class BadInputTests(HostFixture host)
{
    private GatewayFactory Factory => host.Factory;

    public static TheoryData<string> WriteRows() =>
        [.. MatrixRoutes.Management.Where(r => r.Method != HttpMethod.Get && r.Method != HttpMethod.Delete).Select(r => r.Row)];

    public static TheoryData<string, string> MalformedBodies()
    {
        var data = new TheoryData<string, string>();
        foreach (var row in MatrixRoutes.Management.Where(r => r.Method != HttpMethod.Get && r.Method != HttpMethod.Delete))
        {
            foreach (var body in new[] { """{"name":""", "[1,2]", "\"text\"", "42", "null", "not json" })
            {
                data.Add(row.Row, body);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(MalformedBodies))]
    public async Task Write_Returns400InvalidJson_WhenTheBodyIsNotAJsonObject(string row, string body)
    {
        var world = await MatrixWorld.GetAsync(host);
        var route = MatrixRoutes.Find(row);
        var (path, _) = await route.Build(world);
        using var admin = world.Own.Admin();
        // API.md §0.1: a body that does not parse as a JSON object → 400 invalid_json.
        (await admin.SendAsync(route.Method, path, body)).AssertError(400, "invalid_json");
    }

    [Theory]
    [MemberData(nameof(WriteRows))]
    public async Task Write_Returns413_WhenTheDeclaredBodyExceedsOneMiB(string row)
    {
        var world = await MatrixWorld.GetAsync(host);
        var route = MatrixRoutes.Find(row);
        var (path, _) = await route.Build(world);
        using var admin = world.Own.Admin();
        // API.md §12: management bodies ≤ 1 MiB (1,048,576 bytes).
        var body = "{\"pad\":\"" + new string('a', 1024 * 1024 - 9) + "\"}";
        Assert.True(Encoding.UTF8.GetByteCount(body) > 1024 * 1024);
        (await admin.SendAsync(route.Method, path, body)).AssertError(413, "payload_too_large");
    }

    [Theory]
    [MemberData(nameof(WriteRows))]
    public async Task Write_Returns413_WhenAChunkedBodyGrowsPastOneMiB(string row)
    {
        var world = await MatrixWorld.GetAsync(host);
        var route = MatrixRoutes.Find(row);
        var (path, _) = await route.Build(world);
        using var admin = world.Own.Admin();
        using var request = new HttpRequestMessage(route.Method, path)
        {
            Content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes("{\"pad\":\"" + new string('a', 1024 * 1024) + "\"}"))),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.TransferEncodingChunked = true;
        using var response = await admin.SendAsync(request, TestContext.Current.CancellationToken);
        await HttpAssert.ErrorAsync(response, 413, "payload_too_large");
    }

    [Fact]
    public async Task Write_Accepts_ABodyOfExactlyOneMiB()
    {
        var p = await Factory.CreatePlatformAsync();
        using var admin = p.Admin();
        var prefix = "{\"external_id\":\"mib\",\"pad\":\"";
        var body = prefix + new string('a', 1024 * 1024 - prefix.Length - 2) + "\"}";
        Assert.Equal(1024 * 1024, Encoding.UTF8.GetByteCount(body));
        (await admin.PostJsonAsync(p.Path("/end-users"), body)).AssertStatus(201);
    }

    [Theory]
    [InlineData("""{"settings":{"default_budget_usd":-1}}""", "settings.default_budget_usd")]
    [InlineData("""{"settings":{"default_budget_usd":0}}""", "settings.default_budget_usd")]
    [InlineData("""{"settings":{"default_budget_usd":1.0000001}}""", "settings.default_budget_usd")]
    [InlineData("""{"settings":{"default_budget_usd":"5"}}""", "settings.default_budget_usd")]
    [InlineData("""{"settings":{"default_budget_usd":1000000.000001}}""", "settings.default_budget_usd")]
    [InlineData("""{"settings":{"markup_percentage":-1}}""", "settings.markup_percentage")]
    [InlineData("""{"settings":{"markup_percentage":1001}}""", "settings.markup_percentage")]
    [InlineData("""{"settings":{"markup_percentage":"15"}}""", "settings.markup_percentage")]
    [InlineData("""{"settings":{"unknown_key":1}}""", "settings.unknown_key")]
    [InlineData("""{"settings":5}""", "settings")]
    [InlineData("""{"name":""}""", "name")]
    [InlineData("""{"name":7}""", "name")]
    [InlineData("""{"slug":"Not A Slug"}""", "slug")]
    [InlineData("""{"slug":"-x"}""", "slug")]
    [InlineData("""{"settings":{"tool_policy":{"read_only":"no"}}}""", "settings.tool_policy.read_only")]
    public async Task PatchPlatform_Returns422WithParam_AndChangesNothing(string body, string param)
    {
        var p = await Factory.CreatePlatformAsync("Bad input");
        using var admin = p.Admin();
        var before = (await admin.GetJsonAsync(p.Path())).Body;
        (await admin.PatchJsonAsync(p.Path(), body)).AssertValidation(param);
        Assert.Equal(before, (await admin.GetJsonAsync(p.Path())).Body);
    }

    [Theory]
    [InlineData("5.5", "5.500000")]
    [InlineData("0.000001", "0.000001")]
    [InlineData("1000000", "1000000.000000")]
    public async Task PatchPlatform_StoresMoneyExactly_WithSixDecimals(string amount, string rendered)
    {
        var p = await Factory.CreatePlatformAsync();
        using var admin = p.Admin();
        var r = await admin.PatchJsonAsync(p.Path(), "{\"settings\":{\"default_budget_usd\":" + amount + "}}");
        r.AssertStatus(200);
        // API.md §5.1: JSON numbers with exactly 6 fractional digits.
        Assert.Contains($"\"default_budget_usd\":{rendered}", r.Body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/budget/topup", """{"amount_usd":-1}""", "amount_usd")]
    [InlineData("/budget/topup", """{"amount_usd":0}""", "amount_usd")]
    [InlineData("/budget/topup", """{"amount_usd":0.0000001}""", "amount_usd")]
    [InlineData("/budget/topup", """{"amount_usd":1.1234567}""", "amount_usd")]
    [InlineData("/budget/topup", """{"amount_usd":"5"}""", "amount_usd")]
    [InlineData("/budget/topup", """{"amount_usd":1000001}""", "amount_usd")]
    [InlineData("/budget/topup", """{}""", "amount_usd")]
    [InlineData("/budget/debit", """{"amount_usd":-0.5}""", "amount_usd")]
    [InlineData("/budget/debit", """{"amount_usd":0}""", "amount_usd")]
    [InlineData("/budget/debit", """{"amount_usd":0.10000001}""", "amount_usd")]
    [InlineData("/budget/debit", """{"amount_usd":true}""", "amount_usd")]
    [InlineData("/budget", """{"max_usd":-1}""", "max_usd")]
    public async Task MoneyWrites_Return422WithParam_ForNegativeZeroOrOverPreciseAmounts_AndWriteNothing(string suffix, string body, string param)
    {
        var p = await Factory.CreatePlatformAsync();
        var user = await p.CreateEndUserAsync();
        using var admin = p.Admin();
        (await admin.PostJsonAsync(p.Path($"/end-users/{user.Id}/budget"), """{"max_usd":10}""")).AssertStatus(201);
        var before = (await admin.GetJsonAsync(p.Path($"/end-users/{user.Id}/budget/transactions"))).Body;
        var method = suffix == "/budget" ? HttpMethod.Patch : HttpMethod.Post;
        // API.md §5.1 / §12: JSON numbers only, ≤ 6 decimals, > 0, ≤ 1,000,000 — no silent rounding.
        (await admin.SendAsync(method, p.Path($"/end-users/{user.Id}{suffix}"), body)).AssertValidation(param);
        Assert.Equal(before, (await admin.GetJsonAsync(p.Path($"/end-users/{user.Id}/budget/transactions"))).Body);
    }

    [Theory]
    [InlineData("""{"amount":-1}""", "amount")]
    [InlineData("""{"amount":0}""", "amount")]
    [InlineData("""{"amount":0.0000001}""", "amount")]
    [InlineData("""{"amount":"1"}""", "amount")]
    public async Task WalletTopup_Returns422WithParam_ForBadAmounts(string body, string param)
    {
        var p = await Factory.CreatePlatformAsync();
        using var admin = p.Admin();
        var before = (await admin.GetJsonAsync(p.Path("/wallet"))).Json["balance"]!.ToJsonString();
        (await admin.PostJsonAsync(p.Path("/wallet/topup"), body)).AssertValidation(param);
        Assert.Equal(before, (await admin.GetJsonAsync(p.Path("/wallet"))).Json["balance"]!.ToJsonString());
    }

    [Theory]
    [InlineData("/budget")]
    [InlineData("/budget/topup")]
    [InlineData("/rate-limits")]
    public async Task UnknownEndUser_Returns404_AndWritesNothing(string suffix)
    {
        var p = await Factory.CreatePlatformAsync();
        using var admin = p.Admin();
        var body = suffix == "/rate-limits" ? """{"rpm_limit":5}""" : suffix == "/budget" ? """{"max_usd":5}""" : """{"amount_usd":5}""";
        var method = suffix == "/rate-limits" ? HttpMethod.Put : HttpMethod.Post;
        (await admin.SendAsync(method, p.Path($"/end-users/0190a000-0000-7000-8000-000000000000{suffix}"), body)).AssertError(404, "not_found");
        await using var db = Factory.Db();
        Assert.False(await db.Budgets.AnyAsync(b => b.PlatformId == p.Id, TestContext.Current.CancellationToken));
        Assert.False(await db.EndUserRateLimits.AnyAsync(b => b.PlatformId == p.Id, TestContext.Current.CancellationToken));
    }

    [Theory]
    [InlineData("""{}""", "external_id")]
    [InlineData("""{"external_id":""}""", "external_id")]
    [InlineData("""{"external_id":42}""", "external_id")]
    [InlineData("""{"external_id":"a\u0001b"}""", "external_id")]
    [InlineData("""{"external_id":"ok","display_name":""}""", "display_name")]
    [InlineData("""{"external_id":"ok","metadata":[1]}""", "metadata")]
    [InlineData("""{"external_id":"ok","rotate_keys":"yes"}""", "rotate_keys")]
    public async Task CreateEndUser_Returns422WithParam_AndWritesNothing(string body, string param)
    {
        var p = await Factory.CreatePlatformAsync();
        using var admin = p.Admin();
        (await admin.PostJsonAsync(p.Path("/end-users"), body)).AssertValidation(param);
        await using var db = Factory.Db();
        Assert.False(await db.EndUsers.AnyAsync(u => u.PlatformId == p.Id, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task CreateEndUser_Returns422_ForOverlongExternalIdOrMetadataOverTheLimits()
    {
        var p = await Factory.CreatePlatformAsync();
        using var admin = p.Admin();
        (await admin.PostJsonAsync(p.Path("/end-users"), $$"""{"external_id":"{{new string('x', 256)}}"}""")).AssertValidation("external_id");
        var manyKeys = string.Join(",", Enumerable.Range(0, 51).Select(i => $"\"k{i}\":1"));
        (await admin.PostJsonAsync(p.Path("/end-users"), "{\"external_id\":\"m\",\"metadata\":{" + manyKeys + "}}")).AssertValidation("metadata");
        (await admin.PostJsonAsync(p.Path("/end-users"), "{\"external_id\":\"m\",\"metadata\":{\"" + new string('k', 41) + "\":1}}")).AssertValidation("metadata");
        (await admin.PostJsonAsync(p.Path("/end-users"), "{\"external_id\":\"m\",\"metadata\":{\"k\":\"" + new string('v', 16 * 1024) + "\"}}")).AssertValidation("metadata");
        (await admin.PostJsonAsync(p.Path("/end-users"), $$"""{"external_id":"m","display_name":"{{new string('d', 101)}}"}""")).AssertValidation("display_name");
        Assert.Equal(0, (await admin.GetJsonAsync(p.Path("/end-users"))).Json["total"]!.GetValue<int>());
    }

    [Theory]
    [InlineData("""{"scopes":[]}""", "scopes")]
    [InlineData("""{"scopes":["owner"]}""", "scopes")]
    [InlineData("""{"scopes":["inference","inference"]}""", "scopes")]
    [InlineData("""{"scopes":"admin"}""", "scopes")]
    [InlineData("""{"name":""}""", "name")]
    [InlineData("""{"expires_at":"2020-01-01T00:00:00Z"}""", "expires_at")]
    [InlineData("""{"expires_at":"tomorrow"}""", "expires_at")]
    [InlineData("""{"tool_policy":{"read_only":true}}""", "tool_policy")]
    public async Task CreateApiKey_Returns422WithParam_AndWritesNothing(string body, string param)
    {
        var p = await Factory.CreatePlatformAsync();
        using var admin = p.Admin();
        (await admin.PostJsonAsync(p.Path("/api-keys"), body)).AssertValidation(param);
        await using var db = Factory.Db();
        // Only the platform's own admin key exists.
        Assert.Equal(1, await db.ApiKeys.CountAsync(k => k.PlatformId == p.Id, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task CreateApiKey_Returns422_WhenExpiryIsWithinSixtySeconds()
    {
        var p = await Factory.CreatePlatformAsync();
        using var admin = p.Admin();
        var soon = Factory.Time!.GetUtcNow().AddSeconds(30).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'");
        // API.md §4.2: expires_at must be > now + 60 s.
        (await admin.PostJsonAsync(p.Path("/api-keys"), $$"""{"expires_at":"{{soon}}"}""")).AssertValidation("expires_at");
    }

    [Fact]
    public async Task CreateApiKey_Returns404_ForAnotherPlatformsEndUser_AndWritesNothing()
    {
        var p = await Factory.CreatePlatformAsync();
        var other = await Factory.CreatePlatformAsync();
        var foreign = await other.CreateEndUserAsync();
        using var admin = p.Admin();
        var r = await admin.PostJsonAsync(p.Path("/api-keys"), $$"""{"end_user_id":"{{foreign.Id}}"}""");
        r.AssertError(404, "not_found");
        await using var db = Factory.Db();
        Assert.Equal(1, await db.ApiKeys.CountAsync(k => k.EndUserId == foreign.Id, TestContext.Current.CancellationToken));
    }

    [Theory]
    [InlineData("/api-keys/not-a-uuid", """{"tool_policy":5}""", "tool_policy")]
    [InlineData("/end-users/not-a-uuid", """{"display_name":5}""", "display_name")]
    [InlineData("/end-users/not-a-uuid/rate-limits", """{"tpm_limit":0}""", "tpm_limit")]
    public async Task Patch_ValidatesBeforeTheResourceLookup(string suffix, string body, string param)
    {
        var p = await Factory.CreatePlatformAsync();
        using var admin = p.Admin();
        // API.md §2.6 / §12: validation (422) → resource lookup (404; malformed path ids are 404 at that step).
        (await admin.PatchJsonAsync(p.Path(suffix), body)).AssertValidation(param);
    }

    [Fact]
    public async Task UnknownRoute_Returns404_AndWrongMethod405WithAllow()
    {
        var p = await Factory.CreatePlatformAsync();
        using var admin = p.Admin();
        (await admin.GetJsonAsync(p.Path("/no-such-thing"))).AssertError(404, "not_found");
        var r = await admin.SendAsync(HttpMethod.Delete, p.Path("/logs"));
        // API.md §1.1: known route, wrong method → 405 method_not_allowed with Allow.
        r.AssertError(405, "method_not_allowed");
        Assert.Equal("GET", r.Header("Allow"));
    }
}

public sealed class BadInputSqliteTests(SqliteHost host) : BadInputTests(host), IClassFixture<SqliteHost>;

public sealed class BadInputPostgresTests(PostgresHost host) : BadInputTests(host), IClassFixture<PostgresHost>;
