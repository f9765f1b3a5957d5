using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Assistiv.EndToEnd.Tests.Support;
using Microsoft.Extensions.Time.Testing;
using ModelContextProtocol.Protocol;

namespace Assistiv.EndToEnd.Tests.Flows;

/// <summary>
/// API.md §9.5's refresh storm over MCP: 50 concurrent <c>tools/call</c> through the real host on a GitHub App user token
/// inside the refresh skew → exactly one <c>grant_type=refresh_token</c> request reaches the fake token endpoint, all 50
/// calls succeed, and GitHub sees all 50 API calls with the new token (CONNECTORS.md B1, B8).
/// </summary>
public sealed class RefreshStormFlowTests
{
    private const string ClientId = "Iv1.8a61f9b3a7aba766";
    private const string ClientSecret = "1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b";

    // CONNECTORS.md §1.1: GitHub App user tokens are ghu_…, their refresh tokens ghr_….
    private const string OldToken = "ghu_16C7e42F292c6912E7710c838347Ae178B4a";
    private const string OldRefresh = "ghr_1B4a2e77838347a7E420ce178F2E7c6912E169246c34E1ccbF66C46812d16D5B1A9Dc86A1498";
    private const string NewToken = "ghu_7aB3c9D1e5F2a8B4c6D0e1F3a5B7c9D2e4F6a8";
    private const string NewRefresh = "ghr_9Zy8Xw7Vu6Ts5Rq4Po3Nm2Lk1Ji0Hg9Fe8Dc7Ba6Zy5Xw4Vu3Ts2Rq1Po0Nm9Lk8Ji7Hg6Fe5Dc4B";

    private readonly FakeTimeProvider _time = new(TimeProvider.System.GetUtcNow());

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task FiftyConcurrentToolCalls_OnAnExpiringToken_SendOneRefresh_AndAllUseTheNewToken()
    {
        using var github = new GitHubWire();
        await using var gateway = await InitializedGateway.StartAsync(_time, github.Configure);
        await gateway.ActivateAsync("github", ClientId, ClientSecret);
        var user = await gateway.Platform.CreateEndUserAsync("alice");
        github.GitHubAppToken("code-alice", OldToken, OldRefresh);
        github.User(OldToken, "octocat");
        // Once refreshed, only the new token may create issues; the old one gets 401 (CONNECTORS.md §1.1).
        github.CreateIssue("octocat", "Hello-World", NewToken);
        // The delay keeps the first refresh in flight while the other calls arrive.
        github.SingleUseRefresh(OldRefresh, NewToken, NewRefresh, TimeSpan.FromMilliseconds(300));
        Assert.EndsWith("status=connected&app=github&account=octocat",
            (await GitHubConnectFlowTests.ConnectAsync(gateway, user.Key, "code-alice")).AbsoluteUri, StringComparison.Ordinal);

        // expires_in 28800: four minutes before expiry is inside the 300 s refresh skew (API.md §9.5).
        _time.Advance(TimeSpan.FromSeconds(28800 - 240));
        var refreshedAt = _time.GetUtcNow();
        await using var mcp = await gateway.McpAsync(user.Key);
        var results = await Task.WhenAll(Enumerable.Range(0, 50).Select(i => mcp.CallToolAsync("github_issue_write", new Dictionary<string, object?>
        {
            ["method"] = "create",
            ["owner"] = "octocat",
            ["repo"] = "Hello-World",
            ["title"] = $"storm {i}",
        }, cancellationToken: Ct).AsTask()));

        Assert.All(results, r => Assert.False(r.IsError == true, Assert.IsType<TextContentBlock>(Assert.Single(r.Content)).Text));
        // CONNECTORS.md §1.1: refresh = POST …/access_token with client_id, client_secret, grant_type, refresh_token.
        var refresh = GitHubWire.Form(Assert.Single(github.TokenRequests("refresh_token")));
        Assert.Equal(OldRefresh, refresh["refresh_token"]);
        Assert.Equal(ClientId, refresh["client_id"]);
        Assert.Equal(ClientSecret, refresh["client_secret"]);
        var posted = github.Requests("POST", "/repos/octocat/Hello-World/issues");
        Assert.Equal(50, posted.Count);
        Assert.All(posted, e => Assert.Equal("Bearer " + NewToken, GitHubWire.Authorization(e)));

        // API.md §9.2/§9.5: the rotation stores expiry = time of issue + expires_in; §4.11 shows it on the connection.
        using var admin = gateway.Client(gateway.Platform.AdminKey);
        var list = await admin.GetFromJsonAsync<JsonElement>(gateway.Platform.Path("/mcp/connections?app=github"), Ct);
        var connection = Assert.Single(list.GetProperty("data").EnumerateArray().ToArray());
        Assert.Equal("connected", connection.GetProperty("status").GetString());
        Assert.Equal(Timestamp(refreshedAt.AddSeconds(28800)), connection.GetProperty("token_expires_at").GetString());
        Assert.Equal(Timestamp(refreshedAt), connection.GetProperty("last_refreshed_at").GetString());
    }

    // API.md §0.1: RFC 3339 UTC with Z and milliseconds.
    private static string Timestamp(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
