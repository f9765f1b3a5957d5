namespace Assistiv.Platform.Connections;

/// <summary>An immutable snapshot of one activated MCP app (API.md §4.11), as cached for the hot path.</summary>
/// <param name="Id">Row id.</param>
/// <param name="PlatformId">The platform.</param>
/// <param name="App">Catalogue app id.</param>
/// <param name="ClientId">OAuth client id.</param>
/// <param name="ClientSecretProtected">Encrypted client secret (purpose <c>gateway.mcp-app.client-secret.v1</c>).</param>
/// <param name="RedirectBaseUrl">The platform's site, no trailing slash.</param>
/// <param name="Scopes">Scopes set at activation, or null for the catalogue default.</param>
/// <param name="Settings">Per-app settings, values rendered as strings (<c>enterprise_base_url</c>, <c>subdomain</c>, …).</param>
/// <param name="ActivatedAt">First activation.</param>
/// <param name="UpdatedAt">Last change.</param>
public sealed record McpAppActivation(
    Guid Id,
    Guid PlatformId,
    string App,
    string ClientId,
    string ClientSecretProtected,
    string RedirectBaseUrl,
    IReadOnlyList<string>? Scopes,
    IReadOnlyDictionary<string, string> Settings,
    DateTimeOffset ActivatedAt,
    DateTimeOffset UpdatedAt);
