using System.Collections.Concurrent;
using Assistiv.Connectors.Registry;
using Assistiv.Tests.Common.Host;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Assistiv.Tests.Mcp;

/// <summary>
/// The OAuth broker's two seams (<see cref="IAccessTokenSource"/>, <see cref="IConnectLinkIssuer"/>) faked, so the real
/// catalogue, broker and <c>mock</c> connector run without an OAuth round-trip: apps in <see cref="ConnectedApps"/> are
/// connected for every user, every other app is not, and connect links look like API.md §9.1's.
/// </summary>
internal sealed class FakeOAuthSeams : IAccessTokenSource, IConnectLinkIssuer
{
    private int _links;

    public HashSet<string> ConnectedApps { get; } = new(StringComparer.Ordinal) { "mock" };

    public ConcurrentQueue<(ConnectionRef Connection, string? ElicitationId, Uri Link)> Links { get; } = new();

    public static FakeOAuthSeams Install(GatewayFactory factory)
    {
        var fake = new FakeOAuthSeams();
        var previous = factory.ConfigureTestServices;
        factory.ConfigureTestServices = services =>
        {
            previous?.Invoke(services);
            services.RemoveAll<IAccessTokenSource>();
            services.AddSingleton<IAccessTokenSource>(fake);
            services.RemoveAll<IConnectLinkIssuer>();
            services.AddSingleton<IConnectLinkIssuer>(fake);
        };
        return fake;
    }

    public ValueTask<AccessTokenResult> GetAccessTokenAsync(ConnectionRef connection, CancellationToken cancellationToken) =>
        ValueTask.FromResult(ConnectedApps.Contains(connection.App) ? AccessTokenResult.Ok("fake-token-" + connection.App) : AccessTokenResult.NotConnected);

    public ValueTask<AccessTokenResult> RefreshAfterUnauthorizedAsync(ConnectionRef connection, string rejectedAccessToken, CancellationToken cancellationToken) =>
        ValueTask.FromResult(AccessTokenResult.NeedsReauth);

    public ValueTask MarkNeedsReauthAsync(ConnectionRef connection, string reason, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public ValueTask<Uri> CreateConnectLinkAsync(ConnectionRef connection, string? elicitationId, CancellationToken cancellationToken)
    {
        var link = new Uri($"https://gw.example.com/oauth/authorize?app={connection.App}&connect_token=fake{Interlocked.Increment(ref _links)}");
        Links.Enqueue((connection, elicitationId, link));
        return ValueTask.FromResult(link);
    }
}
