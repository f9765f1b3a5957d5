namespace Assistiv.Connectors.Registry;

/// <summary>
/// The seam between the tool broker and the OAuth broker (DESIGN.md: Connectors asks OAuthBroker for a fresh access
/// token through an interface and never sees refresh tokens). Implemented by <c>Assistiv.OAuthBroker</c>.
/// </summary>
public interface IAccessTokenSource
{
    /// <summary>
    /// Returns a usable access token for the connection, refreshing it first when it expires within
    /// <c>Gateway:OAuth:RefreshSkewSeconds</c> (API.md §9.5: single flight per connection, rotation by compare-and-swap).
    /// </summary>
    /// <param name="connection">The connection.</param>
    /// <param name="cancellationToken">Cancels the wait (never a refresh already sent upstream).</param>
    /// <returns>
    /// <see cref="AccessTokenStatus.Ok"/> with the token; <see cref="AccessTokenStatus.NotConnected"/> when no connection
    /// exists; <see cref="AccessTokenStatus.NeedsReauth"/> when the grant is gone (terminal refresh error or status
    /// <c>needs_reauth</c>); <see cref="AccessTokenStatus.Unavailable"/> when a refresh failed transiently.
    /// </returns>
    ValueTask<AccessTokenResult> GetAccessTokenAsync(ConnectionRef connection, CancellationToken cancellationToken);

    /// <summary>
    /// Called once per tool call after the upstream answered 401 with <paramref name="rejectedAccessToken"/>: refreshes
    /// (single flight; a waiter whose token already moved gets the new one) or, when no refresh token exists, marks the
    /// connection <c>needs_reauth</c> (API.md §8.5, §9.5).
    /// </summary>
    /// <param name="connection">The connection.</param>
    /// <param name="rejectedAccessToken">The token the upstream refused.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    ValueTask<AccessTokenResult> RefreshAfterUnauthorizedAsync(ConnectionRef connection, string rejectedAccessToken, CancellationToken cancellationToken);

    /// <summary>Marks the connection <c>needs_reauth</c> after a second 401 (the grant was revoked upstream).</summary>
    /// <param name="connection">The connection.</param>
    /// <param name="reason">Short reason for <c>last_error.message</c>, never a token.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    ValueTask MarkNeedsReauthAsync(ConnectionRef connection, string reason, CancellationToken cancellationToken);
}

/// <summary>Outcome kinds of <see cref="IAccessTokenSource"/>.</summary>
public enum AccessTokenStatus
{
    /// <summary>A token is available.</summary>
    Ok,

    /// <summary>The user has no connection to the app.</summary>
    NotConnected,

    /// <summary>The connection exists but must be re-authorized.</summary>
    NeedsReauth,

    /// <summary>A refresh failed transiently; the connection is unchanged.</summary>
    Unavailable,
}

/// <summary>The result of an access-token request.</summary>
/// <param name="Status">Outcome kind.</param>
/// <param name="AccessToken">The bearer token when <see cref="AccessTokenStatus.Ok"/>, else null. Never log it.</param>
/// <param name="Settings">
/// Per-connection settings the connector needs (<c>{"subdomain": …}</c> for Zendesk, provider extras such as Zoho's
/// <c>api_domain</c>), as a flat string map; empty for GitHub.
/// </param>
public sealed record AccessTokenResult(AccessTokenStatus Status, string? AccessToken, IReadOnlyDictionary<string, string> Settings)
{
    /// <summary>Shared empty settings map.</summary>
    public static IReadOnlyDictionary<string, string> NoSettings { get; } = new Dictionary<string, string>();

    /// <summary>A <see cref="AccessTokenStatus.NotConnected"/> result.</summary>
    public static AccessTokenResult NotConnected { get; } = new(AccessTokenStatus.NotConnected, null, NoSettings);

    /// <summary>A <see cref="AccessTokenStatus.NeedsReauth"/> result.</summary>
    public static AccessTokenResult NeedsReauth { get; } = new(AccessTokenStatus.NeedsReauth, null, NoSettings);

    /// <summary>A <see cref="AccessTokenStatus.Unavailable"/> result.</summary>
    public static AccessTokenResult Unavailable { get; } = new(AccessTokenStatus.Unavailable, null, NoSettings);

    /// <summary>An <see cref="AccessTokenStatus.Ok"/> result.</summary>
    /// <param name="accessToken">The token.</param>
    /// <param name="settings">Connection settings, or null for none.</param>
    public static AccessTokenResult Ok(string accessToken, IReadOnlyDictionary<string, string>? settings = null) =>
        new(AccessTokenStatus.Ok, accessToken, settings ?? NoSettings);
}
