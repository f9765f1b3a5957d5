using System.Security.Cryptography;
using System.Text;
using Assistiv.Connectors.Registry;
using Assistiv.OAuthBroker.Connect;
using Assistiv.OAuthBroker.Tests.TestSupport;
using Microsoft.EntityFrameworkCore;

namespace Assistiv.OAuthBroker.Tests.Connect;

public sealed class ConnectLinkTests : IAsyncLifetime
{
    private readonly GitHubFake _github = new();
    private BrokerHarness _h = null!;
    private Guid _platform;
    private Guid _user;

    public async ValueTask InitializeAsync()
    {
        _h = await BrokerHarness.CreateAsync(BrokerHarness.NewClock(), _github.Settings());
        _platform = await _h.CreatePlatformAsync();
        _user = await _h.CreateEndUserAsync(_platform);
        await _h.ActivateAsync(_platform, "github");
    }

    public async ValueTask DisposeAsync()
    {
        await _h.DisposeAsync();
        _github.Dispose();
    }

    private OAuthConnectService Connect => _h.Get<OAuthConnectService>();

    private async Task<string> NewLinkTokenAsync(string app = "github", string? elicitationId = null)
    {
        var link = await _h.Get<IConnectLinkIssuer>().CreateConnectLinkAsync(new ConnectionRef(_platform, _user, app), elicitationId, TestContext.Current.CancellationToken);
        // API.md §9.1: {base}/oauth/authorize?app={app}&connect_token={token}.
        Assert.Equal("http://gateway.test/oauth/authorize", link.GetLeftPart(UriPartial.Path));
        var q = Flow.Query(link);
        Assert.Equal(app, q["app"]);
        return q["connect_token"];
    }

    [Fact]
    public async Task Link_IsStoredAsSha256_AndLivesTenMinutes()
    {
        var token = await NewLinkTokenAsync();

        await using var db = await _h.DbAsync();
        var row = await db.ConnectTokens.SingleAsync(t => t.PlatformId == _platform, TestContext.Current.CancellationToken);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token))), row.TokenHash);
        Assert.Equal(_h.Time.GetUtcNow().AddMinutes(10), row.ExpiresAt);
        Assert.Equal(_user, row.EndUserId);
    }

    [Fact]
    public async Task Link_CreatesStateWithCookieNonce_AndCarriesTheElicitationId()
    {
        var token = await NewLinkTokenAsync(elicitationId: "elic-1");

        var outcome = await Connect.StartWithConnectTokenAsync(token, "github", TestContext.Current.CancellationToken);

        Assert.Equal(AuthorizeOutcomeKind.Authorize, outcome.Kind);
        Assert.NotNull(outcome.CookieNonce);
        await using var db = await _h.DbAsync();
        var state = await db.OAuthStates.SingleAsync(s => s.PlatformId == _platform, TestContext.Current.CancellationToken);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(outcome.CookieNonce))), state.CookieNonceHash);
        Assert.Equal("elic-1", state.ElicitationId);
        Assert.Equal(_user, state.EndUserId);
    }

    [Fact]
    public async Task Link_IsSingleUse()
    {
        var token = await NewLinkTokenAsync();
        Assert.Equal(AuthorizeOutcomeKind.Authorize, (await Connect.StartWithConnectTokenAsync(token, "github", TestContext.Current.CancellationToken)).Kind);

        var second = await Connect.StartWithConnectTokenAsync(token, "github", TestContext.Current.CancellationToken);

        // API.md §9.1: a consumed token → 302 {redirect_base_url}/mcp/oauth-callback?status=error&app={app}&error=link_used.
        Assert.Equal(AuthorizeOutcomeKind.LinkRejected, second.Kind);
        Assert.Equal("https://platform.example/mcp/oauth-callback?status=error&app=github&error=link_used", second.Location!.AbsoluteUri);
        await using var db = await _h.DbAsync();
        Assert.Equal(1, await db.OAuthStates.CountAsync(s => s.PlatformId == _platform, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Link_ConcurrentOpens_CreateExactlyOneState()
    {
        var token = await NewLinkTokenAsync();

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ =>
            Task.Run(() => Connect.StartWithConnectTokenAsync(token, "github", TestContext.Current.CancellationToken))));

        Assert.Single(outcomes, o => o.Kind == AuthorizeOutcomeKind.Authorize);
        Assert.All(outcomes.Where(o => o.Kind != AuthorizeOutcomeKind.Authorize), o => Assert.Equal(AuthorizeOutcomeKind.LinkRejected, o.Kind));
    }

    [Fact]
    public async Task Link_Expired_RedirectsLinkExpired_AndCreatesNoState()
    {
        var token = await NewLinkTokenAsync();
        _h.Time.Advance(TimeSpan.FromMinutes(10));

        var outcome = await Connect.StartWithConnectTokenAsync(token, "github", TestContext.Current.CancellationToken);

        Assert.Equal("https://platform.example/mcp/oauth-callback?status=error&app=github&error=link_expired", outcome.Location!.AbsoluteUri);
        await using var db = await _h.DbAsync();
        Assert.Equal(0, await db.OAuthStates.CountAsync(s => s.PlatformId == _platform, TestContext.Current.CancellationToken));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("short")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("sk-eu_0000000000000000000000000000000000000000000000000000000000000000")]
    public async Task Link_UnknownOrMalformed_IsInvalid(string? token)
    {
        var outcome = await Connect.StartWithConnectTokenAsync(token, "github", TestContext.Current.CancellationToken);
        Assert.Equal(AuthorizeOutcomeKind.InvalidConnectToken, outcome.Kind);
    }

    [Theory]
    [InlineData("mock")]
    [InlineData(null)]
    public async Task Link_WithAnotherApp_IsRejected_AndNotConsumed(string? app)
    {
        var token = await NewLinkTokenAsync();

        var outcome = await Connect.StartWithConnectTokenAsync(token, app, TestContext.Current.CancellationToken);

        Assert.Equal(AuthorizeOutcomeKind.InvalidApp, outcome.Kind);
        Assert.Equal(AuthorizeOutcomeKind.Authorize, (await Connect.StartWithConnectTokenAsync(token, "github", TestContext.Current.CancellationToken)).Kind);
    }

    [Fact]
    public async Task Callback_WithoutTheMatchingCookie_IsInvalidState_AndLeavesTheStateUsable()
    {
        _github.OAuthAppToken("code-1", "gho_one");
        var token = await NewLinkTokenAsync();
        var outcome = await Connect.StartWithConnectTokenAsync(token, "github", TestContext.Current.CancellationToken);
        var state = Flow.State(outcome);

        var noCookie = await Flow.CallbackAsync(_h, state, "code-1");
        var wrongCookie = await Flow.CallbackAsync(_h, state, "code-1", cookie: "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");

        // API.md §9.2 step 2.
        Assert.EndsWith("error=invalid_state", noCookie.Redirect!.AbsoluteUri, StringComparison.Ordinal);
        Assert.EndsWith("error=invalid_state", wrongCookie.Redirect!.AbsoluteUri, StringComparison.Ordinal);
        Assert.Empty(_github.TokenRequests());
        Assert.Null(await _h.ConnectionAsync(new ConnectionRef(_platform, _user, "github")));

        var withCookie = await Flow.CallbackAsync(_h, state, "code-1", cookie: outcome.CookieNonce);
        Assert.True(withCookie.Succeeded, withCookie.Code);
    }

    [Fact]
    public async Task Link_OfDeactivatedEndUser_IsRejected()
    {
        var token = await NewLinkTokenAsync();
        await using (var db = await _h.DbAsync())
        {
            await db.EndUsers.Where(u => u.Id == _user).ExecuteUpdateAsync(s => s.SetProperty(u => u.IsActive, false), TestContext.Current.CancellationToken);
        }

        var outcome = await Connect.StartWithConnectTokenAsync(token, "github", TestContext.Current.CancellationToken);

        Assert.Equal(AuthorizeOutcomeKind.EndUserInactive, outcome.Kind);
    }
}
