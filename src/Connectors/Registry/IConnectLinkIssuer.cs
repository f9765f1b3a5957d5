namespace Assistiv.Connectors.Registry;

/// <summary>
/// Mints connect links <c>{base}/oauth/authorize?app={app}&amp;connect_token={token}</c> (API.md §9.1): single use,
/// 10 minutes, bound to platform, end user, app and optionally an MCP <c>elicitationId</c>. Implemented by
/// <c>Assistiv.OAuthBroker</c>.
/// </summary>
public interface IConnectLinkIssuer
{
    /// <summary>Creates and stores (hashed) a fresh connect token and returns the absolute link.</summary>
    /// <param name="connection">Platform, end user and app the link connects.</param>
    /// <param name="elicitationId">The MCP elicitation id that travels into the OAuth state, or null.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    ValueTask<Uri> CreateConnectLinkAsync(ConnectionRef connection, string? elicitationId, CancellationToken cancellationToken);
}
