using Assistiv.Connectors.Registry;
using Assistiv.OAuthBroker.Tests.TestSupport;
using Assistiv.Tests.Common;
using Microsoft.AspNetCore.DataProtection;

namespace Assistiv.OAuthBroker.Tests.Refresh;

/// <summary>
/// Two broker "instances" (separate service providers, separate in-process single flights and caches) on one PostgreSQL
/// database, sharing the Data Protection key ring as real instances do (API.md §1.4, §9.5).
/// </summary>
public sealed class PostgresRefreshTests : IAsyncLifetime
{
    private readonly GitHubFake _github = new();
    private PostgresTestDatabase _pg = null!;
    private BrokerHarness _a = null!;
    private BrokerHarness _b = null!;
    private Guid _platform;
    private Guid _user;

    public async ValueTask InitializeAsync()
    {
        _pg = await PostgresTestDatabase.CreateAsync(TestContext.Current.CancellationToken);
        var time = BrokerHarness.NewClock();
        var keys = new EphemeralDataProtectionProvider();
        _a = await BrokerHarness.CreateAsync(time, _github.Settings(), _pg.ConnectionString, keys);
        _b = await BrokerHarness.CreateAsync(time, _github.Settings(), _pg.ConnectionString, keys, createSchema: false);
        _platform = await _a.CreatePlatformAsync();
        _user = await _a.CreateEndUserAsync(_platform);
        await _a.ActivateAsync(_platform, "github");
    }

    public async ValueTask DisposeAsync()
    {
        await _a.DisposeAsync();
        await _b.DisposeAsync();
        await _pg.DisposeAsync();
        _github.Dispose();
    }

    private ConnectionRef Github => new(_platform, _user, "github");

    [Fact]
    public async Task RefreshStorm_AcrossTwoInstances_SendsExactlyOneRefresh()
    {
        await _a.SeedConnectionAsync(Github, "ghu_1", "ghr_1", _a.Time.GetUtcNow().AddSeconds(240));
        _github.Refresh("ghr_1", "ghu_2", "ghr_2", TimeSpan.FromMilliseconds(500));
        var a = _a.Get<IAccessTokenSource>();
        var b = _b.Get<IAccessTokenSource>();

        var results = await Task.WhenAll(Enumerable.Range(0, 50).Select(i => Task.Run(async () =>
            await (i % 2 == 0 ? a : b).GetAccessTokenAsync(Github, TestContext.Current.CancellationToken))));

        Assert.Single(_github.TokenRequests());
        Assert.All(results, r =>
        {
            Assert.Equal(AccessTokenStatus.Ok, r.Status);
            Assert.Equal("ghu_2", r.AccessToken);
        });
        var row = (await _a.ConnectionAsync(Github))!;
        Assert.Equal(2, row.TokenVersion);
        Assert.Equal("ghr_2", _b.Tokens(row).RefreshToken);
    }

    [Fact]
    public async Task Refresh_OnOneInstance_IsSeenByTheOther_WithoutASecondRefresh()
    {
        await _a.SeedConnectionAsync(Github, "ghu_1", "ghr_1", _a.Time.GetUtcNow().AddSeconds(240));
        _github.Refresh("ghr_1", "ghu_2", "ghr_2");

        Assert.Equal("ghu_2", (await _a.Get<IAccessTokenSource>().GetAccessTokenAsync(Github, TestContext.Current.CancellationToken)).AccessToken);
        Assert.Equal("ghu_2", (await _b.Get<IAccessTokenSource>().GetAccessTokenAsync(Github, TestContext.Current.CancellationToken)).AccessToken);

        Assert.Single(_github.TokenRequests());
    }

    [Theory]
    // API.md §9.5: after 20 s the caller re-reads and uses the stored token if valid > 30 s, else upstream_unavailable.
    [InlineData(240, AccessTokenStatus.Ok)]
    [InlineData(45, AccessTokenStatus.Unavailable)]
    public async Task Waiter_FollowsTheTimeoutRule_WhenAnotherInstanceHoldsTheLockFor20Seconds(int secondsLeft, AccessTokenStatus expected)
    {
        await _a.SeedConnectionAsync(Github, "ghu_1", "ghr_1", _a.Time.GetUtcNow().AddSeconds(secondsLeft));
        _github.Refresh("ghr_1", "ghu_2", "ghr_2");
        Guid id;
        await using (var db = await _a.DbAsync())
        {
            id = db.Connections.Single(c => c.EndUserId == _user).Id;
        }

        // Another instance is mid-refresh: it holds the connection's advisory lock.
        await using var other = new Npgsql.NpgsqlConnection(_pg.ConnectionString);
        await other.OpenAsync(TestContext.Current.CancellationToken);
        await using (var take = new Npgsql.NpgsqlCommand("SELECT pg_advisory_lock(@k)", other))
        {
            take.Parameters.AddWithValue("k", Assistiv.OAuthBroker.Refresh.AccessTokenSource.LockKey(id));
            await take.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }

        var call = _b.Get<IAccessTokenSource>().GetAccessTokenAsync(Github, TestContext.Current.CancellationToken).AsTask();
        await Assistiv.Tests.Common.TestConstants.WaitUntilAsync(async () =>
        {
            await using var probe = new Npgsql.NpgsqlCommand("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted", other);
            return (long)(await probe.ExecuteScalarAsync(TestContext.Current.CancellationToken))! > 0;
        }, cancellationToken: TestContext.Current.CancellationToken);
        _b.Time.Advance(TimeSpan.FromSeconds(20));
        var result = await call.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        Assert.Equal(expected, result.Status);
        Assert.Equal(expected == AccessTokenStatus.Ok ? "ghu_1" : null, result.AccessToken);
        Assert.Empty(_github.TokenRequests());
        Assert.Equal(1, (await _a.ConnectionAsync(Github))!.TokenVersion);
    }

    [Fact]
    public async Task BadRefreshToken_MarksNeedsReauth_OnPostgres()
    {
        await _a.SeedConnectionAsync(Github, "ghu_1", "ghr_1", _a.Time.GetUtcNow().AddSeconds(240));
        _github.ErrorAt200(f => GitHubFake.Field(f, "grant_type") == "refresh_token", "bad_refresh_token", "The refresh token passed is incorrect or expired.");

        var result = await _b.Get<IAccessTokenSource>().GetAccessTokenAsync(Github, TestContext.Current.CancellationToken);

        Assert.Equal(AccessTokenStatus.NeedsReauth, result.Status);
        var row = (await _a.ConnectionAsync(Github))!;
        Assert.Equal("needs_reauth", row.Status);
        Assert.Null(row.TokensProtected);
    }
}
