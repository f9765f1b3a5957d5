using System.Collections.Concurrent;
using Assistiv.Connectors.Registry;

namespace Assistiv.Connectors.Tests.TestSupport;

/// <summary>A scripted <see cref="IAccessTokenSource"/> (a real seam; the OAuth broker implements it).</summary>
public sealed class FakeAccessTokenSource : IAccessTokenSource
{
    private readonly ConcurrentQueue<AccessTokenResult> _refreshes = new();

    public AccessTokenResult Current { get; set; } = AccessTokenResult.Ok("gho_16C7e42F292c6912E7710c838347Ae178B4a");

    public ConcurrentQueue<string> RefreshedTokens { get; } = new();

    public ConcurrentQueue<string> MarkedNeedsReauth { get; } = new();

    private int _getCalls;

    public int GetCalls => Volatile.Read(ref _getCalls);

    public void EnqueueRefresh(AccessTokenResult result) => _refreshes.Enqueue(result);

    public ValueTask<AccessTokenResult> GetAccessTokenAsync(ConnectionRef connection, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _getCalls);
        return ValueTask.FromResult(Current);
    }

    public ValueTask<AccessTokenResult> RefreshAfterUnauthorizedAsync(ConnectionRef connection, string rejectedAccessToken, CancellationToken cancellationToken)
    {
        RefreshedTokens.Enqueue(rejectedAccessToken);
        return ValueTask.FromResult(_refreshes.TryDequeue(out var next) ? next : AccessTokenResult.NeedsReauth);
    }

    public ValueTask MarkNeedsReauthAsync(ConnectionRef connection, string reason, CancellationToken cancellationToken)
    {
        MarkedNeedsReauth.Enqueue(reason);
        return ValueTask.CompletedTask;
    }
}
