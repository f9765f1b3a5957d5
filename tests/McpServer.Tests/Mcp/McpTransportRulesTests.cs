using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Assistiv.Tests.Common.Host;
using Assistiv.Tests.Mcp;

namespace Assistiv.McpServer.Tests.Mcp;

/// <summary>The HTTP deviations of API.md §8.2 in front of the SDK: Content-Type, Accept, Mcp-Session-Id, body limit.</summary>
public sealed class McpTransportRulesTests(McpHostFixture host) : IClassFixture<McpHostFixture>
{
    // API.md §8.2: exact body of the stale-session answer.
    private const string SessionNotFound = """{"jsonrpc":"2.0","id":null,"error":{"code":-32001,"message":"Session not found"}}""";

    [Theory]
    [InlineData(null)]
    [InlineData("application/json")]
    [InlineData("application/json; charset=utf-8")]
    [InlineData("Application/JSON;charset=UTF-8")]
    public async Task Post_IsServed_WhenContentTypeMissingOrJson(string? contentType)
    {
        var (_, user) = await host.UserAsync("mock");
        using var client = host.Factory.Client(user.Key);
        using var response = await client.SendAsync(McpHttp.Post("/mcp", McpHttp.Initialize(), contentType: contentType), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.NotNull((await McpHttp.ResultAsync(response))["serverInfo"]);
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("application/json-rpc")]
    [InlineData("text/event-stream")]
    public async Task Post_Returns415Envelope_WhenContentTypeNotJson(string contentType)
    {
        var (_, user) = await host.UserAsync("mock");
        using var client = host.Factory.Client(user.Key);
        using var response = await client.SendAsync(McpHttp.Post("/mcp", McpHttp.Initialize(), contentType: contentType), TestContext.Current.CancellationToken);
        // API.md §8.2 / §11.2: 415 unsupported_media_type with the error envelope.
        await HttpAssert.ErrorAsync(response, 415, "unsupported_media_type");
    }

    [Fact]
    public async Task Post_Returns401Not415_WhenContentTypeWrongAndNoKey()
    {
        using var client = host.Factory.Client();
        using var response = await client.SendAsync(McpHttp.Post("/mcp", McpHttp.Initialize(), contentType: "text/plain"), TestContext.Current.CancellationToken);
        // API.md §2.6: Content-Type is checked after authentication and the end-user check.
        await HttpAssert.ErrorAsync(response, 401, "missing_api_key");
    }

    [Fact]
    public async Task Post_Returns403WrongKeyTypeNot415_ForPlatformKey()
    {
        var platform = await host.Factory.CreatePlatformAsync();
        using var client = platform.Admin();
        using var response = await client.SendAsync(McpHttp.Post("/mcp", McpHttp.Initialize(), contentType: "text/plain"), TestContext.Current.CancellationToken);
        await HttpAssert.ErrorAsync(response, 403, "wrong_key_type");
    }

    [Theory]
    [InlineData(null)]
    [InlineData("*/*")]
    [InlineData("application/json")]
    [InlineData("text/event-stream")]
    [InlineData("text/event-stream, application/json")]
    [InlineData("application/json, text/event-stream")]
    public async Task Post_NeverAnswers406_WhateverTheAccept(string? accept)
    {
        var (_, user) = await host.UserAsync("mock");
        using var client = host.Factory.Client(user.Key);
        using var response = await client.SendAsync(McpHttp.Post("/mcp", McpHttp.Initialize(), accept: accept), TestContext.Current.CancellationToken);
        // API.md §8.2: Accept is normalized before the SDK, which would answer 406.
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.NotNull((await McpHttp.ResultAsync(response))["serverInfo"]);
    }

    [Fact]
    public async Task ToolsList_NeverAnswers406_WithJsonOnlyAccept()
    {
        var (_, user) = await host.UserAsync("mock");
        using var client = host.Factory.Client(user.Key);
        using var response = await client.SendAsync(McpHttp.Post("/mcp", McpHttp.Request("tools/list"), "2025-06-18", accept: "application/json"), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("mock_echo", McpHttp.ToolNames(await McpHttp.ResultAsync(response)));
    }

    [Theory]
    [InlineData("2025-06-18")]
    [InlineData("2025-11-25")]
    [InlineData(null)]
    public async Task Post_Returns404SessionNotFound_ForAnySessionIdWhenStateless(string? version)
    {
        var (_, user) = await host.UserAsync("mock");
        using var client = host.Factory.Client(user.Key);
        using var request = McpHttp.Post("/mcp", McpHttp.Request("tools/list"), version);
        request.Header("Mcp-Session-Id", "stale-session-from-an-old-deployment");
        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        // API.md §8.2: HTTP 404 (never 400) with this exact JSON-RPC body, so clients re-initialize.
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(SessionNotFound, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Notification_Returns404SessionNotFound_ForStaleSessionId()
    {
        var (_, user) = await host.UserAsync("mock");
        using var client = host.Factory.Client(user.Key);
        using var request = McpHttp.Post("/mcp", McpHttp.Notification("notifications/initialized"), "2025-11-25");
        request.Header("Mcp-Session-Id", "stale");
        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(SessionNotFound, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Initialize_IgnoresStaleSessionId()
    {
        var (_, user) = await host.UserAsync("mock");
        using var client = host.Factory.Client(user.Key);
        using var request = McpHttp.Post("/mcp", McpHttp.Initialize("2025-11-25"));
        request.Header("Mcp-Session-Id", "stale");
        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        // API.md §8.2: the id is removed on initialize requests.
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("2025-11-25", (await McpHttp.ResultAsync(response))["protocolVersion"]!.GetValue<string>());
        Assert.False(response.Headers.Contains("Mcp-Session-Id"));
    }

    [Fact]
    public async Task ModernRequest_IgnoresSessionId()
    {
        var (_, user) = await host.UserAsync("mock");
        using var client = host.Factory.Client(user.Key);
        using var request = McpHttp.PostModern("/mcp", "tools/list");
        request.Header("Mcp-Session-Id", "whatever");
        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        // API.md §8.2: removed on 2026-07-28 requests.
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("mock_echo", McpHttp.ToolNames(await McpHttp.ResultAsync(response)));
    }

    [Fact]
    public async Task Post_Returns413Envelope_WhenBodyOver4MiB()
    {
        var (_, user) = await host.UserAsync("mock");
        using var client = host.Factory.Client(user.Key);
        var text = new string('a', (4 * 1024 * 1024) + 1);
        var body = McpHttp.Request("tools/call", new JsonObject { ["name"] = "mock_echo", ["arguments"] = new JsonObject { ["text"] = text } });
        using var response = await client.SendAsync(McpHttp.Post("/mcp", body, "2025-06-18"), TestContext.Current.CancellationToken);
        // API.md §12: MCP bodies ≤ 4 MiB, else 413 payload_too_large.
        await HttpAssert.ErrorAsync(response, 413, "payload_too_large");
    }

    [Fact]
    public async Task Post_Returns413Envelope_WhenChunkedBodyGrowsPast4MiB()
    {
        var (_, user) = await host.UserAsync("mock");
        using var client = host.Factory.Client(user.Key);
        var text = new string('a', (4 * 1024 * 1024) + 1);
        var body = Encoding.UTF8.GetBytes(McpHttp.Request("tools/call", new JsonObject { ["name"] = "mock_echo", ["arguments"] = new JsonObject { ["text"] = text } }));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/mcp")
        {
            // No Content-Length: the limit bites while the body is read.
            Content = new StreamContent(new NonSeekableStream(body)),
        };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
        request.Header("Accept", McpHttp.Accept);
        request.Header("MCP-Protocol-Version", "2025-06-18");
        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        await HttpAssert.ErrorAsync(response, 413, "payload_too_large");
    }

    [Fact]
    public async Task Post_IsServed_WhenBodyJustUnder4MiB()
    {
        var (_, user) = await host.UserAsync("mock");
        using var client = host.Factory.Client(user.Key);
        var envelope = McpHttp.Request("tools/call", new JsonObject { ["name"] = "mock_echo", ["arguments"] = new JsonObject { ["text"] = "" } });
        var text = new string('a', (4 * 1024 * 1024) - Encoding.UTF8.GetByteCount(envelope));
        var body = McpHttp.Request("tools/call", new JsonObject { ["name"] = "mock_echo", ["arguments"] = new JsonObject { ["text"] = text } });
        Assert.Equal(4 * 1024 * 1024, Encoding.UTF8.GetByteCount(body));
        using var response = await client.SendAsync(McpHttp.Post("/mcp", body, "2025-06-18"), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task ParseError_KeepsSdkStatus()
    {
        var (_, user) = await host.UserAsync("mock");
        using var client = host.Factory.Client(user.Key);
        using var response = await client.SendAsync(McpHttp.Post("/mcp", "{not json", "2025-06-18"), TestContext.Current.CancellationToken);
        // API.md §8.2: JSON-RPC errors keep the SDK's HTTP statuses (parse error → 400).
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var message = await McpHttp.MessageAsync(response);
        Assert.NotNull(message["error"]);
    }

    [Fact]
    public async Task Batch_KeepsSdkStatus()
    {
        var (_, user) = await host.UserAsync("mock");
        using var client = host.Factory.Client(user.Key);
        var batch = "[" + McpHttp.Request("tools/list") + "]";
        using var response = await client.SendAsync(McpHttp.Post("/mcp", batch, "2025-06-18"), TestContext.Current.CancellationToken);
        // API.md §8.2: batch → 400 -32600.
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(-32600, (await McpHttp.MessageAsync(response))["error"]!["code"]!.GetValue<int>());
    }

    [Fact]
    public async Task Responses_CarryRequestIdAndApiVersion()
    {
        var (_, user) = await host.UserAsync("mock");
        using var client = host.Factory.Client(user.Key);
        using var response = await client.SendAsync(McpHttp.Post("/mcp", McpHttp.Initialize()), TestContext.Current.CancellationToken);
        // API.md §0.3: every response, MCP and SSE included.
        Assert.Matches("^req_[0-9A-HJKMNP-TV-Z]{26}$", response.Headers.GetValues("x-request-id").Single());
        Assert.Equal("0.1.0", response.Headers.GetValues("X-Assistiv-Api-Version").Single());
    }

    private sealed class NonSeekableStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;

        public override long Length => throw new NotSupportedException();
    }
}
