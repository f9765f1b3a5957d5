namespace Assistiv.OAuthBroker.Providers;

/// <summary>
/// What the broker needs to know about one app's OAuth provider (API.md §9.4). Built from the connector catalogue; URLs
/// may hold <c>{base}</c> (public base URL), <c>{api}</c> (the API base URL) and <c>{client_id}</c> placeholders.
/// </summary>
/// <param name="App">Catalogue app id (<c>github</c>, <c>mock</c>, …).</param>
/// <param name="Name">Display name (<c>GitHub</c>).</param>
/// <param name="AuthorizeUrl">Provider authorize URL.</param>
/// <param name="TokenUrl">Token URL, or <c>inprocess:{name}</c> for an in-process endpoint (the mock app).</param>
/// <param name="RevokeUrl">Token-level revoke URL, or null when the app has none.</param>
/// <param name="RevokeMethod">HTTP method of the revoke call, or null.</param>
/// <param name="ApiBaseUrl">API base URL without a trailing slash, or null for in-process apps.</param>
/// <param name="ScopeParameter">Authorize parameter carrying the scopes (<c>scope</c>; Slack <c>user_scope</c>).</param>
/// <param name="ScopeSeparator">Separator joining scopes in that parameter.</param>
/// <param name="DefaultScopes">Scopes requested when the activation names none.</param>
/// <param name="Pkce">Whether the authorize request carries an S256 challenge (RFC 7636).</param>
/// <param name="ExtraAuthorizeParams">Extra authorize query parameters.</param>
internal sealed record ProviderDescriptor(
    string App,
    string Name,
    string AuthorizeUrl,
    string TokenUrl,
    string? RevokeUrl,
    string? RevokeMethod,
    string? ApiBaseUrl,
    string ScopeParameter,
    string ScopeSeparator,
    IReadOnlyList<string> DefaultScopes,
    bool Pkce,
    IReadOnlyDictionary<string, string> ExtraAuthorizeParams)
{
    /// <summary>The prefix of an in-process token endpoint.</summary>
    public const string InProcessPrefix = "inprocess:";

    /// <summary>
    /// How client credentials travel to the token endpoint (CONNECTORS.md §5): GitHub, Zoho and Zendesk document body
    /// parameters; Slack prefers HTTP Basic.
    /// </summary>
    public bool ClientCredentialsInBody => !string.Equals(App, "slack", StringComparison.Ordinal);

    /// <summary>The scopes a connect requests: the activation's, else the defaults (API.md §4.11).</summary>
    public IReadOnlyList<string> RequestedScopes(IReadOnlyList<string>? activationScopes) =>
        activationScopes is { Count: > 0 } ? activationScopes : DefaultScopes;
}

/// <summary>An app's endpoints for one activation, placeholders other than <c>{client_id}</c> filled.</summary>
/// <param name="AuthorizeUrl">Authorize URL.</param>
/// <param name="TokenUrl">Token URL (or <c>inprocess:…</c>).</param>
/// <param name="RevokeUrl">Revoke URL (may still hold <c>{client_id}</c>), or null.</param>
/// <param name="ApiBaseUrl">API base URL without a trailing slash, or null.</param>
/// <param name="Guarded">
/// True when the hosts came from an activation setting (GitHub <c>enterprise_base_url</c>), i.e. through the API, so
/// requests to them pass the outbound target guard (API.md §1.8).
/// </param>
internal sealed record ProviderEndpoints(string AuthorizeUrl, string TokenUrl, string? RevokeUrl, string? ApiBaseUrl, bool Guarded)
{
    /// <summary>True when the token endpoint is served in process.</summary>
    public bool InProcessToken => TokenUrl.StartsWith(ProviderDescriptor.InProcessPrefix, StringComparison.Ordinal);
}
