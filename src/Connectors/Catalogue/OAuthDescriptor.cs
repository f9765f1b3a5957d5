namespace Assistiv.Connectors.Catalogue;

/// <summary>
/// An app's OAuth settings from <c>connectors.json</c> (API.md §9.4), read by the OAuth broker. URLs may contain
/// placeholders that the broker fills: <c>{base}</c> (<c>Gateway:PublicBaseUrl</c>), <c>{client_id}</c> (the
/// activation's client id); <see cref="AppDescriptor.ResolveEndpoints"/> fills <c>{api}</c> and activation settings.
/// A token URL of the form <c>inprocess:{name}</c> (the mock app, API.md §9.3) means the token endpoint is served in
/// process, not over HTTP.
/// </summary>
public sealed class OAuthDescriptor
{
    internal OAuthDescriptor(
        string authorizeUrl,
        string tokenUrl,
        string? revokeUrl,
        string? revokeMethod,
        string scopeParameter,
        string scopeSeparator,
        IReadOnlyList<string> defaultScopes,
        bool pkce,
        IReadOnlyDictionary<string, string> extraAuthorizeParams)
    {
        AuthorizeUrl = authorizeUrl;
        TokenUrl = tokenUrl;
        RevokeUrl = revokeUrl;
        RevokeMethod = revokeMethod;
        ScopeParameter = scopeParameter;
        ScopeSeparator = scopeSeparator;
        DefaultScopes = defaultScopes;
        Pkce = pkce;
        ExtraAuthorizeParams = extraAuthorizeParams;
    }

    /// <summary>The provider's authorize URL, after any <c>Gateway:Apps:{app}:AuthorizeUrl</c> override.</summary>
    public string AuthorizeUrl { get; }

    /// <summary>The token URL (or <c>inprocess:{name}</c>), after any <c>Gateway:Apps:{app}:TokenUrl</c> override.</summary>
    public string TokenUrl { get; }

    /// <summary>The revoke URL, after any <c>Gateway:Apps:{app}:RevokeUrl</c> override; null when the app has none.</summary>
    public string? RevokeUrl { get; }

    /// <summary>HTTP method of the revoke call (e.g. <c>DELETE</c> for GitHub), or null.</summary>
    public string? RevokeMethod { get; }

    /// <summary>Authorize query parameter that carries the scopes (<c>scope</c>; Slack uses <c>user_scope</c>).</summary>
    public string ScopeParameter { get; }

    /// <summary>Separator joining scopes in that parameter (<c>" "</c> for GitHub, <c>","</c> for Slack and Zoho).</summary>
    public string ScopeSeparator { get; }

    /// <summary>Scopes requested when the activation names none.</summary>
    public IReadOnlyList<string> DefaultScopes { get; }

    /// <summary>Whether the authorize request carries a PKCE S256 challenge (RFC 7636).</summary>
    public bool Pkce { get; }

    /// <summary>Extra authorize query parameters (Zoho <c>access_type=offline</c>, <c>prompt=consent</c>).</summary>
    public IReadOnlyDictionary<string, string> ExtraAuthorizeParams { get; }

    /// <summary>True when <see cref="TokenUrl"/> is <c>inprocess:…</c> (no HTTP token endpoint).</summary>
    public bool HasInProcessTokenEndpoint => TokenUrl.StartsWith(InProcessPrefix, StringComparison.Ordinal);

    /// <summary>The prefix of an in-process token endpoint.</summary>
    public const string InProcessPrefix = "inprocess:";
}
