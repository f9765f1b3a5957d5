namespace Assistiv.OAuthBroker.Connect;

/// <summary>What <c>GET /oauth/callback</c> answers (API.md §9.2).</summary>
/// <param name="Redirect">
/// The platform page <c>{redirect_base_url}/mcp/oauth-callback?…</c> (302), or null when no redirect is possible (state
/// missing or unknown): the host then answers 400 <c>text/html</c> naming <see cref="Code"/>.
/// </param>
/// <param name="App">The app of the state, or null when the state is unknown.</param>
/// <param name="Code">
/// <c>connected</c> on success; otherwise the error code: <c>invalid_state</c>, <c>state_expired</c>, <c>access_denied</c>,
/// <c>provider_error</c>, <c>app_not_active</c>, <c>end_user_inactive</c>, <c>token_exchange_failed</c>.
/// </param>
/// <param name="AccountLabel">The upstream account label on success (best effort), else null.</param>
public sealed record CallbackOutcome(Uri? Redirect, string? App, string Code, string? AccountLabel)
{
    /// <summary>The success code.</summary>
    public const string Connected = "connected";

    /// <summary>True when the connection was stored.</summary>
    public bool Succeeded => Code == Connected;
}
