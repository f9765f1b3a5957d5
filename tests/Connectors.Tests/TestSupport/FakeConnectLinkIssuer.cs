using System.Collections.Concurrent;
using Assistiv.Connectors.Registry;

namespace Assistiv.Connectors.Tests.TestSupport;

/// <summary>A <see cref="IConnectLinkIssuer"/> that hands out numbered links and records what it was asked.</summary>
public sealed class FakeConnectLinkIssuer : IConnectLinkIssuer
{
    private int _count;

    public ConcurrentQueue<(ConnectionRef Connection, string? ElicitationId)> Issued { get; } = new();

    public ValueTask<Uri> CreateConnectLinkAsync(ConnectionRef connection, string? elicitationId, CancellationToken cancellationToken)
    {
        Issued.Enqueue((connection, elicitationId));
        var n = Interlocked.Increment(ref _count);
        return ValueTask.FromResult(new Uri($"https://gateway.example/oauth/authorize?app={connection.App}&connect_token=ct{n}"));
    }
}
