using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Assistiv.Tests.Common.Host;
using Assistiv.Tests.Mcp;

namespace Assistiv.McpServer.Tests.Mcp;

/// <summary><c>initialize</c>, <c>tools/list</c> and <c>/mcp/{app}</c> (API.md §8.1–§8.4, §8.7).</summary>
public sealed class McpEndpointTests(McpHostFixture host) : IClassFixture<McpHostFixture>
{
    [Theory]
    [InlineData("2024-11-05")]
    [InlineData("2025-03-26")]
    [InlineData("2025-06-18")]
    [InlineData("2025-11-25")]
    public async Task Initialize_ReturnsServerInfoAndToolsCapability(string version)
    {
        var (_, user) = await host.UserAsync("mock");
        using var client = host.Factory.Client(user.Key);
        using var response = await client.SendAsync(McpHttp.Post("/mcp", McpHttp.Initialize(version)), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        // API.md §8.2: SSE-framed as the SDK does.
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var result = await McpHttp.ResultAsync(response);
        Assert.Equal(version, result["protocolVersion"]!.GetValue<string>());
        // API.md §8.2: serverInfo name and title; capabilities.tools present.
        Assert.Equal("assistiv-gateway", result["serverInfo"]!["name"]!.GetValue<string>());
        Assert.Equal("AI Gateway tool broker", result["serverInfo"]!["title"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(result["serverInfo"]!["version"]!.GetValue<string>()));
        Assert.NotNull(result["capabilities"]!["tools"]);
        // Stateless: no session, so no listChanged (API.md §8.2).
        Assert.NotEqual(true, result["capabilities"]!["tools"]!["listChanged"]?.GetValue<bool>());
        Assert.False(response.Headers.Contains("Mcp-Session-Id"));
    }

    [Fact]
    public async Task Initialize_InstructionsNameTheListedAppsAndTheConnectLink()
    {
        var (_, user) = await host.UserAsync("mock", "github");
        using var client = host.Factory.Client(user.Key);
        using var response = await client.SendAsync(McpHttp.Post("/mcp", McpHttp.Initialize()), TestContext.Current.CancellationToken);
        var instructions = (await McpHttp.ResultAsync(response))["instructions"]!.GetValue<string>();
        Assert.Contains("GitHub", instructions, StringComparison.Ordinal);
        Assert.Contains("Mock", instructions, StringComparison.Ordinal);
        Assert.Contains("link", instructions, StringComparison.OrdinalIgnoreCase);

        using var scoped = await client.SendAsync(McpHttp.Post("/mcp/mock", McpHttp.Initialize()), TestContext.Current.CancellationToken);
        var appInstructions = (await McpHttp.ResultAsync(scoped))["instructions"]!.GetValue<string>();
        Assert.Contains("Mock", appInstructions, StringComparison.Ordinal);
        Assert.DoesNotContain("GitHub", appInstructions, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ToolsList_ListsActivatedAppsInCatalogueOrder_WithCatalogueMetadata()
    {
        var (_, user) = await host.UserAsync("mock", "github");
        using var client = host.Factory.Client(user.Key);
        using var response = await client.SendAsync(McpHttp.Post("/mcp", McpHttp.Request("tools/list"), "2025-06-18"), TestContext.Current.CancellationToken);
        var result = await McpHttp.ResultAsync(response);
        // API.md §8.4: apps alphabetically, then catalogue order; no pagination.
        Assert.Equal(["github_get_me", "github_issue_write", "github_create_branch", "mock_echo", "mock_fail"], McpHttp.ToolNames(result));
        Assert.Null(result["nextCursor"]);

        var echo = result["tools"]!.AsArray().Single(t => t!["name"]!.GetValue<string>() == "mock_echo")!;
        var catalogue = host.Backend.Tools.Single(t => t.Name == "mock_echo");
        // API.md §8.3: the catalogue is the only schema source.
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(catalogue.InputSchema.GetRawText()), echo["inputSchema"]));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(catalogue.OutputSchema!.Value.GetRawText()), echo["outputSchema"]));
        Assert.Equal("Echo", echo["title"]!.GetValue<string>());
        Assert.Equal("Echoes the text back.", echo["description"]!.GetValue<string>());
        var annotations = echo["annotations"]!;
        Assert.Equal("Echo", annotations["title"]!.GetValue<string>());
        // Set R: readOnly, not destructive, idempotent, open world (API.md §8.3).
        Assert.True(annotations["readOnlyHint"]!.GetValue<bool>());
        Assert.False(annotations["destructiveHint"]!.GetValue<bool>());
        Assert.True(annotations["idempotentHint"]!.GetValue<bool>());
        Assert.True(annotations["openWorldHint"]!.GetValue<bool>());
    }

    [Fact]
    public async Task ToolsList_IsEmpty_WhenNoAppActivated()
    {
        var (_, user) = await host.UserAsync();
        using var client = host.Factory.Client(user.Key);
        using var response = await client.SendAsync(McpHttp.Post("/mcp", McpHttp.Request("tools/list"), "2025-06-18"), TestContext.Current.CancellationToken);
        Assert.Empty(McpHttp.ToolNames(await McpHttp.ResultAsync(response)));
    }

    [Fact]
    public async Task AppEndpoint_ListsOnlyThatApp()
    {
        var (_, user) = await host.UserAsync("mock", "github");
        using var client = host.Factory.Client(user.Key);
        using var response = await client.SendAsync(McpHttp.Post("/mcp/mock", McpHttp.Request("tools/list"), "2025-06-18"), TestContext.Current.CancellationToken);
        Assert.Equal(["mock_echo", "mock_fail"], McpHttp.ToolNames(await McpHttp.ResultAsync(response)));
    }

    [Theory]
    [InlineData("/mcp/slack")]
    [InlineData("/mcp/nosuchapp")]
    public async Task AppEndpoint_Returns404NotFound_WhenAppNotActivatedOrUnknown(string path)
    {
        var (_, user) = await host.UserAsync("mock");
        using var client = host.Factory.Client(user.Key);
        using var response = await client.SendAsync(McpHttp.Post(path, McpHttp.Initialize()), TestContext.Current.CancellationToken);
        // API.md §8.1: 404 not_found with the error envelope.
        await HttpAssert.ErrorAsync(response, 404, "not_found");
    }

    [Fact]
    public async Task AppEndpoint_Returns404_ForCatalogueAppNotActivated()
    {
        var (_, user) = await host.UserAsync("mock");
        using var client = host.Factory.Client(user.Key);
        using var response = await client.SendAsync(McpHttp.Post("/mcp/github", McpHttp.Request("tools/list"), "2025-06-18"), TestContext.Current.CancellationToken);
        await HttpAssert.ErrorAsync(response, 404, "not_found");
    }

    [Fact]
    public async Task AppEndpoint_Returns401Before404_WithoutKey()
    {
        using var client = host.Factory.Client();
        using var response = await client.SendAsync(McpHttp.Post("/mcp/nosuchapp", McpHttp.Initialize()), TestContext.Current.CancellationToken);
        await HttpAssert.ErrorAsync(response, 401, "missing_api_key");
    }

    [Fact]
    public async Task ModernToolsList_ListsTheSameTools()
    {
        var (_, user) = await host.UserAsync("mock", "github");
        using var client = host.Factory.Client(user.Key);
        using var legacy = await client.SendAsync(McpHttp.Post("/mcp", McpHttp.Request("tools/list"), "2025-11-25"), TestContext.Current.CancellationToken);
        using var modern = await client.SendAsync(McpHttp.PostModern("/mcp", "tools/list"), TestContext.Current.CancellationToken);
        var modernResult = await McpHttp.ResultAsync(modern);
        Assert.Equal(McpHttp.ToolNames(await McpHttp.ResultAsync(legacy)), McpHttp.ToolNames(modernResult));
        // Per-user lists must not be reused across keys by shared caches (MCP 2026-07-28 cacheScope).
        Assert.Equal("private", modernResult["cacheScope"]!.GetValue<string>());
    }

    [Fact]
    public async Task ServerDiscover_ReturnsInstructions()
    {
        var (_, user) = await host.UserAsync("mock");
        using var client = host.Factory.Client(user.Key);
        using var response = await client.SendAsync(McpHttp.PostModern("/mcp", "server/discover"), TestContext.Current.CancellationToken);
        var result = await McpHttp.ResultAsync(response);
        Assert.Contains("2026-07-28", result["supportedVersions"]!.AsArray().Select(v => v!.GetValue<string>()));
        Assert.Contains("Mock", result["instructions"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.NotNull(result["capabilities"]!["tools"]);
    }

    [Fact]
    public async Task ToolsList_DiffersPerUser_WithDifferentPolicies()
    {
        var (platform, reader) = await host.UserAsync("mock", "github");
        var writer = await platform.CreateEndUserAsync();
        using var admin = platform.Admin();
        using (var patch = await admin.PatchAsJsonAsync(platform.Path("/end-users/" + reader.Id), new { tool_policy = new { allowed_tools = (string[]?)null, read_only = true } }, TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.OK, patch.StatusCode);
        }

        using (var patch = await admin.PatchAsJsonAsync(platform.Path("/end-users/" + writer.Id), new { tool_policy = new { allowed_tools = new[] { "github_*" }, read_only = false } }, TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.OK, patch.StatusCode);
        }

        Assert.Equal(["github_get_me", "mock_echo", "mock_fail"], await ListAsync(reader.Key));
        Assert.Equal(["github_get_me", "github_issue_write", "github_create_branch"], await ListAsync(writer.Key));
    }

    [Fact]
    public async Task ToolsList_AppliesPlatformPolicy()
    {
        var (platform, user) = await host.UserAsync("mock", "github");
        await PatchPlatformPolicyAsync(platform, new { allowed_tools = new[] { "mock_*", "github_issue_write" }, read_only = false });
        Assert.Equal(["github_issue_write", "mock_echo", "mock_fail"], await ListAsync(user.Key));
    }

    [Fact]
    public async Task ToolsList_AppliesKeyPolicy()
    {
        var (platform, user) = await host.UserAsync("mock", "github");
        using var admin = platform.Admin();
        using var created = await admin.PostAsJsonAsync(platform.Path("/api-keys"),
            new { name = "echo only", end_user_id = user.Id, scopes = new[] { "inference" }, tool_policy = new { allowed_tools = new[] { "mock_echo" }, read_only = false } },
            TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var raw = JsonNode.Parse(await created.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!["raw_key"]!.GetValue<string>();
        Assert.Equal(["mock_echo"], await ListAsync(raw));
        // The user's other key is not narrowed (API.md §8.7: the key's policy is that key's).
        Assert.Equal(5, (await ListAsync(user.Key)).Length);
    }

    [Fact]
    public async Task ToolsList_IsTheIntersectionOfPlatformUserAndKeyPolicies()
    {
        var (platform, user) = await host.UserAsync("mock", "github");
        // Platform: GitHub tools and mock_echo; user: read-only; key: github_get_me, github_issue_write and mock_echo.
        await PatchPlatformPolicyAsync(platform, new { allowed_tools = new[] { "github_*", "mock_echo" }, read_only = false });
        using var admin = platform.Admin();
        using (var patch = await admin.PatchAsJsonAsync(platform.Path("/end-users/" + user.Id), new { tool_policy = new { allowed_tools = (string[]?)null, read_only = true } }, TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.OK, patch.StatusCode);
        }

        using var created = await admin.PostAsJsonAsync(platform.Path("/api-keys"),
            new { name = "narrow", end_user_id = user.Id, scopes = new[] { "inference" }, tool_policy = new { allowed_tools = new[] { "github_get_me", "github_issue_write", "mock_echo" }, read_only = false } },
            TestContext.Current.CancellationToken);
        var raw = JsonNode.Parse(await created.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!["raw_key"]!.GetValue<string>();

        // github_issue_write is not read-only (user policy); mock_fail is outside the platform's and the key's lists.
        Assert.Equal(["github_get_me", "mock_echo"], await ListAsync(raw));
    }

    [Fact]
    public async Task HiddenTool_Call_ReturnsInvalidParams_AndNeverReachesTheBroker()
    {
        var (platform, user) = await host.UserAsync("mock", "github");
        await PatchPlatformPolicyAsync(platform, new { allowed_tools = (string[]?)null, read_only = true });
        using var client = host.Factory.Client(user.Key);
        using var response = await client.SendAsync(McpHttp.Post("/mcp", McpHttp.Request("tools/call",
            new JsonObject { ["name"] = "github_issue_write", ["arguments"] = new JsonObject { ["method"] = "create", ["owner"] = "o", ["repo"] = "r" } }), "2025-06-18"),
            TestContext.Current.CancellationToken);
        // API.md §8.7: a hidden tool is not callable → JSON-RPC -32602, no log row.
        await McpHttp.ErrorAsync(response, -32602);
        Assert.DoesNotContain(host.Backend.Calls, c => c.Context.EndUserId == user.Id);
    }

    [Fact]
    public async Task OtherAppsTool_OnAppEndpoint_ReturnsInvalidParams()
    {
        var (_, user) = await host.UserAsync("mock", "github");
        using var client = host.Factory.Client(user.Key);
        using var response = await client.SendAsync(McpHttp.Post("/mcp/mock", McpHttp.Request("tools/call",
            new JsonObject { ["name"] = "github_get_me", ["arguments"] = new JsonObject() }), "2025-06-18"), TestContext.Current.CancellationToken);
        await McpHttp.ErrorAsync(response, -32602);
        Assert.DoesNotContain(host.Backend.Calls, c => c.Context.EndUserId == user.Id);
    }

    [Fact]
    public async Task UnknownTool_Call_ReturnsInvalidParams()
    {
        var (_, user) = await host.UserAsync("mock");
        using var client = host.Factory.Client(user.Key);
        using var response = await client.SendAsync(McpHttp.Post("/mcp", McpHttp.Request("tools/call",
            new JsonObject { ["name"] = "nope_tool", ["arguments"] = new JsonObject() }), "2025-06-18"), TestContext.Current.CancellationToken);
        await McpHttp.ErrorAsync(response, -32602);
    }

    private async Task PatchPlatformPolicyAsync(TestPlatform platform, object policy)
    {
        using var admin = platform.Admin();
        using var patch = await admin.PatchAsJsonAsync(platform.Path(), new { settings = new { tool_policy = policy } }, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, patch.StatusCode);
    }

    private async Task<string[]> ListAsync(string key)
    {
        using var client = host.Factory.Client(key);
        using var response = await client.SendAsync(McpHttp.Post("/mcp", McpHttp.Request("tools/list"), "2025-06-18"), TestContext.Current.CancellationToken);
        return McpHttp.ToolNames(await McpHttp.ResultAsync(response));
    }
}
