using System.Buffers.Text;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Assistiv.EndToEnd.Tests.Support;
using Microsoft.Extensions.Time.Testing;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace Assistiv.EndToEnd.Tests.Flows;

/// <summary>
/// The issue's acceptance flow end to end over real HTTP on 127.0.0.1 (API.md §1.7): <c>init</c> as a process → the
/// server in-process on its SQLite file → end user → GitHub activated with the admin key <c>init</c> printed → authorize →
/// GitHub's redirect to the callback → <c>tools/list</c> → <c>tools/call</c>, with WireMock standing in for github.com
/// OAuth and api.github.com. Plus the security flows: tokens never cross users over MCP, and an expired or replayed OAuth
/// state stores nothing.
/// </summary>
public sealed class GitHubConnectFlowTests
{
    private const string ClientId = "Iv1.8a61f9b3a7aba766";
    private const string ClientSecret = "1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b";

    // CONNECTORS.md §1.1: OAuth App user tokens look like gho_…
    private const string AliceToken = "gho_16C7e42F292c6912E7710c838347Ae178B4a";
    private const string BobToken = "gho_9bD2a51c0E73f8A4b6C1d9e0F2a3B4c5D6e7F8";

    // API.md §8.3: the GitHub tools in table order, which is the list order (§8.4).
    private static readonly string[] s_gitHubTools =
    [
        "github_get_me", "github_search_repositories", "github_get_file_contents", "github_list_issues", "github_search_issues",
        "github_issue_read", "github_issue_write", "github_add_issue_comment", "github_list_pull_requests",
        "github_pull_request_read", "github_create_pull_request", "github_create_branch", "github_dispatch_workflow",
        "github_create_gist",
    ];

    private readonly FakeTimeProvider _time = new(TimeProvider.System.GetUtcNow());

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task InitToToolCall_CreatesTheIssueOnGitHub_WithThisUsersToken()
    {
        using var github = new GitHubWire();
        await using var gateway = await InitializedGateway.StartAsync(_time, github.Configure);
        await gateway.ActivateAsync("github", ClientId, ClientSecret);
        var user = await gateway.Platform.CreateEndUserAsync("alice");
        github.OAuthAppToken("code-alice", AliceToken);
        github.User(AliceToken, "octocat");
        github.CreateIssue("octocat", "Hello-World", AliceToken);

        // Authorize with the sk-eu_ key (API.md §9.1, JSON form).
        var (authorize, state) = await AuthorizeAsync(gateway, user.Key);
        Assert.Equal(github.Url + "/login/oauth/authorize", authorize.GetLeftPart(UriPartial.Path));
        var q = InitializedGateway.Query(authorize);
        Assert.Equal("code", q["response_type"]);
        Assert.Equal(ClientId, q["client_id"]);
        Assert.Equal(InitializedGateway.PublicBaseUrl + "/oauth/callback", q["redirect_uri"]);
        Assert.Equal("repo read:user gist workflow", q["scope"]); // API.md §9.4 default, space-joined
        Assert.Equal("S256", q["code_challenge_method"]);
        var challenge = q["code_challenge"];

        // GitHub sends the browser back with ?code&state (CONNECTORS.md §1.1); the final redirect is the platform's.
        using var anonymous = gateway.Client();
        using (var callback = await anonymous.GetAsync($"/oauth/callback?code=code-alice&state={Uri.EscapeDataString(state)}", Ct))
        {
            Assert.Equal(HttpStatusCode.Redirect, callback.StatusCode);
            // API.md §9.2 step 7: {redirect_base_url}/mcp/oauth-callback?status=connected&app={app}&account={login}.
            Assert.Equal("https://app.example.com/mcp/oauth-callback?status=connected&app=github&account=octocat", callback.Headers.Location!.AbsoluteUri);
        }

        // CONNECTORS.md §1.1: the exchange posts client_id, client_secret, code, redirect_uri and the PKCE code_verifier.
        var exchange = GitHubWire.Form(Assert.Single(github.Requests("POST", GitHubWire.TokenPath)));
        Assert.Equal("authorization_code", exchange["grant_type"]);
        Assert.Equal("code-alice", exchange["code"]);
        Assert.Equal(ClientId, exchange["client_id"]);
        Assert.Equal(ClientSecret, exchange["client_secret"]);
        Assert.Equal(InitializedGateway.PublicBaseUrl + "/oauth/callback", exchange["redirect_uri"]);
        // RFC 7636 §4.1–4.2: a 43–128 character verifier; code_challenge = BASE64URL(SHA256(ASCII(code_verifier))).
        var verifier = exchange["code_verifier"];
        Assert.InRange(verifier.Length, 43, 128);
        Assert.Equal(challenge, Base64Url.EncodeToString(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))));

        await using var mcp = await gateway.McpAsync(user.Key);
        var tools = await mcp.ListToolsAsync(cancellationToken: Ct);
        Assert.Equal(s_gitHubTools, tools.Select(t => t.Name).ToArray());

        var result = await mcp.CallToolAsync("github_issue_write", new Dictionary<string, object?>
        {
            ["method"] = "create",
            ["owner"] = "octocat",
            ["repo"] = "Hello-World",
            ["title"] = "Found a bug",
            ["body"] = "I'm having a problem with this.",
            ["labels"] = new[] { "bug" },
            ["assignees"] = new[] { "octocat" },
        }, cancellationToken: Ct);

        var text = Text(result);
        Assert.False(result.IsError == true, text);
        // The documented 201 answer (GitHub's "issue" example) comes back as the issue.
        var issue = JsonNode.Parse(text)!;
        Assert.Equal(1347, issue["number"]!.GetValue<int>());
        Assert.Equal("Found a bug", issue["title"]!.GetValue<string>());
        Assert.Equal("https://github.com/octocat/Hello-World/issues/1347", issue["html_url"]!.GetValue<string>());

        // What reached GitHub: POST /repos/{owner}/{repo}/issues with this user's token and the documented body fields.
        var posted = Assert.Single(github.Requests("POST", "/repos/octocat/Hello-World/issues"));
        Assert.Equal("Bearer " + AliceToken, GitHubWire.Authorization(posted));
        AssertJson("""{"title":"Found a bug","body":"I'm having a problem with this.","labels":["bug"],"assignees":["octocat"]}""", posted.RequestMessage.Body);
    }

    [Fact]
    public async Task TwoUsers_ConcurrentToolCalls_EachCarryOnlyThatUsersToken()
    {
        using var github = new GitHubWire();
        await using var gateway = await InitializedGateway.StartAsync(_time, github.Configure);
        await gateway.ActivateAsync("github", ClientId, ClientSecret);
        var alice = await gateway.Platform.CreateEndUserAsync("alice");
        var bob = await gateway.Platform.CreateEndUserAsync("bob");
        github.OAuthAppToken("code-alice", AliceToken);
        github.OAuthAppToken("code-bob", BobToken);
        github.User(AliceToken, "alice");
        github.User(BobToken, "bob");
        github.CreateIssue("octocat", "Hello-World", AliceToken);
        github.CreateIssue("octocat", "Hello-World", BobToken);
        Assert.EndsWith("account=alice", (await ConnectAsync(gateway, alice.Key, "code-alice")).AbsoluteUri, StringComparison.Ordinal);
        Assert.EndsWith("account=bob", (await ConnectAsync(gateway, bob.Key, "code-bob")).AbsoluteUri, StringComparison.Ordinal);

        await using var aliceMcp = await gateway.McpAsync(alice.Key);
        await using var bobMcp = await gateway.McpAsync(bob.Key);
        var calls = Enumerable.Range(0, 10).SelectMany(i => new[]
        {
            CreateIssueAsync(aliceMcp, $"alice {i}"),
            CreateIssueAsync(bobMcp, $"bob {i}"),
        }).ToArray();
        var results = await Task.WhenAll(calls);
        Assert.All(results, r => Assert.False(r.IsError == true, Text(r)));

        // Every request WireMock saw carries the token of the user whose call it is (the title names the user).
        var posted = github.Requests("POST", "/repos/octocat/Hello-World/issues");
        Assert.Equal(20, posted.Count);
        Assert.All(posted, entry =>
        {
            var title = JsonNode.Parse(entry.RequestMessage.Body!)!["title"]!.GetValue<string>();
            Assert.Equal("Bearer " + (title.StartsWith("alice ", StringComparison.Ordinal) ? AliceToken : BobToken), GitHubWire.Authorization(entry));
        });

        // github_get_me answers each caller with their own account (API.md §8.3).
        Assert.Equal("alice", JsonNode.Parse(Text(await aliceMcp.CallToolAsync("github_get_me", cancellationToken: Ct)))!["login"]!.GetValue<string>());
        Assert.Equal("bob", JsonNode.Parse(Text(await bobMcp.CallToolAsync("github_get_me", cancellationToken: Ct)))!["login"]!.GetValue<string>());
    }

    [Fact]
    public async Task ExpiredState_StoresNothing_AndTheToolStillAsksToConnect()
    {
        using var github = new GitHubWire();
        await using var gateway = await InitializedGateway.StartAsync(_time, github.Configure);
        await gateway.ActivateAsync("github", ClientId, ClientSecret);
        var user = await gateway.Platform.CreateEndUserAsync("alice");
        github.OAuthAppToken("code-alice", AliceToken);
        var (_, state) = await AuthorizeAsync(gateway, user.Key);

        // API.md §9.1: a state expires after 10 minutes.
        _time.Advance(TimeSpan.FromMinutes(10) + TimeSpan.FromSeconds(1));
        using var anonymous = gateway.Client();
        using var callback = await anonymous.GetAsync($"/oauth/callback?code=code-alice&state={Uri.EscapeDataString(state)}", Ct);

        // API.md §9.2 step 2: expired → error=state_expired; nothing is exchanged or stored.
        Assert.Equal("https://app.example.com/mcp/oauth-callback?status=error&app=github&error=state_expired", callback.Headers.Location!.AbsoluteUri);
        Assert.Empty(github.Requests("POST", GitHubWire.TokenPath));
        Assert.Equal("not_connected", await ConnectionStatusAsync(gateway, user.Key, "github"));
        await using var mcp = await gateway.McpAsync(user.Key);
        var result = await mcp.CallToolAsync("github_get_me", cancellationToken: Ct);
        Assert.True(result.IsError);
        Assert.StartsWith("[not_connected] ", Text(result), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReplayedState_WithAnotherCode_StoresNothing_AndTheToolKeepsTheFirstToken()
    {
        using var github = new GitHubWire();
        await using var gateway = await InitializedGateway.StartAsync(_time, github.Configure);
        await gateway.ActivateAsync("github", ClientId, ClientSecret);
        var user = await gateway.Platform.CreateEndUserAsync("alice");
        github.OAuthAppToken("code-alice", AliceToken);
        github.OAuthAppToken("code-mallory", BobToken);
        github.User(AliceToken, "alice");
        github.User(BobToken, "mallory");
        var (_, state) = await AuthorizeAsync(gateway, user.Key);
        using var anonymous = gateway.Client();
        using (var first = await anonymous.GetAsync($"/oauth/callback?code=code-alice&state={Uri.EscapeDataString(state)}", Ct))
        {
            Assert.EndsWith("status=connected&app=github&account=alice", first.Headers.Location!.AbsoluteUri, StringComparison.Ordinal);
        }

        // Someone replays the used state with a code for their own GitHub account.
        using var replay = await anonymous.GetAsync($"/oauth/callback?code=code-mallory&state={Uri.EscapeDataString(state)}", Ct);

        // API.md §9.2 step 2: a used state → error=invalid_state, before any exchange.
        Assert.Equal("https://app.example.com/mcp/oauth-callback?status=error&app=github&error=invalid_state", replay.Headers.Location!.AbsoluteUri);
        Assert.Equal("code-alice", GitHubWire.Form(Assert.Single(github.Requests("POST", GitHubWire.TokenPath)))["code"]);
        await using var mcp = await gateway.McpAsync(user.Key);
        var me = await mcp.CallToolAsync("github_get_me", cancellationToken: Ct);
        Assert.Equal("alice", JsonNode.Parse(Text(me))!["login"]!.GetValue<string>());
        Assert.All(github.Requests("GET", "/user"), e => Assert.Equal("Bearer " + AliceToken, GitHubWire.Authorization(e)));
    }

    /// <summary><c>GET /oauth/authorize?app=github</c> with the key and <c>Accept: application/json</c> → <c>{url}</c> and its state.</summary>
    internal static async Task<(Uri Url, string State)> AuthorizeAsync(InitializedGateway gateway, string key)
    {
        using var client = gateway.Client(key);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/oauth/authorize?app=github");
        request.Headers.Accept.ParseAdd("application/json");
        using var response = await client.SendAsync(request, Ct);
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        using var doc = JsonDocument.Parse(body);
        var url = new Uri(doc.RootElement.GetProperty("url").GetString()!);
        return (url, InitializedGateway.Query(url)["state"]);
    }

    /// <summary>Authorize, then GitHub's redirect back to the callback; returns the callback's <c>Location</c>.</summary>
    internal static async Task<Uri> ConnectAsync(InitializedGateway gateway, string key, string code)
    {
        var (_, state) = await AuthorizeAsync(gateway, key);
        using var anonymous = gateway.Client();
        using var callback = await anonymous.GetAsync($"/oauth/callback?code={code}&state={Uri.EscapeDataString(state)}", Ct);
        Assert.Equal(HttpStatusCode.Redirect, callback.StatusCode);
        return callback.Headers.Location!;
    }

    /// <summary>The caller's connection status for an app from <c>GET /v1/me/connections</c> (API.md §4.10).</summary>
    internal static async Task<string> ConnectionStatusAsync(InitializedGateway gateway, string key, string app)
    {
        using var client = gateway.Client(key);
        var list = await client.GetFromJsonAsync<JsonElement>("/v1/me/connections", Ct);
        return list.GetProperty("data").EnumerateArray().Single(c => c.GetProperty("app").GetString() == app).GetProperty("status").GetString()!;
    }

    internal static string Text(CallToolResult result) => Assert.IsType<TextContentBlock>(Assert.Single(result.Content)).Text;

    internal static void AssertJson(string expected, string? actual) =>
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), JsonNode.Parse(actual ?? "null")), $"expected {expected}, got {actual}");

    private static Task<CallToolResult> CreateIssueAsync(McpClient client, string title) =>
        client.CallToolAsync("github_issue_write", new Dictionary<string, object?>
        {
            ["method"] = "create",
            ["owner"] = "octocat",
            ["repo"] = "Hello-World",
            ["title"] = title,
        }, cancellationToken: Ct).AsTask();
}
