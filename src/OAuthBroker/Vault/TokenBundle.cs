namespace Assistiv.OAuthBroker.Vault;

/// <summary>
/// Everything secret about one connection, stored as one Data Protection payload (purpose
/// <c>gateway.oauth.tokens.v1</c>, API.md §3.2) in <c>connections.tokens_protected</c>.
/// </summary>
/// <param name="AccessToken">The bearer token.</param>
/// <param name="RefreshToken">The refresh token, or null when the provider issued none.</param>
/// <param name="Extras">Provider extras the connectors need (Zoho <c>api_domain</c>, Zendesk token id, …), or null.</param>
internal sealed record TokenBundle(string AccessToken, string? RefreshToken, IReadOnlyDictionary<string, string>? Extras);
