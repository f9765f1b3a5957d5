using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Assistiv.EndToEnd.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Assistiv.EndToEnd.Tests.Flows;

/// <summary>
/// The same happy path with the <c>mock</c> app (API.md §9.3) and a browser-free redirect chain: the <c>[not_connected]</c>
/// answer's link → <c>/oauth/mock/authorize</c> → <c>/oauth/callback</c> → the platform's redirect URL with
/// <c>status=connected</c>; then the same <c>tools/call</c> succeeds and <c>GET /v1/me/mcp-config</c> hands out the app
/// with the very key used.
/// </summary>
public sealed class MockConnectFlowTests
{
    private const string NotConnectedLinkIntro = "Open this link to connect it, then retry: ";

    private readonly FakeTimeProvider _time = new(TimeProvider.System.GetUtcNow());

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task NotConnectedLink_RedirectChain_ConnectsTheMockApp_ThenTheSameCallSucceeds_AndMcpConfigListsIt()
    {
        await using var gateway = await InitializedGateway.StartAsync(_time);
        await gateway.ActivateAsync("mock", "mock-client", "mock-secret");
        var user = await gateway.Platform.CreateEndUserAsync("alice");
        await using var mcp = await gateway.McpAsync(user.Key);
        var echo = new Dictionary<string, object?> { ["text"] = "hello" };

        // API.md §8.5: a tool of an unconnected app answers [not_connected] with the connect link in readable text.
        var first = await mcp.CallToolAsync("mock_echo", echo, cancellationToken: Ct);
        Assert.True(first.IsError);
        var text = GitHubConnectFlowTests.Text(first);
        Assert.StartsWith("[not_connected] ", text, StringComparison.Ordinal);
        var link = new Uri(text[(text.IndexOf(NotConnectedLinkIntro, StringComparison.Ordinal) + NotConnectedLinkIntro.Length)..]);
        // API.md §9.1: {base}/oauth/authorize?app={app}&connect_token={token}.
        Assert.StartsWith(InitializedGateway.PublicBaseUrl + "/oauth/authorize?app=mock&connect_token=", link.AbsoluteUri, StringComparison.Ordinal);

        using var browser = gateway.NewBrowser();
        // Hop 1: the connect link → 302 to the mock provider's authorize page (API.md §9.3), binding cookie set (§9.1).
        using var toProvider = await browser.OpenAsync(link);
        Assert.Equal(HttpStatusCode.Redirect, toProvider.StatusCode);
        Assert.Equal(InitializedGateway.PublicBaseUrl + "/oauth/mock/authorize", toProvider.Headers.Location!.GetLeftPart(UriPartial.Path));
        var state = InitializedGateway.Query(toProvider.Headers.Location)["state"];
        Assert.StartsWith("gw_connect=", Assert.Single(toProvider.Headers.GetValues("Set-Cookie")), StringComparison.Ordinal);

        // Hop 2: the mock provider approves at once → 302 to our callback with code=mock-code and the same state.
        using var toCallback = await browser.OpenAsync(toProvider.Headers.Location);
        Assert.Equal(HttpStatusCode.Redirect, toCallback.StatusCode);
        Assert.Equal(InitializedGateway.PublicBaseUrl + "/oauth/callback", toCallback.Headers.Location!.GetLeftPart(UriPartial.Path));
        var callbackQuery = InitializedGateway.Query(toCallback.Headers.Location);
        Assert.Equal("mock-code", callbackQuery["code"]);
        Assert.Equal(state, callbackQuery["state"]);

        // Hop 3: the callback (with the cookie) → 302 to the platform's page (API.md §9.2 step 7); not followed.
        using var toPlatform = await browser.OpenAsync(toCallback.Headers.Location);
        Assert.Equal(HttpStatusCode.Redirect, toPlatform.StatusCode);
        var landing = toPlatform.Headers.Location!;
        Assert.Equal("https://app.example.com/mcp/oauth-callback", landing.GetLeftPart(UriPartial.Path));
        var landingQuery = InitializedGateway.Query(landing);
        Assert.Equal("connected", landingQuery["status"]);
        Assert.Equal("mock", landingQuery["app"]);
        Assert.Equal(await AccountLabelAsync(gateway, user.Key, "mock"), landingQuery["account"]);

        // The same call now runs (API.md §8.3: mock_echo returns {"text": …}).
        var second = await mcp.CallToolAsync("mock_echo", echo, cancellationToken: Ct);
        Assert.False(second.IsError == true, GitHubConnectFlowTests.Text(second));
        Assert.Equal("hello", JsonNode.Parse(GitHubConnectFlowTests.Text(second))!["text"]!.GetValue<string>());

        // API.md §4.10: the connected app, with the very key that authenticated the request.
        using var self = gateway.Client(user.Key);
        using var config = await self.GetAsync("/v1/me/mcp-config", Ct);
        Assert.Equal(HttpStatusCode.OK, config.StatusCode);
        var body = await config.Content.ReadAsStringAsync(Ct);
        var url = InitializedGateway.PublicBaseUrl + "/mcp/mock";
        GitHubConnectFlowTests.AssertJson($$"""
            { "standard": { "mock": { "transport": "streamable_http", "url": "{{url}}", "headers": { "Authorization": "Bearer {{user.Key}}" } } },
              "openai": [ { "type": "mcp", "server_label": "mock", "server_url": "{{url}}", "authorization": "Bearer {{user.Key}}" } ] }
            """, body);

        // And the configuration works as handed out: its URL and header reach the mock tools.
        await using var configured = await InitializedGateway.McpAsync(gateway.OnSocket(new Uri(url)), "Bearer " + user.Key);
        var tools = await configured.ListToolsAsync(cancellationToken: Ct);
        Assert.Equal(["mock_echo", "mock_fail"], tools.Select(t => t.Name).ToArray()); // API.md §8.3/§8.4
    }

    private static async Task<string?> AccountLabelAsync(InitializedGateway gateway, string key, string app)
    {
        using var client = gateway.Client(key);
        var list = await client.GetFromJsonAsync<JsonElement>("/v1/me/connections", Ct);
        var connection = list.GetProperty("data").EnumerateArray().Single(c => c.GetProperty("app").GetString() == app);
        Assert.Equal("connected", connection.GetProperty("status").GetString());
        return connection.GetProperty("account_label").GetString();
    }
}
