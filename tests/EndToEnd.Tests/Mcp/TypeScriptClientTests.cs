using System.Text.Json.Nodes;
using Assistiv.EndToEnd.Tests.Support;

namespace Assistiv.EndToEnd.Tests.Mcp;

/// <summary>
/// The official TypeScript SDK client (<c>@modelcontextprotocol/sdk</c> 1.32.2, Streamable HTTP, key in
/// <c>requestInit.headers.Authorization</c>) run by <c>tests/node/scripts/list-and-call.mjs</c> (API.md §8.2).
/// </summary>
public sealed class TypeScriptClientTests(EndToEndHost host) : IClassFixture<EndToEndHost>
{
    [Fact]
    public async Task TypeScriptClient_ListsTools_AndCallsMockEcho()
    {
        var (_, user) = await host.UserAsync("mock");
        var output = await RunAsync(user.Key, "/mcp", "mock_echo", """{"text":"from typescript"}""");

        Assert.Equal("assistiv-gateway", output["serverInfo"]!["name"]!.GetValue<string>());
        // SDK 1.32.2's latest revision, served on the initialize path (API.md §8.2).
        Assert.Equal("2025-11-25", output["protocolVersion"]!.GetValue<string>());
        // Stateless: no session id is handed out (API.md §8.2).
        Assert.Null(output["sessionId"]);
        var names = output["tools"]!.AsArray().Select(t => t!["name"]!.GetValue<string>()).ToArray();
        Assert.Equal(["mock_echo", "mock_fail"], names);
        Assert.Null(output["nextCursor"]);

        var call = output["call"]!;
        Assert.NotEqual(true, call["isError"]?.GetValue<bool>());
        Assert.Equal("from typescript", JsonNode.Parse(call["content"]![0]!["text"]!.GetValue<string>())!["text"]!.GetValue<string>());
        Assert.Equal("from typescript", call["structuredContent"]!["text"]!.GetValue<string>());
    }

    [Fact]
    public async Task TypeScriptClient_GetsNotConnectedText()
    {
        var (_, user) = await host.UserAsync("github");
        var output = await RunAsync(user.Key, "/mcp/github", "github_get_me", "{}");
        var call = output["call"]!;
        // API.md §8.5: a client without URL elicitation gets the isError result with the link.
        Assert.True(call["isError"]!.GetValue<bool>());
        Assert.StartsWith("[not_connected] GitHub is not connected for this user. Open this link to connect it, then retry: http",
            call["content"]![0]!["text"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    private async Task<JsonNode> RunAsync(string key, string path, string tool, string arguments)
    {
        var environment = new Dictionary<string, string>
        {
            ["GATEWAY_TEST_NODE_MODULES"] = NodeTools.Modules,
            ["MCP_URL"] = host.McpUrl(path).ToString(),
            ["MCP_KEY"] = key,
        };
        var (exit, stdout, stderr) = await NodeTools.RunAsync(NodeTools.Node, [NodeTools.Script("list-and-call.mjs"), tool, arguments], environment,
            TimeSpan.FromSeconds(90), TestContext.Current.CancellationToken);
        Assert.True(exit == 0, $"list-and-call.mjs exited {exit}\nstdout:\n{stdout}\nstderr:\n{stderr}");
        return JsonNode.Parse(stdout.Trim().Split('\n')[^1])!;
    }
}
