namespace Assistiv.Platform.Connections;

/// <summary>
/// Disconnects OAuth connections in bulk (API.md §9.6): best-effort upstream revoke (10 s timeout, failures logged,
/// never surfaced), then deletion of tokens and rows. Implemented by the OAuth broker; used by end-user deletion and
/// app deactivation.
/// </summary>
public interface IConnectionRevoker
{
    /// <summary>Disconnects every connection of one end user.</summary>
    /// <param name="platformId">The platform.</param>
    /// <param name="endUserId">The end user.</param>
    /// <param name="cancellationToken">Cancels the wait; deletion still completes.</param>
    Task RevokeAllForEndUserAsync(Guid platformId, Guid endUserId, CancellationToken cancellationToken);

    /// <summary>Disconnects every connection of one app on a platform.</summary>
    /// <param name="platformId">The platform.</param>
    /// <param name="app">The app id.</param>
    /// <param name="cancellationToken">Cancels the wait; deletion still completes.</param>
    Task RevokeAllForAppAsync(Guid platformId, string app, CancellationToken cancellationToken);
}
