using System.Net;
using System.Text.Json.Nodes;
using Assistiv.Tests.Mcp;

namespace Assistiv.McpServer.Tests.Mcp;

/// <summary><c>tools/call</c> answers of API.md §8.5 in stateless mode: results, connect links, MRTR <c>input_required</c>.</summary>
public sealed class McpToolCallTests(McpHostFixture host) : IClassFixture<McpHostFixture>
{
    private const string NotConnectedPrefix = "[not_connected] GitHub is not connected for this user. Open this link to connect it, then retry: ";

    private static readonly JsonObject s_urlElicitation = new() { ["elicitation"] = new JsonObject { ["url"] = new JsonObject() } };

    [Fact]
    public async Task Call_ReturnsOneTextBlockAndStructuredContent()
    {
        var (_, user) = await host.UserAsync("mock");
        using var client = host.Factory.Client(user.Key);
        using var response = await client.SendAsync(McpHttp.Post("/mcp", Call("mock_echo", new JsonObject { ["text"] = "hi" }), "2025-06-18"), TestContext.Current.CancellationToken);
        var result = await McpHttp.ResultAsync(response);
        var content = result["content"]!.AsArray();
        Assert.Single(content);
        Assert.Equal("text", content[0]!["type"]!.GetValue<string>());
        Assert.True(JsonNode.DeepEquals(new JsonObject { ["text"] = "hi" }, JsonNode.Parse(content[0]!["text"]!.GetValue<string>())));
        Assert.True(JsonNode.DeepEquals(new JsonObject { ["text"] = "hi" }, result["structuredContent"]));
        Assert.NotEqual(true, result["isError"]?.GetValue<bool>());
    }

    [Fact]
    public async Task Call_PassesCallerPoliciesAndRequestIdToTheBroker()
    {
        var (platform, user) = await host.UserAsync("mock");
        using var client = host.Factory.Client(user.Key);
        using var response = await client.SendAsync(McpHttp.Post("/mcp/mock", Call("mock_echo", new JsonObject { ["text"] = "x" }), "2025-06-18"), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var call = host.Backend.Calls.Single(c => c.Context.EndUserId == user.Id);
        Assert.Equal(platform.Id, call.Context.PlatformId);
        Assert.Equal("mock", call.Context.AppFilter);
        Assert.Equal(3, call.Context.Policies.Count);
        Assert.Equal(response.Headers.GetValues("x-request-id").Single(), call.Context.RequestId);
        Assert.Null(call.Context.ElicitationId);
    }

    [Fact]
    public async Task Call_ReturnsIsErrorResult_WhenUpstreamFails()
    {
        var (_, user) = await host.UserAsync("mock");
        using var client = host.Factory.Client(user.Key);
        using var response = await client.SendAsync(McpHttp.Post("/mcp", Call("mock_fail", new JsonObject()), "2025-06-18"), TestContext.Current.CancellationToken);
        var result = await McpHttp.ResultAsync(response);
        Assert.True(result["isError"]!.GetValue<bool>());
        Assert.StartsWith("[upstream_unavailable]", result["content"]![0]!["text"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("2025-06-18")]
    [InlineData("2025-11-25")]
    public async Task NotConnected_ReturnsIsErrorTextWithLink_ForStatelessLegacyClient_EvenWhenItDeclaredUrlElicitation(string version)
    {
        var (_, user) = await host.UserAsync("github");
        using var client = host.Factory.Client(user.Key);
        using (var init = await client.SendAsync(McpHttp.Post("/mcp", McpHttp.Initialize(version, s_urlElicitation.DeepClone().AsObject())), TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.OK, init.StatusCode);
        }

        using var response = await client.SendAsync(McpHttp.Post("/mcp", Call("github_get_me", new JsonObject()), version), TestContext.Current.CancellationToken);
        // API.md §8.5: capabilities are not kept statelessly, so the answer is the isError result with the link.
        var result = await McpHttp.ResultAsync(response);
        Assert.True(result["isError"]!.GetValue<bool>());
        var text = result["content"]![0]!["text"]!.GetValue<string>();
        Assert.StartsWith(NotConnectedPrefix + FakeToolBackend.ConnectBase, text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NotConnected_ReturnsIsErrorText_ForModernClientWithoutElicitation()
    {
        var (_, user) = await host.UserAsync("github");
        using var client = host.Factory.Client(user.Key);
        using var response = await client.SendAsync(McpHttp.PostModern("/mcp", "tools/call", CallParams("github_get_me", new JsonObject())), TestContext.Current.CancellationToken);
        var result = await McpHttp.ResultAsync(response);
        Assert.True(result["isError"]!.GetValue<bool>());
        Assert.StartsWith(NotConnectedPrefix, result["content"]![0]!["text"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task NotConnected_ReturnsInputRequired_ForModernClientDeclaringUrlElicitation()
    {
        var (_, user) = await host.UserAsync("github");
        using var client = host.Factory.Client(user.Key);
        using var response = await client.SendAsync(
            McpHttp.PostModern("/mcp", "tools/call", CallParams("github_get_me", new JsonObject()), s_urlElicitation.DeepClone().AsObject()),
            TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var message = await McpHttp.MessageAsync(response);
        Assert.Null(message["error"]);
        var result = message["result"]!;
        // API.md §8.5: input_required, key connect_{app}, a url-mode elicitation whose message is the tool-result text.
        Assert.Equal("input_required", result["resultType"]!.GetValue<string>());
        var input = result["inputRequests"]!["connect_github"]!;
        Assert.Equal("elicitation/create", input["method"]!.GetValue<string>());
        var elicitation = input["params"]!;
        Assert.Equal("url", elicitation["mode"]!.GetValue<string>());
        var url = elicitation["url"]!.GetValue<string>();
        Assert.StartsWith(FakeToolBackend.ConnectBase, url, StringComparison.Ordinal);
        Assert.Equal(NotConnectedPrefix + url, elicitation["message"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(result["requestState"]!.GetValue<string>()));
    }

    [Fact]
    public async Task InputRequiredRetry_RerunsThePipeline_AndAnswersWithTheLinkText()
    {
        var (_, user) = await host.UserAsync("github");
        using var client = host.Factory.Client(user.Key);
        var arguments = new JsonObject { ["method"] = "create", ["owner"] = "o", ["repo"] = "r" };
        var state = await FirstRoundAsync(client, "github_issue_write", arguments);

        // The retry carries the requestState and the elicitation answer; keys in another order must still match.
        var retryArguments = new JsonObject { ["repo"] = "r", ["owner"] = "o", ["method"] = "create" };
        using var response = await client.SendAsync(McpHttp.PostModern("/mcp", "tools/call",
            Retry(CallParams("github_issue_write", retryArguments), state), s_urlElicitation.DeepClone().AsObject(), id: 4), TestContext.Current.CancellationToken);
        var result = await McpHttp.ResultAsync(response);
        Assert.True(result["isError"]!.GetValue<bool>());
        Assert.StartsWith(NotConnectedPrefix, result["content"]![0]!["text"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(2, host.Backend.Calls.Count(c => c.Context.EndUserId == user.Id));
    }

    [Fact]
    public async Task InputRequiredRetry_ReturnsInvalidParams_WhenArgumentsDiffer()
    {
        var (_, user) = await host.UserAsync("github");
        using var client = host.Factory.Client(user.Key);
        var state = await FirstRoundAsync(client, "github_issue_write", new JsonObject { ["method"] = "create", ["owner"] = "o", ["repo"] = "r" });
        using var response = await client.SendAsync(McpHttp.PostModern("/mcp", "tools/call",
            Retry(CallParams("github_issue_write", new JsonObject { ["method"] = "create", ["owner"] = "o", ["repo"] = "other" }), state),
            s_urlElicitation.DeepClone().AsObject(), id: 4), TestContext.Current.CancellationToken);
        await McpHttp.ErrorAsync(response, -32602);
    }

    [Fact]
    public async Task InputRequiredRetry_ReturnsInvalidParams_WhenToolDiffers()
    {
        var (_, user) = await host.UserAsync("github");
        using var client = host.Factory.Client(user.Key);
        var state = await FirstRoundAsync(client, "github_get_me", new JsonObject());
        using var response = await client.SendAsync(McpHttp.PostModern("/mcp", "tools/call",
            Retry(CallParams("github_create_branch", new JsonObject { ["owner"] = "o", ["repo"] = "r", ["branch"] = "b" }), state),
            s_urlElicitation.DeepClone().AsObject(), id: 4), TestContext.Current.CancellationToken);
        await McpHttp.ErrorAsync(response, -32602);
    }

    [Fact]
    public async Task InputRequiredRetry_ReturnsInvalidParams_ForAnotherEndUser()
    {
        var (platform, user) = await host.UserAsync("github");
        var other = await platform.CreateEndUserAsync();
        using var client = host.Factory.Client(user.Key);
        var state = await FirstRoundAsync(client, "github_get_me", new JsonObject());
        using var otherClient = host.Factory.Client(other.Key);
        using var response = await otherClient.SendAsync(McpHttp.PostModern("/mcp", "tools/call",
            Retry(CallParams("github_get_me", new JsonObject()), state), s_urlElicitation.DeepClone().AsObject(), id: 4), TestContext.Current.CancellationToken);
        await McpHttp.ErrorAsync(response, -32602);
        Assert.DoesNotContain(host.Backend.Calls, c => c.Context.EndUserId == other.Id);
    }

    [Theory]
    [InlineData("not-a-protected-payload")]
    [InlineData("CfDJ8AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public async Task InputRequiredRetry_ReturnsInvalidParams_WhenStateDoesNotDecrypt(string state)
    {
        var (_, user) = await host.UserAsync("github");
        using var client = host.Factory.Client(user.Key);
        using var response = await client.SendAsync(McpHttp.PostModern("/mcp", "tools/call",
            Retry(CallParams("github_get_me", new JsonObject()), state), s_urlElicitation.DeepClone().AsObject(), id: 4), TestContext.Current.CancellationToken);
        await McpHttp.ErrorAsync(response, -32602);
        Assert.DoesNotContain(host.Backend.Calls, c => c.Context.EndUserId == user.Id);
    }

    [Fact]
    public async Task InputRequiredRetry_ReturnsInvalidParams_WhenStateTampered()
    {
        var (_, user) = await host.UserAsync("github");
        using var client = host.Factory.Client(user.Key);
        var state = await FirstRoundAsync(client, "github_get_me", new JsonObject());
        var tampered = state[..^2] + (state[^2] == 'A' ? "B" : "A") + state[^1];
        using var response = await client.SendAsync(McpHttp.PostModern("/mcp", "tools/call",
            Retry(CallParams("github_get_me", new JsonObject()), tampered), s_urlElicitation.DeepClone().AsObject(), id: 4), TestContext.Current.CancellationToken);
        await McpHttp.ErrorAsync(response, -32602);
    }

    [Fact]
    public async Task InputRequiredRetry_ReturnsInvalidParams_AfterTenMinutes()
    {
        var (_, user) = await host.UserAsync("github");
        using var client = host.Factory.Client(user.Key);
        var state = await FirstRoundAsync(client, "github_get_me", new JsonObject());
        // API.md §8.5: the requestState lives 10 minutes.
        host.Time.Advance(TimeSpan.FromMinutes(10) + TimeSpan.FromSeconds(1));
        using var response = await client.SendAsync(McpHttp.PostModern("/mcp", "tools/call",
            Retry(CallParams("github_get_me", new JsonObject()), state), s_urlElicitation.DeepClone().AsObject(), id: 4), TestContext.Current.CancellationToken);
        await McpHttp.ErrorAsync(response, -32602);
    }

    [Fact]
    public async Task InputRequiredRetry_IsAccepted_JustBeforeTenMinutes()
    {
        var (_, user) = await host.UserAsync("github");
        using var client = host.Factory.Client(user.Key);
        var state = await FirstRoundAsync(client, "github_get_me", new JsonObject());
        host.Time.Advance(TimeSpan.FromMinutes(10) - TimeSpan.FromSeconds(1));
        using var response = await client.SendAsync(McpHttp.PostModern("/mcp", "tools/call",
            Retry(CallParams("github_get_me", new JsonObject()), state), s_urlElicitation.DeepClone().AsObject(), id: 4), TestContext.Current.CancellationToken);
        Assert.True((await McpHttp.ResultAsync(response))["isError"]!.GetValue<bool>());
    }

    private async Task<string> FirstRoundAsync(HttpClient client, string tool, JsonObject arguments)
    {
        using var response = await client.SendAsync(McpHttp.PostModern("/mcp", "tools/call", CallParams(tool, arguments), s_urlElicitation.DeepClone().AsObject()),
            TestContext.Current.CancellationToken);
        var result = await McpHttp.ResultAsync(response);
        Assert.Equal("input_required", result["resultType"]!.GetValue<string>());
        return result["requestState"]!.GetValue<string>();
    }

    internal static JsonObject Retry(JsonObject parameters, string state)
    {
        parameters["requestState"] = state;
        parameters["inputResponses"] = new JsonObject { ["connect_github"] = new JsonObject { ["action"] = "decline" } };
        return parameters;
    }

    internal static JsonObject CallParams(string name, JsonObject arguments) => new() { ["name"] = name, ["arguments"] = arguments };

    private static string Call(string name, JsonObject arguments) => McpHttp.Request("tools/call", CallParams(name, arguments));
}
