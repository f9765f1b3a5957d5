using System.Text.Json;

namespace Assistiv.OAuthBroker.Tokens;

/// <summary>
/// A token-endpoint answer, normalized (CONNECTORS.md §0.1: never trust the HTTP status alone). <see cref="Succeeded"/>
/// only when the body carried an access token and no <c>error</c>.
/// </summary>
/// <param name="Succeeded">An access token was issued.</param>
/// <param name="ErrorCode">
/// The provider's <c>error</c> code (also from HTTP-200 bodies: GitHub <c>bad_refresh_token</c>, Zoho <c>invalid_code</c>,
/// Slack <c>ok:false</c>), or null for transport failures and 5xx answers.
/// </param>
/// <param name="AccessToken">Issued access token.</param>
/// <param name="RefreshToken">Issued refresh token, or null.</param>
/// <param name="ExpiresIn">Seconds of validity, or 0 when not given.</param>
/// <param name="Scope">The response's <c>scope</c> as sent (GitHub: comma-separated), or null.</param>
/// <param name="Json">The response body, for provider extras.</param>
internal sealed record TokenEndpointResult(
    bool Succeeded,
    string? ErrorCode,
    string? AccessToken,
    string? RefreshToken,
    int ExpiresIn,
    string? Scope,
    JsonElement? Json)
{
    /// <summary>A failure without a provider error code (5xx, timeout, network).</summary>
    public static TokenEndpointResult Transient { get; } = new(false, null, null, null, 0, null, null);

    public static TokenEndpointResult ProviderError(string code) => new(false, code, null, null, 0, null, null);
}
