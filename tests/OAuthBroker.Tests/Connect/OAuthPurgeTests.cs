using Assistiv.Connectors.Registry;
using Assistiv.OAuthBroker.Connect;
using Assistiv.OAuthBroker.Tests.TestSupport;
using Microsoft.EntityFrameworkCore;

namespace Assistiv.OAuthBroker.Tests.Connect;

public sealed class OAuthPurgeTests : IAsyncLifetime
{
    private BrokerHarness _h = null!;
    private Guid _platform;
    private Guid _user;

    public async ValueTask InitializeAsync()
    {
        _h = await BrokerHarness.CreateAsync(BrokerHarness.NewClock(), new Dictionary<string, string?>());
        _platform = await _h.CreatePlatformAsync();
        _user = await _h.CreateEndUserAsync(_platform);
        await _h.ActivateAsync(_platform, "mock");
    }

    public ValueTask DisposeAsync() => _h.DisposeAsync();

    [Fact]
    public async Task Purge_KeepsStatesAndLinks_For24HoursAfterExpiry_ThenDeletesThem()
    {
        await _h.Get<IConnectLinkIssuer>().CreateConnectLinkAsync(new ConnectionRef(_platform, _user, "mock"), null, TestContext.Current.CancellationToken);
        var authorize = await Flow.AuthorizeAsync(_h, _platform, _user, "mock");
        var purge = _h.Get<OAuthPurgeService>();

        // API.md §1.4 / §9.2 step 1: kept 24 h after expiry (10 min), then purged.
        _h.Time.Advance(TimeSpan.FromMinutes(10) + TimeSpan.FromHours(24));
        Assert.Equal(0, await purge.PurgeAsync(TestContext.Current.CancellationToken));
        Assert.Equal("state_expired", (await Flow.CallbackAsync(_h, Flow.State(authorize), "mock-code")).Code);

        _h.Time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(2, await purge.PurgeAsync(TestContext.Current.CancellationToken));

        await using var db = await _h.DbAsync();
        Assert.Equal(0, await db.OAuthStates.CountAsync(TestContext.Current.CancellationToken));
        Assert.Equal(0, await db.ConnectTokens.CountAsync(TestContext.Current.CancellationToken));
        // A purged state counts as unknown: no redirect.
        Assert.Null((await Flow.CallbackAsync(_h, Flow.State(authorize), "mock-code")).Redirect);
    }
}
