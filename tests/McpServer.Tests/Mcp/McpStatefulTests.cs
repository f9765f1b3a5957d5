using System.Net;
using System.Text.Json.Nodes;
using Assistiv.Tests.Common.Host;
using Assistiv.Tests.Mcp;

namespace Assistiv.McpServer.Tests.Mcp;

/// <summary><c>Gateway:Mcp:SessionMode=StatefulForInitializeClients</c> (API.md §8.2, §8.5, §2.8 row 42).</summary>
public sealed class McpStatefulTests(StatefulMcpHostFixture host) : IClassFixture<StatefulMcpHostFixture>
{
    private const string SessionNotFound = """{"jsonrpc":"2.0","id":null,"error":{"code":-32001,"message":"Session not found"}}""";
    private const string NotConnectedPrefix = "[not_connected] GitHub is not connected for this user. Open this link to connect it, then retry: ";

    [Fact]
    public async Task Initialize_OpensSession_WithListChanged()
    {
        var (_, user) = await host.UserAsync("mock");
        using var client = host.Factory.Client(user.Key);
        using var response = await client.SendAsync(McpHttp.Post("/mcp", McpHttp.Initialize("2025-11-25")), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(string.IsNullOrEmpty(response.Headers.GetValues("Mcp-Session-Id").Single()));
        // API.md §8.2: listChanged is true only for StatefulForInitializeClients sessions.
        Assert.True((await McpHttp.ResultAsync(response))["capabilities"]!["tools"]!["listChanged"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Session_ServesFollowUpRequests()
    {
        var (_, user) = await host.UserAsync("mock");
        using var client = host.Factory.Client(user.Key);
        var session = await OpenAsync(client, "/mcp", new JsonObject());
        using var request = McpHttp.Post("/mcp", McpHttp.Request("tools/list"), "2025-11-25");
        request.Header("Mcp-Session-Id", session);
        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        Assert.Equal(["mock_echo", "mock_fail"], McpHttp.ToolNames(await McpHttp.ResultAsync(response)));
    }

    [Fact]
    public async Task UnknownSession_Returns404WithExactBody()
    {
        var (_, user) = await host.UserAsync("mock");
        using var client = host.Factory.Client(user.Key);
        using var request = McpHttp.Post("/mcp", McpHttp.Request("tools/list"), "2025-11-25");
        request.Header("Mcp-Session-Id", "never-issued");
        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        // API.md §8.2: an id the server does not hold → 404 with id null (the SDK's own body echoes the request id).
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(SessionNotFound, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task SessionOfAnotherUrl_Returns404()
    {
        var (_, user) = await host.UserAsync("mock", "github");
        using var client = host.Factory.Client(user.Key);
        var session = await OpenAsync(client, "/mcp/github", new JsonObject());
        using var request = McpHttp.Post("/mcp/mock", McpHttp.Request("tools/list"), "2025-11-25");
        request.Header("Mcp-Session-Id", session);
        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(SessionNotFound, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task DeletedSession_Returns404Afterwards()
    {
        var (_, user) = await host.UserAsync("mock");
        using var client = host.Factory.Client(user.Key);
        var session = await OpenAsync(client, "/mcp", new JsonObject());
        using (var delete = new HttpRequestMessage(HttpMethod.Delete, "/mcp"))
        {
            delete.Header("Mcp-Session-Id", session);
            delete.Header("MCP-Protocol-Version", "2025-11-25");
            using var deleted = await client.SendAsync(delete, TestContext.Current.CancellationToken);
            Assert.True(deleted.IsSuccessStatusCode, $"DELETE gave {(int)deleted.StatusCode}");
        }

        await Assistiv.Tests.Common.TestConstants.WaitUntilAsync(async () =>
        {
            using var request = McpHttp.Post("/mcp", McpHttp.Request("tools/list"), "2025-11-25");
            request.Header("Mcp-Session-Id", session);
            using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
            return response.StatusCode == HttpStatusCode.NotFound
                && await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken) == SessionNotFound;
        }, cancellationToken: TestContext.Current.CancellationToken);
    }

    [Theory]
    [InlineData("GET")]
    [InlineData("DELETE")]
    public async Task GetAndDelete_FollowPostAuthRules_InStatefulMode(string method)
    {
        using var client = host.Factory.Client();
        using var request = new HttpRequestMessage(new HttpMethod(method), "/mcp");
        request.Header("Accept", "text/event-stream");
        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        // API.md §2.8 row 42: with StatefulForInitializeClients, session requests follow row 41 (no key → 401).
        await HttpAssert.ErrorAsync(response, 401, "missing_api_key");
    }

    [Fact]
    public async Task NotConnected_Returns32042_ForSessionThatDeclaredUrlElicitation()
    {
        var (_, user) = await host.UserAsync("github");
        using var client = host.Factory.Client(user.Key);
        var session = await OpenAsync(client, "/mcp", new JsonObject { ["elicitation"] = new JsonObject { ["url"] = new JsonObject() } });
        using var request = McpHttp.Post("/mcp", McpHttp.Request("tools/call", new JsonObject { ["name"] = "github_get_me", ["arguments"] = new JsonObject() }), "2025-11-25");
        request.Header("Mcp-Session-Id", session);
        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);

        // API.md §8.5: JSON-RPC -32042 with data.elicitations [{mode:"url", elicitationId, url, message}].
        var error = await McpHttp.ErrorAsync(response, -32042);
        var elicitation = error["data"]!["elicitations"]!.AsArray().Single()!;
        Assert.Equal("url", elicitation["mode"]!.GetValue<string>());
        var url = elicitation["url"]!.GetValue<string>();
        Assert.StartsWith(FakeToolBackend.ConnectBase, url, StringComparison.Ordinal);
        var message = elicitation["message"]!.GetValue<string>();
        Assert.Equal(NotConnectedPrefix + url, message);
        Assert.Equal(message, error["message"]!.GetValue<string>());
        var elicitationId = elicitation["elicitationId"]!.GetValue<string>();
        Assert.False(string.IsNullOrEmpty(elicitationId));
        // The elicitationId travels into the connect link (API.md §8.5, §9.1).
        Assert.Equal(elicitationId, host.Backend.Calls.Single(c => c.Context.EndUserId == user.Id).Context.ElicitationId);
    }

    [Fact]
    public async Task NotConnected_ReturnsIsErrorText_ForSessionWithoutUrlElicitation()
    {
        var (_, user) = await host.UserAsync("github");
        using var client = host.Factory.Client(user.Key);
        var session = await OpenAsync(client, "/mcp", new JsonObject { ["elicitation"] = new JsonObject { ["form"] = new JsonObject() } });
        using var request = McpHttp.Post("/mcp", McpHttp.Request("tools/call", new JsonObject { ["name"] = "github_get_me", ["arguments"] = new JsonObject() }), "2025-11-25");
        request.Header("Mcp-Session-Id", session);
        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        var result = await McpHttp.ResultAsync(response);
        Assert.True(result["isError"]!.GetValue<bool>());
        Assert.StartsWith(NotConnectedPrefix, result["content"]![0]!["text"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Null(host.Backend.Calls.Single(c => c.Context.EndUserId == user.Id).Context.ElicitationId);
    }

    [Fact]
    public async Task ModernRequest_GetsInputRequiredNever32042_InStatefulMode()
    {
        var (_, user) = await host.UserAsync("github");
        using var client = host.Factory.Client(user.Key);
        using var response = await client.SendAsync(McpHttp.PostModern("/mcp", "tools/call",
            McpToolCallTests.CallParams("github_get_me", new JsonObject()), new JsonObject { ["elicitation"] = new JsonObject { ["url"] = new JsonObject() } }),
            TestContext.Current.CancellationToken);
        var message = await McpHttp.MessageAsync(response);
        Assert.Null(message["error"]);
        Assert.Equal("input_required", message["result"]!["resultType"]!.GetValue<string>());
        Assert.False(response.Headers.Contains("Mcp-Session-Id"));
    }

    private static async Task<string> OpenAsync(HttpClient client, string path, JsonObject capabilities)
    {
        using var init = await client.SendAsync(McpHttp.Post(path, McpHttp.Initialize("2025-11-25", capabilities)), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, init.StatusCode);
        var session = init.Headers.GetValues("Mcp-Session-Id").Single();
        using var initialized = McpHttp.Post(path, McpHttp.Notification("notifications/initialized"), "2025-11-25");
        initialized.Header("Mcp-Session-Id", session);
        using var ack = await client.SendAsync(initialized, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Accepted, ack.StatusCode);
        return session;
    }
}
