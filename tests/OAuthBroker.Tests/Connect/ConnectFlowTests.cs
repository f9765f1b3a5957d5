using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Assistiv.Connectors.Registry;
using Assistiv.OAuthBroker.Connect;
using Assistiv.OAuthBroker.Tests.TestSupport;
using Microsoft.EntityFrameworkCore;

namespace Assistiv.OAuthBroker.Tests.Connect;

public sealed class ConnectFlowTests : IAsyncLifetime
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
        await _h.ActivateAsync(_platform, "github", clientId: "Iv1.abc", clientSecret: "shh");
    }

    public async ValueTask DisposeAsync()
    {
        await _h.DisposeAsync();
        _github.Dispose();
    }

    private ConnectionRef Github => new(_platform, _user, "github");

    [Fact]
    public async Task Authorize_BuildsGitHubUrl_WithCodeFlowParametersAndDefaultScopes()
    {
        var outcome = await Flow.AuthorizeAsync(_h, _platform, _user);

        var url = outcome.Location!;
        Assert.Equal(_github.Url + "/login/oauth/authorize", url.GetLeftPart(UriPartial.Path));
        var q = Flow.Query(url);
        // API.md §9.1 parameters; §9.4: GitHub scope is space-joined "repo read:user gist workflow".
        Assert.Equal("code", q["response_type"]);
        Assert.Equal("Iv1.abc", q["client_id"]);
        Assert.Equal("http://gateway.test/oauth/callback", q["redirect_uri"]);
        Assert.Equal("repo read:user gist workflow", q["scope"]);
        Assert.Equal("S256", q["code_challenge_method"]);
        Assert.Equal(43, q["state"].Length);
        // API.md §9.1: the state lives 10 minutes.
        Assert.Equal(_h.Time.GetUtcNow().AddMinutes(10), outcome.StateExpiresAt);
        Assert.Null(outcome.CookieNonce);
    }

    [Fact]
    public async Task Authorize_UsesActivationScopes_WhenActivationNamesThem()
    {
        var platform = await _h.CreatePlatformAsync();
        var user = await _h.CreateEndUserAsync(platform);
        await _h.ActivateAsync(platform, "github", scopes: ["repo", "read:org"]);

        var outcome = await Flow.AuthorizeAsync(_h, platform, user);

        Assert.Equal("repo read:org", Flow.Query(outcome.Location!)["scope"]);
    }

    [Fact]
    public async Task Authorize_StoresOnlyTheStateHash()
    {
        var outcome = await Flow.AuthorizeAsync(_h, _platform, _user);
        var state = Flow.State(outcome);

        await using var db = await _h.DbAsync();
        var row = await db.OAuthStates.SingleAsync(s => s.PlatformId == _platform, TestContext.Current.CancellationToken);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(state))), row.StateHash);
        Assert.DoesNotContain(state, row.CodeVerifierProtected!, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public async Task Authorize_RejectsMissingApp(string? app)
    {
        var outcome = await _h.Get<OAuthConnectService>().StartForEndUserAsync(_platform, _user, app, TestContext.Current.CancellationToken);
        Assert.Equal(AuthorizeOutcomeKind.InvalidApp, outcome.Kind);
    }

    [Theory]
    [InlineData("slack")]
    [InlineData("nope")]
    public async Task Authorize_AnswersNotFound_WhenAppUnknownOrNotActivated(string app)
    {
        var outcome = await _h.Get<OAuthConnectService>().StartForEndUserAsync(_platform, _user, app, TestContext.Current.CancellationToken);
        Assert.Equal(AuthorizeOutcomeKind.AppNotFound, outcome.Kind);
    }

    [Fact]
    public async Task Pkce_ChallengeIsS256OfTheVerifierSentAtExchange()
    {
        _github.OAuthAppToken("code-1", "gho_one");
        var authorize = await Flow.AuthorizeAsync(_h, _platform, _user);
        var challenge = Flow.Query(authorize.Location!)["code_challenge"];

        var result = await Flow.CallbackAsync(_h, Flow.State(authorize), "code-1");

        Assert.True(result.Succeeded, result.Code);
        var exchange = Assert.Single(_github.TokenRequests());
        var form = GitHubFake.Form(exchange);
        // RFC 7636 §4.2: code_challenge = BASE64URL(SHA256(ASCII(code_verifier))); §4.1: 43–128 characters.
        var verifier = form["code_verifier"];
        Assert.InRange(verifier.Length, 43, 128);
        Assert.Equal(challenge, Base64Url.EncodeToString(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))));
        // CONNECTORS.md §1.1: GitHub takes client_id, client_secret, code, redirect_uri in the body.
        Assert.Equal("Iv1.abc", form["client_id"]);
        Assert.Equal("shh", form["client_secret"]);
        Assert.Equal("code-1", form["code"]);
        Assert.Equal("http://gateway.test/oauth/callback", form["redirect_uri"]);
        Assert.Equal("authorization_code", form["grant_type"]);
    }

    [Fact]
    public async Task Callback_StoresEncryptedTokens_AndRedirectsWithAccount()
    {
        _github.OAuthAppToken("code-1", "gho_one", scope: "repo,gist");
        _github.User("gho_one", "octocat");

        var result = await Flow.ConnectAsync(_h, _platform, _user, "code-1");

        // API.md §9.2 step 7.
        Assert.Equal("https://platform.example/mcp/oauth-callback?status=connected&app=github&account=octocat", result.Redirect!.AbsoluteUri);
        var row = await _h.ConnectionAsync(Github);
        Assert.NotNull(row);
        Assert.Equal("connected", row.Status);
        Assert.Equal("octocat", row.AccountLabel);
        Assert.DoesNotContain("gho_one", row.TokensProtected!, StringComparison.Ordinal);
        Assert.Equal("gho_one", _h.Tokens(row).AccessToken);
        // CONNECTORS.md §1.1: GitHub's response scope is comma-separated.
        Assert.Equal("[\"repo\",\"gist\"]", row.GrantedScopesJson);
        // OAuth App tokens do not expire.
        Assert.Null(row.TokenExpiresAt);
        Assert.Equal("Iv1.abc", row.ClientId);
    }

    [Fact]
    public async Task Callback_RecordsRequestedScopesAndExpiry_ForGitHubAppUserTokens()
    {
        _github.GitHubAppToken("code-1", "ghu_1", "ghr_1");
        var issuedAt = _h.Time.GetUtcNow();

        var result = await Flow.ConnectAsync(_h, _platform, _user, "code-1");

        Assert.True(result.Succeeded);
        var row = (await _h.ConnectionAsync(Github))!;
        // API.md §9.2 step 6: empty scope → the requested scopes; expiry = issue time + expires_in (28800).
        Assert.Equal("[\"repo\",\"read:user\",\"gist\",\"workflow\"]", row.GrantedScopesJson);
        Assert.Equal(issuedAt.AddSeconds(28800), row.TokenExpiresAt);
        Assert.Equal("ghr_1", _h.Tokens(row).RefreshToken);
        // No login could be fetched (/user answers 401): the label is empty, the connect still succeeds.
        Assert.Equal("https://platform.example/mcp/oauth-callback?status=connected&app=github&account=", result.Redirect!.AbsoluteUri);
    }

    [Fact]
    public async Task Callback_FailsTokenExchange_AndStoresNothing_WhenGitHubAnswersErrorWithHttp200()
    {
        // CONNECTORS.md B7: an expired code → HTTP 200 {"error":"bad_verification_code",…}.
        _github.ErrorAt200(f => GitHubFake.Field(f, "code") == "stale", "bad_verification_code", "The code passed is incorrect or expired.");

        var result = await Flow.ConnectAsync(_h, _platform, _user, "stale");

        Assert.Equal("https://platform.example/mcp/oauth-callback?status=error&app=github&error=token_exchange_failed", result.Redirect!.AbsoluteUri);
        Assert.Null(await _h.ConnectionAsync(Github));
    }

    [Fact]
    public async Task Callback_ReplayedState_RedirectsInvalidState_AndStoresNothing()
    {
        _github.OAuthAppToken("code-1", "gho_first");
        _github.OAuthAppToken("code-2", "gho_second");
        var authorize = await Flow.AuthorizeAsync(_h, _platform, _user);
        var state = Flow.State(authorize);
        Assert.True((await Flow.CallbackAsync(_h, state, "code-1")).Succeeded);

        var replay = await Flow.CallbackAsync(_h, state, "code-2");

        Assert.Equal("https://platform.example/mcp/oauth-callback?status=error&app=github&error=invalid_state", replay.Redirect!.AbsoluteUri);
        Assert.Single(_github.TokenRequests());
        Assert.Equal("gho_first", _h.Tokens((await _h.ConnectionAsync(Github))!).AccessToken);
    }

    [Fact]
    public async Task Callback_ExpiredState_RedirectsStateExpired_AndStoresNothing()
    {
        _github.OAuthAppToken("code-1", "gho_one");
        var authorize = await Flow.AuthorizeAsync(_h, _platform, _user);
        // API.md §9.1: states live 10 minutes.
        _h.Time.Advance(TimeSpan.FromMinutes(10));

        var result = await Flow.CallbackAsync(_h, Flow.State(authorize), "code-1");

        Assert.Equal("state_expired", result.Code);
        Assert.EndsWith("status=error&app=github&error=state_expired", result.Redirect!.AbsoluteUri, StringComparison.Ordinal);
        Assert.Empty(_github.TokenRequests());
        Assert.Null(await _h.ConnectionAsync(Github));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("not-a-state")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public async Task Callback_UnknownState_GivesNoRedirect(string? state)
    {
        var result = await Flow.CallbackAsync(_h, state, "code-1");

        // API.md §9.2 step 1: a 400 page naming invalid_state.
        Assert.Null(result.Redirect);
        Assert.Equal("invalid_state", result.Code);
    }

    [Theory]
    [InlineData("access_denied", "access_denied")]
    [InlineData("temporarily_unavailable", "provider_error")]
    public async Task Callback_MapsProviderError(string providerError, string expected)
    {
        var authorize = await Flow.AuthorizeAsync(_h, _platform, _user);

        var result = await Flow.CallbackAsync(_h, Flow.State(authorize), null, providerError);

        Assert.EndsWith("error=" + expected, result.Redirect!.AbsoluteUri, StringComparison.Ordinal);
        Assert.Empty(_github.TokenRequests());
    }

    [Fact]
    public async Task Callback_AnswersAppNotActive_WhenDeactivatedMeanwhile()
    {
        _github.OAuthAppToken("code-1", "gho_one");
        var authorize = await Flow.AuthorizeAsync(_h, _platform, _user);
        await _h.DeactivateAsync(_platform, "github");

        var result = await Flow.CallbackAsync(_h, Flow.State(authorize), "code-1");

        Assert.Equal("https://platform.example/mcp/oauth-callback?status=error&app=github&error=app_not_active", result.Redirect!.AbsoluteUri);
        Assert.Empty(_github.TokenRequests());
    }

    [Fact]
    public async Task Callback_AnswersEndUserInactive_WhenDeactivatedMeanwhile()
    {
        _github.OAuthAppToken("code-1", "gho_one");
        var authorize = await Flow.AuthorizeAsync(_h, _platform, _user);
        await using (var db = await _h.DbAsync())
        {
            await db.EndUsers.Where(u => u.Id == _user).ExecuteUpdateAsync(s => s.SetProperty(u => u.IsActive, false), TestContext.Current.CancellationToken);
        }

        var result = await Flow.CallbackAsync(_h, Flow.State(authorize), "code-1");

        Assert.EndsWith("error=end_user_inactive", result.Redirect!.AbsoluteUri, StringComparison.Ordinal);
        Assert.Null(await _h.ConnectionAsync(Github));
    }

    [Fact]
    public async Task Reconnect_StoresNewTokens_ThenRevokesThePreviousOne()
    {
        _github.OAuthAppToken("code-1", "gho_old");
        _github.OAuthAppToken("code-2", "gho_new");
        Assert.True((await Flow.ConnectAsync(_h, _platform, _user, "code-1")).Succeeded);
        var first = (await _h.ConnectionAsync(Github))!;

        Assert.True((await Flow.ConnectAsync(_h, _platform, _user, "code-2")).Succeeded);

        var row = (await _h.ConnectionAsync(Github))!;
        Assert.Equal(first.Id, row.Id);
        Assert.Equal("gho_new", _h.Tokens(row).AccessToken);
        Assert.Equal(first.TokenVersion + 1, row.TokenVersion);
        // API.md §9.2 step 6 / §9.4: the previous token is revoked at DELETE {api}/applications/{client_id}/token.
        var revoke = Assert.Single(_github.Requests("/applications/", "DELETE"));
        Assert.Equal("/applications/Iv1.abc/token", revoke.RequestMessage.Path);
        Assert.Contains("gho_old", revoke.RequestMessage.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Enterprise_ExchangeIsRefused_WhenItsHostIsPrivate_AndPrivateTargetsAreNotAllowed()
    {
        // API.md §1.8: hosts supplied through the API pass the outbound guard; a refusal at connect is token_exchange_failed.
        var platform = await _h.CreatePlatformAsync();
        var user = await _h.CreateEndUserAsync(platform);
        await _h.ActivateAsync(platform, "github", settings: new Dictionary<string, string> { ["enterprise_base_url"] = _github.Url });
        _github.OAuthAppToken("code-e", "gho_e");

        var authorize = await Flow.AuthorizeAsync(_h, platform, user);
        Assert.Equal(_github.Url + "/login/oauth/authorize", authorize.Location!.GetLeftPart(UriPartial.Path));
        var result = await Flow.CallbackAsync(_h, Flow.State(authorize), "code-e");

        Assert.Equal("token_exchange_failed", result.Code);
        Assert.Empty(_github.TokenRequests());
        Assert.Null(await _h.ConnectionAsync(new ConnectionRef(platform, user, "github")));
    }

    [Fact]
    public async Task GrantedScopes_SplitsCommasAndSpaces_AndFallsBackToRequested()
    {
        string[] requested = ["repo", "read:user"];
        Assert.Equal(["repo", "gist"], OAuthCallbackService.GrantedScopes("repo,gist", requested));
        Assert.Equal(["repo", "gist"], OAuthCallbackService.GrantedScopes("repo gist", requested));
        Assert.Equal(requested, OAuthCallbackService.GrantedScopes("", requested));
        Assert.Equal(requested, OAuthCallbackService.GrantedScopes(null, requested));
        await Task.CompletedTask;
    }
}
