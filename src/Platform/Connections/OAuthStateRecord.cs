namespace Assistiv.Platform.Connections;

/// <summary>A single-use OAuth <c>state</c> (API.md §9.1): stored hashed, valid 10 minutes, bound to platform, end user and app.</summary>
public sealed class OAuthStateRecord
{
    /// <summary>UUIDv7 id.</summary>
    public Guid Id { get; set; }

    /// <summary>Lowercase hex SHA-256 of the state value.</summary>
    public string StateHash { get; set; } = "";

    /// <summary>Owning platform.</summary>
    public Guid PlatformId { get; set; }

    /// <summary>The end user who connects.</summary>
    public Guid EndUserId { get; set; }

    /// <summary>Catalogue app id.</summary>
    public string App { get; set; } = "";

    /// <summary>PKCE <c>code_verifier</c>, encrypted; null when the app uses no PKCE.</summary>
    public string? CodeVerifierProtected { get; set; }

    /// <summary>Zendesk subdomain chosen at authorize time.</summary>
    public string? Subdomain { get; set; }

    /// <summary>The MCP elicitation that asked for this connect, if any.</summary>
    public string? ElicitationId { get; set; }

    /// <summary>SHA-256 of the <c>gw_connect</c> cookie nonce when the state was created from a connect token.</summary>
    public string? CookieNonceHash { get; set; }

    /// <summary>
    /// The activation's <c>redirect_base_url</c> when the state was made, so that the callback can still redirect after the
    /// app was deactivated meanwhile (API.md §9.2 step 4).
    /// </summary>
    public string? RedirectBaseUrl { get; set; }

    /// <summary>The scopes requested at authorize time as a JSON array (the granted scopes when the provider names none, §9.2).</summary>
    public string? ScopesJson { get; set; }

    /// <summary>Creation time.</summary>
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Expiry (creation + 10 minutes).</summary>
    public DateTimeOffset ExpiresAt { get; set; }

    /// <summary>When the callback consumed it.</summary>
    public DateTimeOffset? UsedAt { get; set; }
}
