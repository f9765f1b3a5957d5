using System.Net;
using System.Text;
using System.Text.Json;
using Assistiv.Connectors.Registry;
using Assistiv.Tests.Common.Host;
using Microsoft.Extensions.DependencyInjection;

namespace Assistiv.McpServer.Tests.OAuth;

public sealed class ConnectionsEndpointsTests : IAsyncLifetime
{
    private OAuthHost _host = null!;
    private TestPlatform _platform = null!;
    private TestEndUser _user = null!;

    public async ValueTask InitializeAsync()
    {
        _host = new OAuthHost();
        _platform = await _host.Factory.CreatePlatformAsync();
        _user = await _platform.CreateEndUserAsync();
        await _host.ActivateAsync(_platform, "github");
    }

    public ValueTask DisposeAsync() => _host.DisposeAsync();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<JsonDocument> JsonAsync(HttpResponseMessage response, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == expected, $"expected {expected}, got {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text);
    }

    [Fact]
    public async Task MeConnections_ListsEveryActivatedApp_WithAFreshConnectLink()
    {
        await _host.ActivateAsync(_platform, "mock");
        _host.GitHubToken("code-1", "gho_one", "octocat", scope: "repo,gist");
        await _host.ConnectAsync(_user.Key, "code-1");
        using var client = _host.Client(_user.Key);

        using var doc = await JsonAsync(await client.GetAsync("/v1/me/connections", Ct));

        // API.md §4.10: {"data":[…]} without paging fields, one entry per activated app.
        Assert.Equal(["data"], doc.RootElement.EnumerateObject().Select(p => p.Name));
        var entries = doc.RootElement.GetProperty("data").EnumerateArray().ToList();
        Assert.Equal(["github", "mock"], entries.Select(e => e.GetProperty("app").GetString()));
        string[] fields = ["app", "name", "status", "account_label", "granted_scopes", "connected_at", "last_used_at", "connect_url"];
        Assert.All(entries, e => Assert.Equal(fields, e.EnumerateObject().Select(p => p.Name)));

        var github = entries[0];
        Assert.Equal("GitHub", github.GetProperty("name").GetString());
        Assert.Equal("connected", github.GetProperty("status").GetString());
        Assert.Equal("octocat", github.GetProperty("account_label").GetString());
        Assert.Equal(["repo", "gist"], github.GetProperty("granted_scopes").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal("2026-05-01T12:00:00.000Z", github.GetProperty("connected_at").GetString());

        var mock = entries[1];
        Assert.Equal("not_connected", mock.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, mock.GetProperty("account_label").ValueKind);
        Assert.Equal(JsonValueKind.Null, mock.GetProperty("connected_at").ValueKind);
        var link = new Uri(mock.GetProperty("connect_url").GetString()!);
        Assert.Equal("http://127.0.0.1:8080/oauth/authorize", link.GetLeftPart(UriPartial.Path));
        Assert.Equal("mock", OAuthHost.Query(link)["app"]);

        using var again = await JsonAsync(await client.GetAsync("/v1/me/connections", Ct));
        Assert.NotEqual(link.AbsoluteUri, again.RootElement.GetProperty("data")[1].GetProperty("connect_url").GetString());
    }

    [Fact]
    public async Task MeConnections_Returns403WrongKeyType_ForAPlatformKey()
    {
        using var client = _host.Client(_platform.AdminKey);
        await HttpAssert.ErrorAsync(await client.GetAsync("/v1/me/connections", Ct), 403, "wrong_key_type");
        await HttpAssert.ErrorAsync(await client.DeleteAsync("/v1/me/connections/github", Ct), 403, "wrong_key_type");
    }

    [Fact]
    public async Task MeDisconnect_RevokesUpstreamWithBasicAuth_ThenDeletes()
    {
        _host.GitHubToken("code-1", "gho_one", "octocat");
        await _host.ConnectAsync(_user.Key, "code-1");
        using var client = _host.Client(_user.Key);

        using var response = await client.DeleteAsync("/v1/me/connections/github", Ct);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        // API.md §9.4: DELETE {api}/applications/{client_id}/token, Basic client_id:client_secret, body {"access_token": …}.
        var revoke = Assert.Single(_host.Requests("/applications/", "DELETE"));
        Assert.Equal("/applications/Iv1.abc/token", revoke.RequestMessage.Path);
        var basic = Convert.ToBase64String(Encoding.UTF8.GetBytes(OAuthHost.ClientId + ":" + OAuthHost.ClientSecret));
        Assert.Equal("Basic " + basic, revoke.RequestMessage.Headers!["Authorization"].Single());
        using (var body = JsonDocument.Parse(revoke.RequestMessage.Body!))
        {
            Assert.Equal("gho_one", body.RootElement.GetProperty("access_token").GetString());
        }

        var token = await _host.Factory.Services.GetRequiredService<IAccessTokenSource>()
            .GetAccessTokenAsync(new ConnectionRef(_platform.Id, _user.Id, "github"), Ct);
        Assert.Equal(AccessTokenStatus.NotConnected, token.Status);
        using var doc = await JsonAsync(await client.GetAsync("/v1/me/connections", Ct));
        Assert.Equal("not_connected", doc.RootElement.GetProperty("data")[0].GetProperty("status").GetString());

        await HttpAssert.ErrorAsync(await client.DeleteAsync("/v1/me/connections/github", Ct), 404, "not_found");
    }

    [Fact]
    public async Task MeDisconnect_Succeeds_WhenTheUpstreamRevokeFails()
    {
        _host.GitHubToken("code-1", "gho_one", "octocat");
        await _host.ConnectAsync(_user.Key, "code-1");
        _host.GitHub.Given(WireMock.RequestBuilders.Request.Create().WithPath("/applications/*/token").UsingDelete()).AtPriority(1)
            .RespondWith(WireMock.ResponseBuilders.Response.Create().WithStatusCode(500));
        using var client = _host.Client(_user.Key);

        using var response = await client.DeleteAsync("/v1/me/connections/github", Ct);

        // API.md §9.6: failure is logged, never surfaced.
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        await HttpAssert.ErrorAsync(await client.DeleteAsync("/v1/me/connections/github", Ct), 404, "not_found");
    }

    [Fact]
    public async Task PlatformConnections_ReturnsConnectionObjects_InTheListEnvelope()
    {
        _host.GitHubToken("code-1", "gho_one", "octocat");
        await _host.ConnectAsync(_user.Key, "code-1");
        using var admin = _host.Client(_platform.AdminKey);

        using var doc = await JsonAsync(await admin.GetAsync(_platform.Path("/mcp/connections?app=github&status=connected&end_user_id=" + _user.Id), Ct));

        // API.md §0.2 envelope; §4.11 connection object, never tokens.
        Assert.Equal(["data", "total", "page", "limit", "has_more", "next_cursor"], doc.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal(1, doc.RootElement.GetProperty("total").GetInt32());
        var c = Assert.Single(doc.RootElement.GetProperty("data").EnumerateArray().ToList());
        string[] fields = ["id", "platform_id", "end_user_id", "app", "status", "account_label", "granted_scopes", "settings", "connected_at",
            "token_expires_at", "last_refreshed_at", "last_used_at", "last_error"];
        Assert.Equal(fields, c.EnumerateObject().Select(p => p.Name));
        Assert.Equal(_platform.Id.ToString(), c.GetProperty("platform_id").GetString());
        Assert.Equal(_user.Id.ToString(), c.GetProperty("end_user_id").GetString());
        Assert.Equal("github", c.GetProperty("app").GetString());
        Assert.Equal("connected", c.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Object, c.GetProperty("settings").ValueKind);
        Assert.Empty(c.GetProperty("settings").EnumerateObject());
        Assert.Equal(JsonValueKind.Null, c.GetProperty("last_error").ValueKind);
        Assert.DoesNotContain("gho_one", doc.RootElement.GetRawText(), StringComparison.Ordinal);

        using var none = await JsonAsync(await admin.GetAsync(_platform.Path("/mcp/connections?status=needs_reauth"), Ct));
        Assert.Equal(0, none.RootElement.GetProperty("total").GetInt32());
    }

    [Theory]
    [InlineData("status=broken", "status")]
    [InlineData("end_user_id=nope", "end_user_id")]
    [InlineData("limit=0", "limit")]
    public async Task PlatformConnections_Returns422_ForBadFilters(string query, string param)
    {
        using var admin = _host.Client(_platform.AdminKey);
        var error = await HttpAssert.ErrorAsync(await admin.GetAsync(_platform.Path("/mcp/connections?" + query), Ct), 422, "validation_error");
        Assert.Equal(param, error.GetProperty("param").GetString());
    }

    [Fact]
    public async Task ManagementRoutes_Return403WrongKeyType_ForAnEndUserKey()
    {
        using var client = _host.Client(_user.Key);
        await HttpAssert.ErrorAsync(await client.GetAsync(_platform.Path("/mcp/connections"), Ct), 403, "wrong_key_type");
        await HttpAssert.ErrorAsync(await client.GetAsync(_platform.Path($"/end-users/{_user.Id}/connections"), Ct), 403, "wrong_key_type");
        await HttpAssert.ErrorAsync(await client.DeleteAsync(_platform.Path($"/end-users/{_user.Id}/connections/github"), Ct), 403, "wrong_key_type");
    }

    [Fact]
    public async Task EndUserConnections_ListsOneUser_And404sForAnUnknownUser()
    {
        _host.GitHubToken("code-1", "gho_one", "octocat");
        await _host.ConnectAsync(_user.Key, "code-1");
        var other = await _platform.CreateEndUserAsync();
        using var admin = _host.Client(_platform.AdminKey);

        using var mine = await JsonAsync(await admin.GetAsync(_platform.Path($"/end-users/{_user.Id}/connections"), Ct));
        using var theirs = await JsonAsync(await admin.GetAsync(_platform.Path($"/end-users/{other.Id}/connections"), Ct));

        Assert.Equal(1, mine.RootElement.GetProperty("total").GetInt32());
        Assert.Equal(0, theirs.RootElement.GetProperty("total").GetInt32());
        await HttpAssert.ErrorAsync(await admin.GetAsync(_platform.Path($"/end-users/{Guid.CreateVersion7()}/connections"), Ct), 404, "not_found");
        await HttpAssert.ErrorAsync(await admin.GetAsync(_platform.Path("/end-users/not-a-uuid/connections"), Ct), 404, "not_found");
    }

    [Fact]
    public async Task EndUserDisconnect_Returns204_Then404()
    {
        _host.GitHubToken("code-1", "gho_one", "octocat");
        await _host.ConnectAsync(_user.Key, "code-1");
        using var admin = _host.Client(_platform.AdminKey);

        using var first = await admin.DeleteAsync(_platform.Path($"/end-users/{_user.Id}/connections/github"), Ct);
        Assert.Equal(HttpStatusCode.NoContent, first.StatusCode);
        Assert.Single(_host.Requests("/applications/", "DELETE"));

        await HttpAssert.ErrorAsync(await admin.DeleteAsync(_platform.Path($"/end-users/{_user.Id}/connections/github"), Ct), 404, "not_found");
        await HttpAssert.ErrorAsync(await admin.DeleteAsync(_platform.Path($"/end-users/{Guid.CreateVersion7()}/connections/github"), Ct), 404, "not_found");
    }

    [Fact]
    public async Task OtherPlatform_CannotSeeOrDeleteTheConnection()
    {
        _host.GitHubToken("code-1", "gho_one", "octocat");
        await _host.ConnectAsync(_user.Key, "code-1");
        var stranger = await _host.Factory.CreatePlatformAsync();
        using var admin = _host.Client(stranger.AdminKey);

        using var list = await JsonAsync(await admin.GetAsync(stranger.Path("/mcp/connections?end_user_id=" + _user.Id), Ct));
        Assert.Equal(0, list.RootElement.GetProperty("total").GetInt32());
        await HttpAssert.ErrorAsync(await admin.DeleteAsync(stranger.Path($"/end-users/{_user.Id}/connections/github"), Ct), 404, "not_found");
    }

    [Fact]
    public async Task EndUserDeletion_DisconnectsAndRevokes()
    {
        _host.GitHubToken("code-1", "gho_one", "octocat");
        await _host.ConnectAsync(_user.Key, "code-1");
        using var admin = _host.Client(_platform.AdminKey);

        using var response = await admin.DeleteAsync(_platform.Path($"/end-users/{_user.Id}"), Ct);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Single(_host.Requests("/applications/", "DELETE"));
        using var list = await JsonAsync(await admin.GetAsync(_platform.Path("/mcp/connections"), Ct));
        Assert.Equal(0, list.RootElement.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task AppDeactivation_RevokesAndDeletesEveryConnectionOfTheApp()
    {
        var second = await _platform.CreateEndUserAsync();
        _host.GitHubToken("code-1", "gho_one", "one");
        _host.GitHubToken("code-2", "gho_two", "two");
        await _host.ConnectAsync(_user.Key, "code-1");
        await _host.ConnectAsync(second.Key, "code-2");
        using var admin = _host.Client(_platform.AdminKey);

        using var response = await admin.DeleteAsync(_platform.Path("/mcp/apps/github"), Ct);

        // API.md §4.11 / §9.6: best-effort upstream revoke of every connection, then deletion.
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        var revoked = _host.Requests("/applications/", "DELETE").Select(r => JsonDocument.Parse(r.RequestMessage.Body!).RootElement
            .GetProperty("access_token").GetString()).Order(StringComparer.Ordinal);
        Assert.Equal(["gho_one", "gho_two"], revoked);
        using var list = await JsonAsync(await admin.GetAsync(_platform.Path("/mcp/connections"), Ct));
        Assert.Equal(0, list.RootElement.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task TwoUsers_ConnectWithDifferentCodes_AndTheirTokensNeverMix()
    {
        var second = await _platform.CreateEndUserAsync();
        _host.GitHubToken("code-alice", "gho_alice", "alice");
        _host.GitHubToken("code-bob", "gho_bob", "bob");

        Assert.EndsWith("account=alice", (await _host.ConnectAsync(_user.Key, "code-alice")).AbsoluteUri, StringComparison.Ordinal);
        Assert.EndsWith("account=bob", (await _host.ConnectAsync(second.Key, "code-bob")).AbsoluteUri, StringComparison.Ordinal);

        var tokens = _host.Factory.Services.GetRequiredService<IAccessTokenSource>();
        var alice = await tokens.GetAccessTokenAsync(new ConnectionRef(_platform.Id, _user.Id, "github"), Ct);
        var bob = await tokens.GetAccessTokenAsync(new ConnectionRef(_platform.Id, second.Id, "github"), Ct);
        Assert.Equal("gho_alice", alice.AccessToken);
        Assert.Equal("gho_bob", bob.AccessToken);
    }
}
