using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Assistiv.Platform.Storage;
using Assistiv.Tests.Common.Host;
using Assistiv.Tests.Mcp;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Assistiv.McpServer.Tests.Mcp;

/// <summary>
/// <c>/mcp</c> over the real <c>connectors.json</c> catalogue, visibility function and tool broker (the OAuth broker's
/// seams faked: <c>mock</c> connected, others not): tool lists per policy (API.md §8.4, §8.7) and calls (§8.5).
/// </summary>
public sealed class McpCatalogueTests(CatalogueMcpHostFixture host) : IClassFixture<CatalogueMcpHostFixture>
{
    // API.md §8.3, table order within each app; §8.4: apps alphabetically.
    private static readonly string[] s_github =
    [
        "github_get_me", "github_search_repositories", "github_get_file_contents", "github_list_issues", "github_search_issues",
        "github_issue_read", "github_issue_write", "github_add_issue_comment", "github_list_pull_requests", "github_pull_request_read",
        "github_create_pull_request", "github_create_branch", "github_dispatch_workflow", "github_create_gist",
    ];

    // API.md §8.3: the GitHub tools with annotation set R.
    private static readonly string[] s_githubReadOnly =
    [
        "github_get_me", "github_search_repositories", "github_get_file_contents", "github_list_issues", "github_search_issues",
        "github_issue_read", "github_list_pull_requests", "github_pull_request_read",
    ];

    private static readonly string[] s_mock = ["mock_echo", "mock_fail"];

    [Fact]
    public async Task ToolsList_IsTheCatalogueOfTheActivatedApps_InListOrder()
    {
        var (_, user) = await host.UserAsync("mock", "github");
        string[] expected = [.. s_github, .. s_mock];
        Assert.Equal(expected, await ListAsync(user.Key));
        Assert.Equal(s_github, await ListAsync(user.Key, "/mcp/github"));
        Assert.Equal(s_mock, await ListAsync(user.Key, "/mcp/mock"));
    }

    [Fact]
    public async Task ToolsList_CarriesCatalogueMetadata_ForEveryTool()
    {
        var (_, user) = await host.UserAsync("mock", "github");
        using var client = host.Factory.Client(user.Key);
        using var response = await client.SendAsync(McpHttp.Post("/mcp", McpHttp.Request("tools/list"), "2025-11-25"), TestContext.Current.CancellationToken);
        var tools = (await McpHttp.ResultAsync(response))["tools"]!.AsArray();
        Assert.All(tools, t =>
        {
            // API.md §8.3: names, non-empty descriptions, object input schemas with additionalProperties false, all four hints.
            Assert.Matches("^[a-zA-Z0-9_-]{1,48}$", t!["name"]!.GetValue<string>());
            Assert.False(string.IsNullOrWhiteSpace(t["description"]!.GetValue<string>()));
            Assert.False(string.IsNullOrWhiteSpace(t["title"]!.GetValue<string>()));
            Assert.Equal("object", t["inputSchema"]!["type"]!.GetValue<string>());
            Assert.False(t["inputSchema"]!["additionalProperties"]!.GetValue<bool>());
            Assert.NotNull(t["inputSchema"]!["properties"]);
            foreach (var hint in new[] { "readOnlyHint", "destructiveHint", "idempotentHint", "openWorldHint" })
            {
                Assert.NotNull(t["annotations"]![hint]);
            }
        });
        // API.md §8.3 ◆: outputSchema on github_get_me and mock_echo, none on mock_fail.
        Assert.NotNull(tools.Single(t => t!["name"]!.GetValue<string>() == "github_get_me")!["outputSchema"]);
        Assert.NotNull(tools.Single(t => t!["name"]!.GetValue<string>() == "mock_echo")!["outputSchema"]);
        Assert.Null(tools.Single(t => t!["name"]!.GetValue<string>() == "mock_fail")!["outputSchema"]);
    }

    [Fact]
    public async Task ToolsList_ReadOnlyUserPolicy_KeepsOnlyReadOnlyTools()
    {
        var (platform, user) = await host.UserAsync("mock", "github");
        await PatchUserPolicyAsync(platform, user, new { allowed_tools = (string[]?)null, read_only = true });
        string[] expected = [.. s_githubReadOnly, .. s_mock];
        Assert.Equal(expected, await ListAsync(user.Key));
    }

    [Fact]
    public async Task ToolsList_DiffersBetweenUsersOfDifferentPolicies()
    {
        var (platform, first) = await host.UserAsync("mock", "github");
        var second = await platform.CreateEndUserAsync();
        await PatchUserPolicyAsync(platform, first, new { allowed_tools = new[] { "mock_*" }, read_only = false });
        await PatchUserPolicyAsync(platform, second, new { allowed_tools = new[] { "github_get_me", "github_create_gist" }, read_only = false });
        Assert.Equal(s_mock, await ListAsync(first.Key));
        Assert.Equal(["github_get_me", "github_create_gist"], await ListAsync(second.Key));
    }

    [Fact]
    public async Task ToolsList_IsTheIntersectionOfPlatformUserAndKeyPolicies()
    {
        var (platform, user) = await host.UserAsync("mock", "github");
        using var admin = platform.Admin();
        using (var patch = await admin.PatchAsJsonAsync(platform.Path(),
            new { settings = new { tool_policy = new { allowed_tools = new[] { "github_*", "mock_echo" }, read_only = false } } }, TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.OK, patch.StatusCode);
        }

        await PatchUserPolicyAsync(platform, user, new { allowed_tools = (string[]?)null, read_only = true });
        using var created = await admin.PostAsJsonAsync(platform.Path("/api-keys"), new
        {
            name = "narrow",
            end_user_id = user.Id,
            scopes = new[] { "inference" },
            tool_policy = new { allowed_tools = new[] { "github_get_me", "github_issue_write", "mock_echo", "mock_fail" }, read_only = false },
        }, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var key = JsonNode.Parse(await created.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!["raw_key"]!.GetValue<string>();

        // Platform: GitHub + mock_echo; user: read-only; key: four names → github_get_me and mock_echo.
        Assert.Equal(["github_get_me", "mock_echo"], await ListAsync(key));
        // The user's first key has no key policy: platform ∩ user only.
        string[] platformAndUser = [.. s_githubReadOnly, "mock_echo"];
        Assert.Equal(platformAndUser, await ListAsync(user.Key));
    }

    [Fact]
    public async Task Call_MockEcho_ReturnsResult_AndWritesOneLogRow()
    {
        var (platform, user) = await host.UserAsync("mock");
        using var client = host.Factory.Client(user.Key);
        using var response = await client.SendAsync(McpHttp.Post("/mcp", McpHttp.Request("tools/call",
            new JsonObject { ["name"] = "mock_echo", ["arguments"] = new JsonObject { ["text"] = "hello" } }), "2025-06-18"), TestContext.Current.CancellationToken);
        var result = await McpHttp.ResultAsync(response);
        Assert.NotEqual(true, result["isError"]?.GetValue<bool>());
        Assert.Equal("hello", result["structuredContent"]!["text"]!.GetValue<string>());
        Assert.Equal("hello", JsonNode.Parse(result["content"]![0]!["text"]!.GetValue<string>())!["text"]!.GetValue<string>());

        var rows = await LogRowsAsync(platform.Id);
        var row = Assert.Single(rows);
        // API.md §8.5: one mcp_tool row per call of a known, visible tool.
        Assert.Equal("mcp_tool", row.RequestType);
        Assert.Equal("mock", row.McpApp);
        Assert.Equal("mock_echo", row.McpTool);
        Assert.Equal("success", row.Status);
        Assert.Equal(user.Id, row.EndUserId);
        Assert.Equal(response.Headers.GetValues("x-request-id").Single(), row.RequestId);
    }

    [Fact]
    public async Task Call_HiddenTool_ReturnsInvalidParams_AndWritesNoLogRow()
    {
        var (platform, user) = await host.UserAsync("mock", "github");
        await PatchUserPolicyAsync(platform, user, new { allowed_tools = new[] { "github_*" }, read_only = false });
        using var client = host.Factory.Client(user.Key);
        using var response = await client.SendAsync(McpHttp.Post("/mcp", McpHttp.Request("tools/call",
            new JsonObject { ["name"] = "mock_echo", ["arguments"] = new JsonObject { ["text"] = "x" } }), "2025-06-18"), TestContext.Current.CancellationToken);
        // API.md §8.7: a hidden tool is neither listed nor callable: -32602 as for an unknown tool, no log row.
        await McpHttp.ErrorAsync(response, -32602);
        Assert.Empty(await LogRowsAsync(platform.Id));
    }

    [Fact]
    public async Task Call_ToolOfAppNotActivated_ReturnsInvalidParams_AndWritesNoLogRow()
    {
        var (platform, user) = await host.UserAsync("mock");
        using var client = host.Factory.Client(user.Key);
        using var response = await client.SendAsync(McpHttp.Post("/mcp", McpHttp.Request("tools/call",
            new JsonObject { ["name"] = "github_get_me", ["arguments"] = new JsonObject() }), "2025-06-18"), TestContext.Current.CancellationToken);
        await McpHttp.ErrorAsync(response, -32602);
        Assert.Empty(await LogRowsAsync(platform.Id));
    }

    [Fact]
    public async Task Call_UnconnectedApp_ReturnsNotConnectedTextWithTheLink()
    {
        var (platform, user) = await host.UserAsync("github");
        using var client = host.Factory.Client(user.Key);
        using var response = await client.SendAsync(McpHttp.Post("/mcp", McpHttp.Request("tools/call",
            new JsonObject { ["name"] = "github_get_me", ["arguments"] = new JsonObject() }), "2025-06-18"), TestContext.Current.CancellationToken);
        var result = await McpHttp.ResultAsync(response);
        Assert.True(result["isError"]!.GetValue<bool>());
        var link = host.OAuth.Links.Single(l => l.Connection.EndUserId == user.Id).Link;
        // API.md §8.5: the exact text, link included.
        Assert.Equal("[not_connected] GitHub is not connected for this user. Open this link to connect it, then retry: " + link.AbsoluteUri,
            result["content"]![0]!["text"]!.GetValue<string>());
        var row = Assert.Single(await LogRowsAsync(platform.Id));
        Assert.Equal("error", row.Status);
        Assert.Equal("not_connected", row.ErrorCode);
    }

    [Fact]
    public async Task Call_UnconnectedApp_GivesModernElicitingClientInputRequired_WithTheBrokersLink()
    {
        var (_, user) = await host.UserAsync("github");
        using var client = host.Factory.Client(user.Key);
        using var response = await client.SendAsync(McpHttp.PostModern("/mcp", "tools/call",
            new JsonObject { ["name"] = "github_get_me", ["arguments"] = new JsonObject() },
            new JsonObject { ["elicitation"] = new JsonObject { ["url"] = new JsonObject() } }), TestContext.Current.CancellationToken);
        var result = await McpHttp.ResultAsync(response);
        Assert.Equal("input_required", result["resultType"]!.GetValue<string>());
        var link = host.OAuth.Links.Single(l => l.Connection.EndUserId == user.Id).Link;
        Assert.Equal(link.AbsoluteUri, result["inputRequests"]!["connect_github"]!["params"]!["url"]!.GetValue<string>());
    }

    private async Task PatchUserPolicyAsync(TestPlatform platform, TestEndUser user, object policy)
    {
        using var admin = platform.Admin();
        using var patch = await admin.PatchAsJsonAsync(platform.Path("/end-users/" + user.Id), new { tool_policy = policy }, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, patch.StatusCode);
    }

    private async Task<string[]> ListAsync(string key, string path = "/mcp")
    {
        using var client = host.Factory.Client(key);
        using var response = await client.SendAsync(McpHttp.Post(path, McpHttp.Request("tools/list"), "2025-06-18"), TestContext.Current.CancellationToken);
        return McpHttp.ToolNames(await McpHttp.ResultAsync(response));
    }

    private async Task<List<Assistiv.Platform.UsageLogs.UsageLogRecord>> LogRowsAsync(Guid platformId)
    {
        // The settlement finishes after the answer (decision 0085): read after it, as the gateway's own reads do.
        await host.Factory.Services.GetRequiredService<Assistiv.Platform.Metering.PendingSettlements>().WhenSettledAsync(TestContext.Current.CancellationToken);
        var dbFactory = host.Factory.Services.GetRequiredService<IDbContextFactory<PlatformDbContext>>();
        await using var db = await dbFactory.CreateDbContextAsync(TestContext.Current.CancellationToken);
        return await db.UsageLogs.AsNoTracking().Where(r => r.PlatformId == platformId).ToListAsync(TestContext.Current.CancellationToken);
    }
}
