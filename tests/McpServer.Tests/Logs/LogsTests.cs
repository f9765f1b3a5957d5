using System.Text.Json.Nodes;
using Assistiv.McpServer.Tests.Matrix;
using Assistiv.McpServer.Tests.RateLimits;
using Assistiv.Platform.UsageLogs;
using Assistiv.Tests.Common.Host;

namespace Assistiv.McpServer.Tests.Logs;

/// <summary>
/// API.md §4.9 log search (filters, cursor of §0.2), §4.13 <c>POST P/logs/search</c>, §4.10 <c>/v1/me/logs</c>. Rows are
/// inserted through the DbContext (API.md §1.7 allows it until mock calls write them).
/// </summary>
public abstract class LogsTests(HostFixture host)
{
    private static readonly DateTimeOffset T0 = new(2026, 4, 1, 0, 0, 0, TimeSpan.Zero);

    private GatewayFactory Factory => host.Factory;

    [Fact]
    public async Task LogRow_HasEveryDocumentedField_WithCostsAsSixDecimalStrings()
    {
        var p = await Factory.CreatePlatformAsync();
        var user = await p.CreateEndUserAsync();
        var row = await InsertAsync(Row(p.Id, user.Id, T0));
        using var admin = p.Admin();
        var r = await admin.GetJsonAsync(p.Path("/logs"));
        r.AssertStatus(200);
        var item = r.Json["data"]!.AsArray().Single()!;
        // API.md §4.9 log row.
        RateLimitsTests.AssertFields(item, "id", "request_id", "platform_id", "end_user_id", "api_key_id", "request_type", "model", "model_id",
            "provider_id", "llm_config_id", "provider_model_id", "prompt_tokens", "completion_tokens", "total_tokens", "cached_tokens",
            "latency_ms", "time_to_first_token_ms", "stream", "estimated_cost_usd", "billed_usd", "status", "http_status", "error_code",
            "error_message", "token_count_method", "billing_status", "response_id", "mcp_app", "mcp_tool", "fallback_count", "metadata",
            "created_at");
        Assert.Equal(row.Id.ToString(), item["id"]!.GetValue<string>());
        Assert.Equal("gpt-4o-mini", item["model"]!.GetValue<string>());
        Assert.Equal("gpt-4o-mini", item["model_id"]!.GetValue<string>());
        // API.md §5.1: log cost fields are decimal strings with 6 decimals.
        Assert.Equal("0.000006", item["estimated_cost_usd"]!.GetValue<string>());
        Assert.Equal("0.000007", item["billed_usd"]!.GetValue<string>());
        Assert.Equal("2026-04-01T00:00:00.000Z", item["created_at"]!.GetValue<string>());
        Assert.Equal("v", item["metadata"]!["k"]!.GetValue<string>());
        Assert.Null(item["time_to_first_token_ms"]);
    }

    [Fact]
    public async Task List_IsNewestFirst_AndShowsOnlyTheCallersPlatform()
    {
        var p = await Factory.CreatePlatformAsync();
        var other = await Factory.CreatePlatformAsync();
        await InsertAsync(Row(other.Id, null, T0.AddMinutes(5)));
        var a = await InsertAsync(Row(p.Id, null, T0));
        var b = await InsertAsync(Row(p.Id, null, T0.AddMinutes(1)));
        using var admin = p.Admin();
        var r = await admin.GetJsonAsync(p.Path("/logs"));
        Assert.Equal([b.Id.ToString(), a.Id.ToString()], Ids(r.Json));
        Assert.Equal(2, r.Json["total"]!.GetValue<int>());
        Assert.Equal(1, r.Json["page"]!.GetValue<int>());
        Assert.Equal(20, r.Json["limit"]!.GetValue<int>());
        Assert.False(r.Json["has_more"]!.GetValue<bool>());
        Assert.Null(r.Json["next_cursor"]);
    }

    [Fact]
    public async Task Filters_SelectExactlyTheMatchingRows()
    {
        var p = await Factory.CreatePlatformAsync();
        var u1 = await p.CreateEndUserAsync();
        var u2 = await p.CreateEndUserAsync();
        var r1 = await InsertAsync(Row(p.Id, u1.Id, T0, r => { r.Model = "gpt-4o"; r.RequestId = "req_01JT0000000000000000000001"; }));
        var r2 = await InsertAsync(Row(p.Id, u2.Id, T0.AddMinutes(1), r => { r.Status = "error"; r.RequestType = "response"; }));
        var r3 = await InsertAsync(Row(p.Id, u1.Id, T0.AddMinutes(2), r => { r.RequestType = "mcp_tool"; r.Model = null; r.McpApp = "mock"; r.McpTool = "mock_echo"; r.Status = "rejected"; }));
        using var admin = p.Admin();
        async Task<IEnumerable<string>> Q(string query) => Ids((await admin.GetJsonAsync(p.Path("/logs?" + query))).Json);

        Assert.Equal([r3.Id.ToString(), r1.Id.ToString()], await Q($"end_user_id={u1.Id}"));
        Assert.Equal([r1.Id.ToString()], await Q("model=gpt-4o"));
        Assert.Equal([r2.Id.ToString()], await Q("request_type=response"));
        Assert.Equal([r3.Id.ToString()], await Q("request_type=mcp_tool"));
        Assert.Equal([r2.Id.ToString()], await Q("status=error"));
        Assert.Equal([r1.Id.ToString()], await Q("request_id=req_01JT0000000000000000000001"));
        // API.md §4.6/§4.9: since inclusive, until exclusive.
        Assert.Equal([r2.Id.ToString()], await Q("since=2026-04-01T00:01:00.000Z&until=2026-04-01T00:02:00Z"));
        Assert.Equal([r3.Id.ToString(), r2.Id.ToString()], await Q("since=2026-04-01T00:01:00Z"));
        Assert.Equal([r1.Id.ToString()], await Q("until=2026-04-01T00:01:00Z"));
        Assert.Equal([r3.Id.ToString()], await Q($"end_user_id={u1.Id}&status=rejected"));
        var total = (await admin.GetJsonAsync(p.Path($"/logs?end_user_id={u1.Id}"))).Json["total"]!.GetValue<int>();
        Assert.Equal(2, total);
    }

    [Fact]
    public async Task EndUserFilter_NamingAnotherPlatformsUser_MatchesNothing()
    {
        var p = await Factory.CreatePlatformAsync();
        var other = await Factory.CreatePlatformAsync();
        var foreign = await other.CreateEndUserAsync();
        await InsertAsync(Row(other.Id, foreign.Id, T0));
        await InsertAsync(Row(p.Id, null, T0));
        using var admin = p.Admin();
        // API.md §2.6: a list filter naming another platform's id matches nothing.
        var r = await admin.GetJsonAsync(p.Path($"/logs?end_user_id={foreign.Id}"));
        r.AssertStatus(200);
        Assert.Empty(r.Json["data"]!.AsArray());
        Assert.Equal(0, r.Json["total"]!.GetValue<int>());
    }

    [Fact]
    public async Task Cursor_WalksEveryRowOnce_AndStaysValidWhileNewRowsArrive()
    {
        var p = await Factory.CreatePlatformAsync();
        var expected = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            // Two rows share a timestamp, so the id breaks the tie (API.md §0.2: created_at desc, then id desc).
            expected.Add((await InsertAsync(Row(p.Id, null, T0.AddSeconds(i == 4 ? 3 : i)))).Id.ToString());
        }

        using var admin = p.Admin();
        var first = await admin.GetJsonAsync(p.Path("/logs?limit=2"));
        Assert.Equal(5, first.Json["total"]!.GetValue<int>());
        Assert.True(first.Json["has_more"]!.GetValue<bool>());
        var seen = Ids(first.Json).ToList();
        var cursor = first.Json["next_cursor"]!.GetValue<string>();
        // A newer row arriving mid-walk does not shift the remaining pages.
        await InsertAsync(Row(p.Id, null, T0.AddHours(1)));
        while (cursor is not null)
        {
            var page = await admin.GetJsonAsync(p.Path($"/logs?limit=2&cursor={Uri.EscapeDataString(cursor)}&page=7"));
            page.AssertStatus(200);
            // API.md §0.2: with a cursor, page is ignored and echoed as null.
            Assert.Null(page.Json["page"]);
            Assert.Equal(6, page.Json["total"]!.GetValue<int>());
            seen.AddRange(Ids(page.Json));
            cursor = page.Json["next_cursor"]?.GetValue<string>();
            Assert.Equal(cursor is not null, page.Json["has_more"]!.GetValue<bool>());
        }

        var newestFirst = (await admin.GetJsonAsync(p.Path("/logs?limit=100"))).Json;
        Assert.Equal(Ids(newestFirst).Skip(1), seen);
        Assert.Equal(5, seen.Distinct().Count());
    }

    [Theory]
    [InlineData("cursor=not-a-cursor", "cursor")]
    [InlineData("cursor=djEuMTIzLnh5eg", "cursor")]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=101", "limit")]
    [InlineData("limit=ten", "limit")]
    [InlineData("page=0", "page")]
    [InlineData("page=-1", "page")]
    [InlineData("since=yesterday", "since")]
    [InlineData("since=2026-04-01", "since")]
    [InlineData("until=2026-04-01T00:00:00", "until")]
    [InlineData("since=2026-04-02T00:00:00Z&until=2026-04-01T00:00:00Z", "until")]
    [InlineData("since=2026-04-01T00:00:00Z&until=2026-04-01T00:00:00Z", "until")]
    [InlineData("request_type=chat", "request_type")]
    [InlineData("status=ok", "status")]
    public async Task List_Returns422WithParam_ForBadQueryValues(string query, string param)
    {
        var p = await Factory.CreatePlatformAsync();
        using var admin = p.Admin();
        (await admin.GetJsonAsync(p.Path("/logs?" + query))).AssertValidation(param);
    }

    [Fact]
    public async Task Search_TakesTheSameFiltersInABody()
    {
        var p = await Factory.CreatePlatformAsync();
        var u1 = await p.CreateEndUserAsync();
        var old = await InsertAsync(Row(p.Id, u1.Id, T0));
        var recent = await InsertAsync(Row(p.Id, u1.Id, T0.AddDays(1)));
        await InsertAsync(Row(p.Id, null, T0.AddDays(1)));
        using var admin = p.Admin();
        // README: platform.logs(pid).search({ end_user_id, since }).
        var r = await admin.PostJsonAsync(p.Path("/logs/search"), $$"""{"end_user_id":"{{u1.Id}}","since":"2026-04-01T12:00:00.000Z","limit":10}""");
        r.AssertStatus(200);
        Assert.Equal([recent.Id.ToString()], Ids(r.Json));
        var get = await admin.GetJsonAsync(p.Path($"/logs?end_user_id={u1.Id}&since=2026-04-01T12:00:00.000Z&limit=10"));
        Assert.Equal(get.Body, r.Body);
        Assert.NotEqual(old.Id.ToString(), Ids(r.Json).Single());
    }

    [Theory]
    [InlineData("""{"limit":0}""", "limit")]
    [InlineData("""{"limit":"5"}""", "limit")]
    [InlineData("""{"page":0}""", "page")]
    [InlineData("""{"status":"nope"}""", "status")]
    [InlineData("""{"since":5}""", "since")]
    [InlineData("""{"cursor":"zzz"}""", "cursor")]
    public async Task Search_Returns422WithParam_ForBadBodyValues(string body, string param)
    {
        var p = await Factory.CreatePlatformAsync();
        using var admin = p.Admin();
        (await admin.PostJsonAsync(p.Path("/logs/search"), body)).AssertValidation(param);
    }

    [Fact]
    public async Task Search_Returns400_WhenTheBodyIsNotAJsonObject()
    {
        var p = await Factory.CreatePlatformAsync();
        using var admin = p.Admin();
        (await admin.PostJsonAsync(p.Path("/logs/search"), "[1]")).AssertError(400, "invalid_json");
    }

    [Fact]
    public async Task MeLogs_ShowsOnlyTheCallersRows()
    {
        var p = await Factory.CreatePlatformAsync();
        var u1 = await p.CreateEndUserAsync();
        var u2 = await p.CreateEndUserAsync();
        var mine = await InsertAsync(Row(p.Id, u1.Id, T0));
        await InsertAsync(Row(p.Id, u2.Id, T0));
        await InsertAsync(Row(p.Id, null, T0));
        using var me = Factory.Client(u1.Key);
        var r = await me.GetJsonAsync("/v1/me/logs");
        r.AssertStatus(200);
        Assert.Equal([mine.Id.ToString()], Ids(r.Json));
        Assert.Equal(1, r.Json["total"]!.GetValue<int>());
    }

    [Fact]
    public async Task MeLogs_Returns422_ForAnEndUserFilter()
    {
        var p = await Factory.CreatePlatformAsync();
        var u1 = await p.CreateEndUserAsync();
        using var me = Factory.Client(u1.Key);
        // API.md §4.10: end_user_id filter not accepted (422).
        (await me.GetJsonAsync($"/v1/me/logs?end_user_id={u1.Id}")).AssertValidation("end_user_id");
    }

    private static IEnumerable<string> Ids(JsonNode json) => json["data"]!.AsArray().Select(x => x!["id"]!.GetValue<string>()).ToList();

    private static UsageLogRecord Row(Guid platformId, Guid? endUserId, DateTimeOffset at, Action<UsageLogRecord>? change = null)
    {
        var row = NewRow(platformId, endUserId, at);
        change?.Invoke(row);
        return row;
    }

    private static UsageLogRecord NewRow(Guid platformId, Guid? endUserId, DateTimeOffset at) => new()
    {
        Id = Guid.CreateVersion7(at),
        RequestId = "req_01JT" + Convert.ToHexString(Guid.CreateVersion7(at).ToByteArray())[..22],
        PlatformId = platformId,
        EndUserId = endUserId,
        RequestType = "chat.completion",
        Model = "gpt-4o-mini",
        ProviderId = "openai",
        ProviderModelId = "gpt-4o-mini-2024-07-18",
        PromptTokens = 12,
        CompletionTokens = 7,
        TotalTokens = 19,
        CachedTokens = 0,
        LatencyMs = 640,
        EstimatedCostMicros = 6,
        BilledMicros = 7,
        Status = "success",
        HttpStatus = 200,
        TokenCountMethod = "reported",
        BillingStatus = "billed",
        MetadataJson = """{"k":"v"}""",
        CreatedAt = at,
    };

    private async Task<UsageLogRecord> InsertAsync(UsageLogRecord row)
    {
        await using var db = Factory.Db();
        db.UsageLogs.Add(row);
        await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        return row;
    }
}

public sealed class LogsSqliteTests(SqliteHost host) : LogsTests(host), IClassFixture<SqliteHost>;

public sealed class LogsPostgresTests(PostgresHost host) : LogsTests(host), IClassFixture<PostgresHost>;
