using Assistiv.Connectors.Registry;
using Assistiv.OAuthBroker;

namespace Assistiv.McpServer.Mcp;

/// <summary>
/// The OAuth broker's connection events, as the MCP layer hears them (API.md §9.2 step 8, §9.6): a connect made from an
/// elicitation's link sends <c>notifications/elicitation/complete</c> to the user's sessions. Connecting or disconnecting
/// GitHub, Slack or Zendesk does not change <c>/mcp</c> (§8.1, §8.6), and no catalogue app's listed tools depend on its
/// connection yet, so no <c>list_changed</c> is sent for them (Zoho's products will; decision 0083).
/// </summary>
internal sealed class McpConnectionEvents(McpChangeDispatcher dispatcher) : IConnectionEvents
{
    public ValueTask ConnectedAsync(ConnectionRef connection, string? elicitationId, CancellationToken cancellationToken)
    {
        if (!string.IsNullOrEmpty(elicitationId))
        {
            dispatcher.Publish(McpChange.Elicitation(connection.PlatformId, connection.EndUserId, elicitationId));
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask DisconnectedAsync(ConnectionRef connection, CancellationToken cancellationToken) => ValueTask.CompletedTask;
}
