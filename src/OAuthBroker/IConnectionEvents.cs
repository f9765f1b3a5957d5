using Assistiv.Connectors.Registry;

namespace Assistiv.OAuthBroker;

/// <summary>
/// Notified after a connection changed (API.md §9.2 step 8, §9.6): the MCP layer sends <c>tools/list_changed</c> per
/// §8.6 and, when the connect answered an elicitation, <c>notifications/elicitation/complete</c>. The broker registers a
/// no-op implementation with <c>TryAdd</c>; the host replaces it. Implementations must not throw; they are awaited after
/// the change is committed, so a failure there never undoes it.
/// </summary>
public interface IConnectionEvents
{
    /// <summary>A connect (or reconnect) completed.</summary>
    /// <param name="connection">The connection.</param>
    /// <param name="elicitationId">The MCP elicitation the connect link was made for, or null.</param>
    /// <param name="cancellationToken">Cancels the notification.</param>
    ValueTask ConnectedAsync(ConnectionRef connection, string? elicitationId, CancellationToken cancellationToken);

    /// <summary>A connection was deleted (disconnect, end-user deletion, app deactivation).</summary>
    /// <param name="connection">The connection.</param>
    /// <param name="cancellationToken">Cancels the notification.</param>
    ValueTask DisconnectedAsync(ConnectionRef connection, CancellationToken cancellationToken);
}

internal sealed class NoConnectionEvents : IConnectionEvents
{
    public ValueTask ConnectedAsync(ConnectionRef connection, string? elicitationId, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public ValueTask DisconnectedAsync(ConnectionRef connection, CancellationToken cancellationToken) => ValueTask.CompletedTask;
}
