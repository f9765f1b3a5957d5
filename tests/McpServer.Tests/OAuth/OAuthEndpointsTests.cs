using System.Net;
using System.Text.Json;
using Assistiv.Tests.Common.Host;

namespace Assistiv.McpServer.Tests.OAuth;

public sealed class OAuthEndpointsTests : IAsyncLifetime
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

    [Fact]
    public async Task Authorize_Redirects302ToTheProvider_WithAnEndUserKey()
    {
        using var client = _host.Client(_user.Key);

        using var response = await client.GetAsync("/oauth/authorize?app=github", Ct);

        // API.md §9.1: 302 Location: <provider authorize URL> with the code-flow parameters.
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var location = response.Headers.Location!;
        Assert.Equal(_host.GitHub.Urls[0] + "/login/oauth/authorize", location.GetLeftPart(UriPartial.Path));
        var q = OAuthHost.Query(location);
        Assert.Equal("code", q["response_type"]);
        Assert.Equal(OAuthHost.ClientId, q["client_id"]);
        Assert.Equal("http://127.0.0.1:8080/oauth/callback", q["redirect_uri"]);
        Assert.Equal("repo read:user gist workflow", q["scope"]);
        Assert.Equal("S256", q["code_challenge_method"]);
        Assert.True(q.ContainsKey("code_challenge"));
        Assert.True(q.ContainsKey("state"));
        Assert.False(response.Headers.Contains("Set-Cookie"));
    }

    [Fact]
    public async Task Authorize_AnswersJson_WhenTheClientAcceptsJson()
    {
        using var client = _host.Client(_user.Key);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/oauth/authorize?app=github");
        request.Headers.Accept.ParseAdd("application/json");

        using var response = await client.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        // API.md §9.1: {"url","state_expires_at"}; states live 10 minutes; §0.1 timestamp format.
        Assert.Equal(["url", "state_expires_at"], doc.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.StartsWith(_host.GitHub.Urls[0] + "/login/oauth/authorize?", doc.RootElement.GetProperty("url").GetString(), StringComparison.Ordinal);
        Assert.Equal("2026-05-01T12:10:00.000Z", doc.RootElement.GetProperty("state_expires_at").GetString());
    }

    [Fact]
    public async Task Authorize_Returns403WrongKeyType_ForAPlatformKey()
    {
        using var client = _host.Client(_platform.AdminKey);
        using var response = await client.GetAsync("/oauth/authorize?app=github", Ct);
        // API.md §2.8 row 43.
        await HttpAssert.ErrorAsync(response, 403, "wrong_key_type");
    }

    [Fact]
    public async Task Authorize_Returns401MissingApiKey_WithoutKeyOrConnectToken()
    {
        using var client = _host.Client();
        using var response = await client.GetAsync("/oauth/authorize?app=github", Ct);
        await HttpAssert.ErrorAsync(response, 401, "missing_api_key");
        Assert.Equal("Bearer realm=\"assistiv\"", response.Headers.WwwAuthenticate.Single().ToString());
    }

    [Theory]
    [InlineData("sk-eu_0000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("garbage")]
    public async Task Authorize_Returns401InvalidApiKey_ForAnUnknownKey(string key)
    {
        using var client = _host.Client(key);
        using var response = await client.GetAsync("/oauth/authorize?app=github", Ct);
        await HttpAssert.ErrorAsync(response, 401, "invalid_api_key");
    }

    [Theory]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("x")]
    public async Task Authorize_Returns401InvalidApiKey_ForAnUnknownConnectToken(string token)
    {
        using var client = _host.Client();
        using var response = await client.GetAsync("/oauth/authorize?app=github&connect_token=" + token, Ct);
        // API.md §9.1: unknown or malformed connect token → 401 invalid_api_key.
        await HttpAssert.ErrorAsync(response, 401, "invalid_api_key");
    }

    [Theory]
    [InlineData("slack")]
    [InlineData("unknown-app")]
    public async Task Authorize_Returns404_WhenTheAppIsNotActivated(string app)
    {
        using var client = _host.Client(_user.Key);
        using var response = await client.GetAsync("/oauth/authorize?app=" + app, Ct);
        var error = await HttpAssert.ErrorAsync(response, 404, "not_found");
        Assert.Equal("app", error.GetProperty("param").GetString());
    }

    [Fact]
    public async Task Authorize_Returns422_WhenAppIsMissing()
    {
        using var client = _host.Client(_user.Key);
        using var response = await client.GetAsync("/oauth/authorize", Ct);
        var error = await HttpAssert.ErrorAsync(response, 422, "validation_error");
        Assert.Equal("app", error.GetProperty("param").GetString());
    }

    [Fact]
    public async Task Callback_RedirectsToThePlatform_WithTheAccount()
    {
        _host.GitHubToken("code-1", "gho_one", "octocat");

        var location = await _host.ConnectAsync(_user.Key, "code-1");

        // API.md §9.2 step 7.
        Assert.Equal("https://platform.example/mcp/oauth-callback?status=connected&app=github&account=octocat", location.AbsoluteUri);
    }

    [Theory]
    [InlineData("")]
    [InlineData("?code=abc")]
    [InlineData("?code=abc&state=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public async Task Callback_Answers400Html_WhenTheStateIsMissingOrUnknown(string query)
    {
        using var client = _host.Client();

        using var response = await client.GetAsync("/oauth/callback" + query, Ct);

        // API.md §9.2 step 1: 400 text/html page naming invalid_state.
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType!.MediaType);
        Assert.Contains("invalid_state", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Callback_RedirectsInvalidState_WhenTheStateIsReplayed()
    {
        _host.GitHubToken("code-1", "gho_one", "octocat");
        var state = await _host.StateAsync(_user.Key);
        using var client = _host.Client();
        using (var first = await client.GetAsync($"/oauth/callback?code=code-1&state={state}", Ct))
        {
            Assert.EndsWith("status=connected&app=github&account=octocat", first.Headers.Location!.AbsoluteUri, StringComparison.Ordinal);
        }

        using var replay = await client.GetAsync($"/oauth/callback?code=code-1&state={state}", Ct);

        Assert.Equal("https://platform.example/mcp/oauth-callback?status=error&app=github&error=invalid_state", replay.Headers.Location!.AbsoluteUri);
        Assert.Single(_host.Requests("/login/oauth/access_token", "POST"));
    }

    [Fact]
    public async Task ConnectLink_SetsTheBindingCookie_IsSingleUse_AndCompletesWithTheCookie()
    {
        _host.GitHubToken("code-1", "gho_one", "octocat");
        var link = await ConnectUrlAsync("github");
        using var browser = _host.Client();

        using var first = await browser.GetAsync(link.PathAndQuery, Ct);

        Assert.Equal(HttpStatusCode.Redirect, first.StatusCode);
        var state = OAuthHost.Query(first.Headers.Location!)["state"];
        var cookie = Assert.Single(first.Headers.GetValues("Set-Cookie"));
        // API.md §9.1: gw_connect, HttpOnly, SameSite=Lax, Path=/oauth, Secure only when {base} is https (here http).
        Assert.StartsWith("gw_connect=", cookie, StringComparison.Ordinal);
        Assert.Contains("path=/oauth", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=lax", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("secure", cookie, StringComparison.OrdinalIgnoreCase);

        using var reuse = await browser.GetAsync(link.PathAndQuery, Ct);
        Assert.Equal("https://platform.example/mcp/oauth-callback?status=error&app=github&error=link_used", reuse.Headers.Location!.AbsoluteUri);

        using var noCookie = await browser.GetAsync($"/oauth/callback?code=code-1&state={state}", Ct);
        Assert.EndsWith("error=invalid_state", noCookie.Headers.Location!.AbsoluteUri, StringComparison.Ordinal);

        using var request = new HttpRequestMessage(HttpMethod.Get, $"/oauth/callback?code=code-1&state={state}");
        request.Headers.Add("Cookie", cookie.Split(';')[0]);
        using var done = await browser.SendAsync(request, Ct);
        Assert.Equal("https://platform.example/mcp/oauth-callback?status=connected&app=github&account=octocat", done.Headers.Location!.AbsoluteUri);
    }

    [Fact]
    public async Task ConnectLink_WithAnotherApp_Returns422()
    {
        var link = await ConnectUrlAsync("github");
        var token = OAuthHost.Query(link)["connect_token"];
        using var browser = _host.Client();

        using var response = await browser.GetAsync("/oauth/authorize?app=mock&connect_token=" + token, Ct);

        var error = await HttpAssert.ErrorAsync(response, 422, "validation_error");
        Assert.Equal("app", error.GetProperty("param").GetString());
    }

    [Fact]
    public async Task ConnectLink_Expired_RedirectsLinkExpired()
    {
        var link = await ConnectUrlAsync("github");
        _host.Time.Advance(TimeSpan.FromMinutes(10));
        using var browser = _host.Client();

        using var response = await browser.GetAsync(link.PathAndQuery, Ct);

        Assert.Equal("https://platform.example/mcp/oauth-callback?status=error&app=github&error=link_expired", response.Headers.Location!.AbsoluteUri);
    }

    [Fact]
    public async Task Enterprise_ConnectsAgainstTheEnterpriseHosts_FromTheActivationSetting()
    {
        using var enterprise = WireMock.Server.WireMockServer.Start();
        enterprise.Given(WireMock.RequestBuilders.Request.Create().WithPath("/login/oauth/access_token").UsingPost())
            .RespondWith(WireMock.ResponseBuilders.Response.Create().WithStatusCode(200)
                .WithBodyAsJson(new { access_token = "gho_enterprise", scope = "repo", token_type = "bearer" }));
        enterprise.Given(WireMock.RequestBuilders.Request.Create().WithPath("/api/v3/user").UsingGet().WithHeader("Authorization", "Bearer gho_enterprise"))
            .RespondWith(WireMock.ResponseBuilders.Response.Create().WithStatusCode(200).WithBodyAsJson(new { login = "hubber", id = 7 }));
        var platform = await _host.Factory.CreatePlatformAsync();
        var user = await platform.CreateEndUserAsync();
        await _host.ActivateAsync(platform, "github", new { enterprise_base_url = enterprise.Urls[0] });

        using var client = _host.Client(user.Key);
        using var authorize = await client.GetAsync("/oauth/authorize?app=github", Ct);
        // API.md §9.4: with enterprise_base_url E, OAuth lives at E/login/oauth/… and the API at E/api/v3.
        Assert.Equal(enterprise.Urls[0] + "/login/oauth/authorize", authorize.Headers.Location!.GetLeftPart(UriPartial.Path));
        using var browser = _host.Client();
        using var done = await browser.GetAsync("/oauth/callback?code=e1&state=" + OAuthHost.Query(authorize.Headers.Location!)["state"], Ct);

        Assert.Equal("https://platform.example/mcp/oauth-callback?status=connected&app=github&account=hubber", done.Headers.Location!.AbsoluteUri);
        Assert.Empty(_host.Requests("/login/oauth/access_token", "POST"));
    }

    [Fact]
    public async Task MockApp_ConnectsThroughItsOwnAuthorizePage()
    {
        await _host.ActivateAsync(_platform, "mock");
        using var client = _host.Client(_user.Key);
        using var authorize = await client.GetAsync("/oauth/authorize?app=mock", Ct);
        var provider = authorize.Headers.Location!;
        // API.md §9.3: {base}/oauth/mock/authorize?state=…
        Assert.Equal("http://127.0.0.1:8080/oauth/mock/authorize", provider.GetLeftPart(UriPartial.Path));

        using var browser = _host.Client();
        using var consent = await browser.GetAsync(provider.PathAndQuery + "&redirect_uri=https%3A%2F%2Fevil.example%2F", Ct);
        var back = consent.Headers.Location!;
        // The redirect_uri parameter is ignored: always {base}/oauth/callback?code=mock-code&state=…
        Assert.Equal("http://127.0.0.1:8080/oauth/callback", back.GetLeftPart(UriPartial.Path));
        Assert.Equal("mock-code", OAuthHost.Query(back)["code"]);
        Assert.Equal(OAuthHost.Query(provider)["state"], OAuthHost.Query(back)["state"]);

        using var done = await browser.GetAsync(back.PathAndQuery, Ct);
        Assert.StartsWith("https://platform.example/mcp/oauth-callback?status=connected&app=mock", done.Headers.Location!.AbsoluteUri, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MockApp_Deny_RedirectsAccessDenied()
    {
        await _host.ActivateAsync(_platform, "mock");
        using var client = _host.Client(_user.Key);
        using var authorize = await client.GetAsync("/oauth/authorize?app=mock", Ct);
        using var browser = _host.Client();

        using var consent = await browser.GetAsync(authorize.Headers.Location!.PathAndQuery + "&deny=1", Ct);
        Assert.Equal("access_denied", OAuthHost.Query(consent.Headers.Location!)["error"]);
        using var done = await browser.GetAsync(consent.Headers.Location!.PathAndQuery, Ct);

        Assert.Equal("https://platform.example/mcp/oauth-callback?status=error&app=mock&error=access_denied", done.Headers.Location!.AbsoluteUri);
    }

    [Fact]
    public async Task MockAuthorize_IsNotFound_WithoutMockApps()
    {
        await using var host = new OAuthHost(f => f.With("Gateway:EnableMockApps", "false"));
        using var client = host.Client();

        using var response = await client.GetAsync("/oauth/mock/authorize?state=x", Ct);

        await HttpAssert.ErrorAsync(response, 404, "not_found");
    }

    private async Task<Uri> ConnectUrlAsync(string app)
    {
        using var client = _host.Client(_user.Key);
        using var response = await client.GetAsync("/v1/me/connections", Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        var entry = doc.RootElement.GetProperty("data").EnumerateArray().Single(e => e.GetProperty("app").GetString() == app);
        return new Uri(entry.GetProperty("connect_url").GetString()!);
    }
}
