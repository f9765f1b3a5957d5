using Assistiv.Connectors.Registry;
using Assistiv.OAuthBroker.Refresh;
using Assistiv.OAuthBroker.Tests.TestSupport;
using Assistiv.OAuthBroker.Vault;
using Microsoft.EntityFrameworkCore;

namespace Assistiv.OAuthBroker.Tests.Refresh;

public sealed class TokenLifecycleTests : IAsyncLifetime
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
        await _h.ActivateAsync(_platform, "github", clientId: "Iv1.app", clientSecret: "app-secret");
    }

    public async ValueTask DisposeAsync()
    {
        await _h.DisposeAsync();
        _github.Dispose();
    }

    private ConnectionRef Github => new(_platform, _user, "github");

    private IAccessTokenSource Tokens => _h.Get<IAccessTokenSource>();

    private ValueTask<AccessTokenResult> GetAsync() => Tokens.GetAccessTokenAsync(Github, TestContext.Current.CancellationToken);

    /// <summary>A GitHub App user token (8 h) that expires within the default 300 s skew.</summary>
    private Task SeedExpiringAsync(string access = "ghu_1", string refresh = "ghr_1") =>
        _h.SeedConnectionAsync(Github, access, refresh, _h.Time.GetUtcNow().AddSeconds(240));

    [Fact]
    public async Task Get_AnswersNotConnected_WithoutConnection()
    {
        Assert.Equal(AccessTokenStatus.NotConnected, (await GetAsync()).Status);
    }

    [Fact]
    public async Task Get_ServesCacheHits_WithoutTheDatabase()
    {
        await _h.SeedConnectionAsync(Github, "gho_static", null, null);
        Assert.Equal("gho_static", (await GetAsync()).AccessToken);

        // Remove the row behind the cache's back: a hit must still answer, so it never read the database.
        await using (var db = await _h.DbAsync())
        {
            await db.Connections.Where(c => c.EndUserId == _user).ExecuteDeleteAsync(TestContext.Current.CancellationToken);
        }

        var hit = await GetAsync();
        Assert.Equal(AccessTokenStatus.Ok, hit.Status);
        Assert.Equal("gho_static", hit.AccessToken);
    }

    [Fact]
    public async Task Get_UsesStoredToken_UntilTheSkew()
    {
        _github.GitHubAppToken("code-1", "ghu_1", "ghr_1");
        Assert.True((await Flow.ConnectAsync(_h, _platform, _user, "code-1")).Succeeded);

        // 8 h token; 6 minutes left is outside the 300 s skew (API.md §9.5).
        _h.Time.Advance(TimeSpan.FromHours(8) - TimeSpan.FromMinutes(6));
        var result = await GetAsync();

        Assert.Equal("ghu_1", result.AccessToken);
        Assert.Single(_github.TokenRequests());
    }

    [Fact]
    public async Task Get_RefreshesAhead_AndPersistsTheRotation_ForGitHubAppUserTokens()
    {
        // CONNECTORS.md B8: ghu_1/ghr_1 from the exchange; ghr_1 → ghu_2/ghr_2.
        _github.GitHubAppToken("code-1", "ghu_1", "ghr_1");
        _github.Refresh("ghr_1", "ghu_2", "ghr_2");
        Assert.True((await Flow.ConnectAsync(_h, _platform, _user, "code-1")).Succeeded);
        var before = (await _h.ConnectionAsync(Github))!;

        _h.Time.Advance(TimeSpan.FromHours(8) - TimeSpan.FromMinutes(4));
        var refreshedAt = _h.Time.GetUtcNow();
        var result = await GetAsync();

        Assert.Equal(AccessTokenStatus.Ok, result.Status);
        Assert.Equal("ghu_2", result.AccessToken);
        var refresh = _github.TokenRequests()[^1];
        var form = GitHubFake.Form(refresh);
        // CONNECTORS.md §1.1: client_id, client_secret, grant_type=refresh_token, refresh_token.
        Assert.Equal("refresh_token", form["grant_type"]);
        Assert.Equal("ghr_1", form["refresh_token"]);
        Assert.Equal("Iv1.app", form["client_id"]);
        Assert.Equal("app-secret", form["client_secret"]);

        var row = (await _h.ConnectionAsync(Github))!;
        Assert.Equal(before.TokenVersion + 1, row.TokenVersion);
        Assert.Equal("ghr_2", _h.Tokens(row).RefreshToken);
        Assert.Equal("ghu_2", _h.Tokens(row).AccessToken);
        Assert.Equal(refreshedAt.AddSeconds(28800), row.TokenExpiresAt);
        Assert.Equal(refreshedAt, row.LastRefreshedAt);

        // The next call is a cache hit: no second refresh, ghr_1 never reused.
        Assert.Equal("ghu_2", (await GetAsync()).AccessToken);
        Assert.Equal(2, _github.TokenRequests().Count);
    }

    [Fact]
    public async Task Get_KeepsTheOldRefreshToken_WhenNoneIsReturned()
    {
        await SeedExpiringAsync();
        _github.Server.Given(WireMock.RequestBuilders.Request.Create().WithPath(GitHubFake.TokenPath).UsingPost())
            .RespondWith(WireMock.ResponseBuilders.Response.Create().WithStatusCode(200)
                .WithBodyAsJson(new { access_token = "ghu_2", expires_in = 3600, token_type = "bearer" }));

        Assert.Equal("ghu_2", (await GetAsync()).AccessToken);

        Assert.Equal("ghr_1", _h.Tokens((await _h.ConnectionAsync(Github))!).RefreshToken);
    }

    [Fact]
    public async Task Get_MarksNeedsReauth_OnBadRefreshTokenAtHttp200()
    {
        await SeedExpiringAsync();
        // CONNECTORS.md B8: a used refresh token → HTTP 200 {"error":"bad_refresh_token"}.
        _github.ErrorAt200(f => GitHubFake.Field(f, "grant_type") == "refresh_token", "bad_refresh_token", "The refresh token passed is incorrect or expired.");

        var result = await GetAsync();

        Assert.Equal(AccessTokenStatus.NeedsReauth, result.Status);
        var row = (await _h.ConnectionAsync(Github))!;
        // API.md §9.5: tokens wiped, status needs_reauth, last_error {code: invalid_grant, message: provider code}.
        Assert.Equal("needs_reauth", row.Status);
        Assert.Null(row.TokensProtected);
        var error = TokenVault.ReadError(row.LastErrorJson)!;
        Assert.Equal("invalid_grant", error.Code);
        Assert.Equal("bad_refresh_token", error.Message);
        Assert.Equal(_h.Time.GetUtcNow(), error.At);

        Assert.Equal(AccessTokenStatus.NeedsReauth, (await GetAsync()).Status);
        Assert.Single(_github.TokenRequests());
    }

    [Theory]
    [InlineData(502)]
    [InlineData(503)]
    [InlineData(500)]
    public async Task Get_IsUnavailable_AndChangesNothing_OnTransientFailure(int status)
    {
        await SeedExpiringAsync();
        _github.ServerError(f => GitHubFake.Field(f, "grant_type") == "refresh_token", status);
        var before = (await _h.ConnectionAsync(Github))!;

        var result = await GetAsync();

        Assert.Equal(AccessTokenStatus.Unavailable, result.Status);
        var after = (await _h.ConnectionAsync(Github))!;
        Assert.Equal(before.Status, after.Status);
        Assert.Equal(before.TokenVersion, after.TokenVersion);
        Assert.Equal(before.TokensProtected, after.TokensProtected);
        Assert.Equal(before.TokenExpiresAt, after.TokenExpiresAt);
        Assert.Null(after.LastErrorJson);
    }

    [Fact]
    public async Task Get_IsUnavailable_WhenTheTokenEndpointIsUnreachable()
    {
        await SeedExpiringAsync();
        _github.Server.Stop();

        Assert.Equal(AccessTokenStatus.Unavailable, (await GetAsync()).Status);
        Assert.Equal("connected", (await _h.ConnectionAsync(Github))!.Status);
    }

    [Fact]
    public async Task Get_IsUnavailable_WhenTheRefreshCallTimesOutAfter15Seconds()
    {
        await SeedExpiringAsync();
        var release = new TaskCompletionSource();
        var arrived = _github.HangTokenRequests(release);
        var before = (await _h.ConnectionAsync(Github))!;

        var call = GetAsync().AsTask();
        await arrived.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        // API.md §9.5: the refresh HTTP call times out after 15 s (before the caller's 20 s wait ends).
        _h.Time.Advance(TimeSpan.FromSeconds(15));
        var result = await call.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        release.SetResult();

        Assert.Equal(AccessTokenStatus.Unavailable, result.Status);
        var after = (await _h.ConnectionAsync(Github))!;
        Assert.Equal(before.TokenVersion, after.TokenVersion);
        Assert.Equal(before.TokensProtected, after.TokensProtected);
        Assert.Equal("connected", after.Status);
    }

    [Fact]
    public async Task RefreshStorm_SendsExactlyOneRefresh_AndEveryCallerGetsTheNewToken()
    {
        await SeedExpiringAsync();
        // The delay keeps the first refresh in flight while the other callers arrive.
        _github.Refresh("ghr_1", "ghu_2", "ghr_2", TimeSpan.FromMilliseconds(300));

        var results = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => Task.Run(async () => await GetAsync())));

        Assert.Single(_github.TokenRequests());
        Assert.All(results, r =>
        {
            Assert.Equal(AccessTokenStatus.Ok, r.Status);
            Assert.Equal("ghu_2", r.AccessToken);
        });
        Assert.Equal("ghr_2", _h.Tokens((await _h.ConnectionAsync(Github))!).RefreshToken);
    }

    [Fact]
    public async Task RefreshAfterUnauthorized_Refreshes_AndReturnsTheNewToken()
    {
        // A token that is not near expiry but was refused upstream (API.md §8.5: refresh once on 401).
        await _h.SeedConnectionAsync(Github, "ghu_1", "ghr_1", _h.Time.GetUtcNow().AddHours(4));
        _github.Refresh("ghr_1", "ghu_2", "ghr_2");
        Assert.Equal("ghu_1", (await GetAsync()).AccessToken);

        var result = await Tokens.RefreshAfterUnauthorizedAsync(Github, "ghu_1", TestContext.Current.CancellationToken);

        Assert.Equal("ghu_2", result.AccessToken);
        Assert.Equal("ghu_2", (await GetAsync()).AccessToken);
        Assert.Single(_github.TokenRequests());
    }

    [Fact]
    public async Task RefreshAfterUnauthorized_UsesTheMovedToken_WithoutRefreshing()
    {
        await _h.SeedConnectionAsync(Github, "ghu_2", "ghr_2", _h.Time.GetUtcNow().AddHours(4));

        var result = await Tokens.RefreshAfterUnauthorizedAsync(Github, "ghu_1", TestContext.Current.CancellationToken);

        Assert.Equal("ghu_2", result.AccessToken);
        Assert.Empty(_github.TokenRequests());
    }

    [Fact]
    public async Task RefreshAfterUnauthorized_MarksNeedsReauth_WithoutRefreshToken()
    {
        await _h.SeedConnectionAsync(Github, "gho_1", null, null);
        Assert.Equal("gho_1", (await GetAsync()).AccessToken);

        var result = await Tokens.RefreshAfterUnauthorizedAsync(Github, "gho_1", TestContext.Current.CancellationToken);

        Assert.Equal(AccessTokenStatus.NeedsReauth, result.Status);
        Assert.Equal("needs_reauth", (await _h.ConnectionAsync(Github))!.Status);
        Assert.Equal(AccessTokenStatus.NeedsReauth, (await GetAsync()).Status);
    }

    [Fact]
    public async Task MarkNeedsReauth_ChangesStatus_AndDropsTheCachedToken()
    {
        await _h.SeedConnectionAsync(Github, "gho_1", null, null);
        Assert.Equal("gho_1", (await GetAsync()).AccessToken);

        await Tokens.MarkNeedsReauthAsync(Github, "revoked upstream", TestContext.Current.CancellationToken);

        Assert.Equal(AccessTokenStatus.NeedsReauth, (await GetAsync()).Status);
        var row = (await _h.ConnectionAsync(Github))!;
        Assert.Equal("needs_reauth", row.Status);
        Assert.Equal("revoked upstream", TokenVault.ReadError(row.LastErrorJson)!.Message);
    }

    [Fact]
    public async Task MockApp_RotatesTheRefreshToken_OnEveryRefresh()
    {
        await _h.ActivateAsync(_platform, "mock");
        var connect = await Flow.ConnectAsync(_h, _platform, _user, "mock-code", "mock");
        Assert.True(connect.Succeeded, connect.Code);
        var mock = new ConnectionRef(_platform, _user, "mock");
        var first = _h.Tokens((await _h.ConnectionAsync(mock))!);

        // API.md §9.3: mock access tokens are valid 1 h.
        _h.Time.Advance(TimeSpan.FromMinutes(56));
        var result = await Tokens.GetAccessTokenAsync(mock, TestContext.Current.CancellationToken);

        Assert.Equal(AccessTokenStatus.Ok, result.Status);
        Assert.NotEqual(first.AccessToken, result.AccessToken);
        var second = _h.Tokens((await _h.ConnectionAsync(mock))!);
        Assert.NotEqual(first.RefreshToken, second.RefreshToken);
    }

    [Fact]
    public async Task MockApp_FailsTheExchange_ForTheInvalidCode()
    {
        await _h.ActivateAsync(_platform, "mock");

        var result = await Flow.ConnectAsync(_h, _platform, _user, "mock-code-invalid", "mock");

        Assert.Equal("token_exchange_failed", result.Code);
        Assert.Null(await _h.ConnectionAsync(new ConnectionRef(_platform, _user, "mock")));
    }

    [Theory]
    [InlineData("github", "invalid_grant", true)]
    [InlineData("github", "bad_refresh_token", true)]
    [InlineData("slack", "invalid_refresh_token", true)]
    [InlineData("slack", "token_revoked", true)]
    [InlineData("zoho", "invalid_code", true)]
    [InlineData("github", "invalid_code", false)]
    [InlineData("github", "incorrect_client_credentials", false)]
    [InlineData("zendesk", "invalid_client", false)]
    [InlineData("github", null, false)]
    public void IsTerminal_FollowsTheExactListOfApiMd95(string app, string? code, bool terminal)
    {
        Assert.Equal(terminal, AccessTokenSource.IsTerminal(app, code));
    }
}
