using System.Buffers.Text;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Assistiv.EndToEnd.Tests.Support;
using Assistiv.OAuthBroker.Connect;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Microsoft.Playwright;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace Assistiv.EndToEnd.Tests.Flows;

/// <summary>
/// GitHub's OAuth connect (API.md §9.1–9.2) in a real headless browser: Playwright drives Debian's Chromium
/// (<see cref="HeadlessChromium"/>) from the connect link of <c>GET /v1/me/connections</c> (§4.10) through the gateway's
/// redirect to a GitHub-shaped consent page (WireMock standing in for github.com, as in
/// <see cref="GitHubConnectFlowTests"/>), a click on <b>Authorize</b>, the gateway's callback and its redirect to the
/// platform's <c>redirect_base_url</c>. A real browser rather than an <see cref="HttpClient"/> because the flow depends on
/// what only a browser does on its own: following the redirect chain across origins, submitting the provider's form, and
/// keeping the HttpOnly, SameSite=Lax <c>gw_connect</c> cookie set on the first hop and sending it back on the callback
/// (without it the state of a connect link is rejected, §9.2 step 2). Also: replayed links in the same browser store
/// nothing, and a callback whose state is gone shows the gateway's 400 error page (§9.2 step 1).
/// </summary>
public sealed class GitHubConsentBrowserTests
{
    private const string ClientId = "Iv1.8a61f9b3a7aba766";
    private const string ClientSecret = "1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b";
    private const string AppName = "Assistiv Test Platform";
    private const string Code = "code-alice";

    // CONNECTORS.md §1.1: OAuth App user tokens look like gho_…
    private const string AliceToken = "gho_16C7e42F292c6912E7710c838347Ae178B4a";

    private readonly FakeTimeProvider _time = new(TimeProvider.System.GetUtcNow());

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ConnectLink_ConsentPage_Authorize_LandsConnected_AndStoresTheConnection()
    {
        await using var chromium = await HeadlessChromium.LaunchAsync(); // first: a missing Chromium fails at once
        using var github = new GitHubWire();
        using var site = PlatformSite();
        await using var gateway = await InitializedGateway.StartAsync(_time, github.Configure);
        await gateway.ActivateAsync("github", ClientId, ClientSecret, site.Urls[0]);
        var user = await gateway.Platform.CreateEndUserAsync("alice");
        github.ConsentPage(AppName, Code);
        github.OAuthAppToken(Code, AliceToken);
        github.User(AliceToken, "octocat");
        await using var browser = await chromium.NewPageAsync(gateway);

        var connected = await ConnectInBrowserAsync(gateway, github, site, browser, user.Key);

        // API.md §9.2 step 7: the browser ends on the platform's page with status=connected, the app and the GitHub login.
        Assert.Equal(Landing(site) + "?status=connected&app=github&account=octocat", connected.Landing);
        Assert.Equal("Back on the platform", await browser.Page.InnerTextAsync("h1"));

        // API.md §4.10: the connection now exists for this end user, labelled with the GitHub login (§9.2 step 6).
        var connection = await ConnectionAsync(gateway, user.Key);
        Assert.Equal("connected", connection.GetProperty("status").GetString());
        Assert.Equal("octocat", connection.GetProperty("account_label").GetString());
        Assert.Equal(JsonValueKind.String, connection.GetProperty("connected_at").ValueKind);

        // §9.2 step 5: exactly one exchange, of the code the consent page sent, with the PKCE verifier whose S256
        // challenge the gateway put in the authorize URL (RFC 7636 §4.1–4.2; CONNECTORS.md §1.1).
        var exchange = GitHubWire.Form(Assert.Single(github.Requests("POST", GitHubWire.TokenPath)));
        Assert.Equal("authorization_code", exchange["grant_type"]);
        Assert.Equal(Code, exchange["code"]);
        Assert.Equal(ClientId, exchange["client_id"]);
        Assert.Equal(InitializedGateway.PublicBaseUrl + "/oauth/callback", exchange["redirect_uri"]);
        var verifier = exchange["code_verifier"];
        Assert.InRange(verifier.Length, 43, 128);
        Assert.Equal(connected.CodeChallenge, Base64Url.EncodeToString(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))));
    }

    [Fact]
    public async Task ReplayedLinks_InTheBrowser_StoreNothing_AndAPurgedStateShowsTheErrorPage()
    {
        await using var chromium = await HeadlessChromium.LaunchAsync(); // first: a missing Chromium fails at once
        using var github = new GitHubWire();
        using var site = PlatformSite();
        await using var gateway = await InitializedGateway.StartAsync(_time, github.Configure);
        await gateway.ActivateAsync("github", ClientId, ClientSecret, site.Urls[0]);
        var user = await gateway.Platform.CreateEndUserAsync("alice");
        github.ConsentPage(AppName, Code);
        github.OAuthAppToken(Code, AliceToken); // answers every exchange of this code: a second one would show below
        github.User(AliceToken, "octocat");
        await using var browser = await chromium.NewPageAsync(gateway);
        var connected = await ConnectInBrowserAsync(gateway, github, site, browser, user.Key);
        Assert.Equal(Landing(site) + "?status=connected&app=github&account=octocat", connected.Landing);
        var connectedAt = (await ConnectionAsync(gateway, user.Key)).GetProperty("connected_at").GetString();

        // API.md §9.1: a connect link is single-use → the platform's page with error=link_used.
        await browser.GotoAsync(connected.ConnectLink);
        Assert.Equal(Landing(site) + "?status=error&app=github&error=link_used", browser.Url);

        // §9.2 step 2: the same callback URL again (its state is used) → error=invalid_state, before any exchange.
        await browser.GotoAsync(connected.Callback);
        Assert.Equal(Landing(site) + "?status=error&app=github&error=invalid_state", browser.Url);

        // §9.2 step 1: once the state is purged (24 h after its 10-minute expiry) it counts as unknown → a 400 text/html
        // page naming invalid_state, and the browser stays on it (no platform to send it back to).
        _time.Advance(TimeSpan.FromMinutes(10) + TimeSpan.FromHours(24) + TimeSpan.FromSeconds(1));
        await gateway.Factory.Services.GetRequiredService<OAuthPurgeService>().PurgeAsync(Ct);
        var errorPage = await browser.GotoAsync(connected.Callback);
        Assert.NotNull(errorPage);
        Assert.Equal(400, errorPage.Status);
        Assert.StartsWith("text/html", errorPage.Headers["content-type"], StringComparison.Ordinal);
        Assert.True(browser.Url == connected.Callback.AbsoluteUri, "the browser left the callback for " + GatewayPage.Mask(browser.Url));
        Assert.Contains("invalid_state", await browser.Page.InnerTextAsync("body"), StringComparison.Ordinal);
        // The gateway's error page (OAuthEndpoints.ErrorPage) tells the person what happened.
        Assert.Equal("Connection failed", await browser.Page.InnerTextAsync("h1"));
        await ScreenshotAsync(browser.Page, "replayed-callback-error-page");

        // Nothing new was stored: still the one exchange, and the connection is the one made by the first visit.
        Assert.Equal(Code, GitHubWire.Form(Assert.Single(github.Requests("POST", GitHubWire.TokenPath)))["code"]);
        var connection = await ConnectionAsync(gateway, user.Key);
        Assert.Equal("connected", connection.GetProperty("status").GetString());
        Assert.Equal("octocat", connection.GetProperty("account_label").GetString());
        Assert.Equal(connectedAt, connection.GetProperty("connected_at").GetString());
    }

    /// <summary>
    /// The browser opens the end user's connect link, is sent to the consent page, clicks Authorize and follows the
    /// redirects to the platform's page. Asserts each hop against API.md §9.1–9.2 on the way.
    /// </summary>
    private static async Task<ConnectedInBrowser> ConnectInBrowserAsync(
        InitializedGateway gateway, GitHubWire github, WireMockServer site, GatewayPage browser, string key)
    {
        // API.md §4.10: not connected yet; connect_url is a connect link {base}/oauth/authorize?app=github&connect_token=….
        var before = await ConnectionAsync(gateway, key);
        Assert.Equal("not_connected", before.GetProperty("status").GetString());
        var link = new Uri(before.GetProperty("connect_url").GetString()!);
        Assert.StartsWith(InitializedGateway.PublicBaseUrl + "/oauth/authorize?app=github&connect_token=", link.AbsoluteUri, StringComparison.Ordinal);

        // §9.1: the link → 302 to the provider's authorize URL, which shows GitHub's consent page.
        var consent = await browser.GotoAsync(link);
        Assert.NotNull(consent);
        Assert.Equal(200, consent.Status);
        Assert.Equal(github.Url + GitHubWire.AuthorizePath, new Uri(browser.Url).GetLeftPart(UriPartial.Path));
        Assert.Equal("Authorize " + AppName, await browser.Page.InnerTextAsync("h1"));
        await ScreenshotAsync(browser.Page, "github-consent-page");

        // §9.1 provider URL parameters (§9.4 for github: space-joined default scopes, PKCE).
        var authorize = InitializedGateway.Query(new Uri(browser.Url));
        Assert.Equal("code", authorize["response_type"]);
        Assert.Equal(ClientId, authorize["client_id"]);
        Assert.Equal(InitializedGateway.PublicBaseUrl + "/oauth/callback", authorize["redirect_uri"]);
        Assert.Equal("repo read:user gist workflow", authorize["scope"]);
        Assert.Equal("S256", authorize["code_challenge_method"]);
        var state = authorize["state"];
        Assert.NotEmpty(state);

        // The user approves: GitHub sends the browser to redirect_uri with the code and the same state; the gateway
        // answers with its redirect to the platform's page (§9.2 step 7).
        await browser.ClickAsync("Authorize", url => url.StartsWith(Landing(site) + "?", StringComparison.Ordinal));
        await ScreenshotAsync(browser.Page, "platform-landing-page");

        var callbacks = browser.GatewayRequests.Where(u => u.AbsolutePath == "/oauth/callback").ToList();
        Assert.True(callbacks.Count == 1, $"the browser opened the gateway's callback {callbacks.Count} times, expected once");
        var callbackQuery = InitializedGateway.Query(callbacks[0]);
        Assert.Equal(Code, callbackQuery["code"]);
        Assert.Equal(state, callbackQuery["state"]);
        return new ConnectedInBrowser(link, callbacks[0], authorize["code_challenge"], browser.Url);
    }

    /// <summary>
    /// The platform's own site (API.md §4.11 <c>redirect_base_url</c>), where users land after a connect: a page at
    /// <c>/mcp/oauth-callback</c> on a loopback WireMock server.
    /// </summary>
    private static WireMockServer PlatformSite()
    {
        var site = WireMockServer.Start();
        site.Given(Request.Create().WithPath("/mcp/oauth-callback").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "text/html; charset=utf-8")
                .WithBody("<!doctype html><html lang=\"en\"><head><title>Platform</title></head><body><h1>Back on the platform</h1></body></html>"));
        return site;
    }

    /// <summary>API.md §9.2 step 7: <c>{redirect_base_url}/mcp/oauth-callback</c>, before its query.</summary>
    private static string Landing(WireMockServer site) => site.Urls[0] + "/mcp/oauth-callback";

    /// <summary>The caller's <c>github</c> entry of <c>GET /v1/me/connections</c> (API.md §4.10).</summary>
    private static async Task<JsonElement> ConnectionAsync(InitializedGateway gateway, string key)
    {
        using var client = gateway.Client(key);
        var list = await client.GetFromJsonAsync<JsonElement>("/v1/me/connections", Ct);
        return list.GetProperty("data").EnumerateArray().Single(c => c.GetProperty("app").GetString() == "github").Clone();
    }

    /// <summary>A PNG of the page, attached to the test's result (xUnit attachment).</summary>
    private static async Task ScreenshotAsync(IPage page, string name) =>
        TestContext.Current.AddAttachment(name + ".png", await page.ScreenshotAsync(), "image/png");

    private sealed record ConnectedInBrowser(Uri ConnectLink, Uri Callback, string CodeChallenge, string Landing);
}
