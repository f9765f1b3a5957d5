namespace Assistiv.Platform.Connections;

/// <summary>
/// One end user's OAuth connection to one app (API.md §4.11, §9). Tokens live only in <see cref="TokensProtected"/>,
/// encrypted with Data Protection (purpose <c>gateway.oauth.tokens.v1</c>); rotation writes the blob, expiry and an
/// incremented <see cref="TokenVersion"/> in one conditional UPDATE (API.md §9.5).
/// </summary>
public sealed class ConnectionRecord
{
    /// <summary>UUIDv7 id.</summary>
    public Guid Id { get; set; }

    /// <summary>Owning platform.</summary>
    public Guid PlatformId { get; set; }

    /// <summary>The end user.</summary>
    public Guid EndUserId { get; set; }

    /// <summary>Catalogue app id.</summary>
    public string App { get; set; } = "";

    /// <summary><c>connected</c> or <c>needs_reauth</c>.</summary>
    public string Status { get; set; } = ConnectionStatus.Connected;

    /// <summary>Upstream account label (GitHub login, …), best effort.</summary>
    public string? AccountLabel { get; set; }

    /// <summary>Granted scopes as a JSON array.</summary>
    public string GrantedScopesJson { get; set; } = "[]";

    /// <summary>Connection settings as JSON (<c>{"subdomain": …}</c> for Zendesk, else <c>{}</c>).</summary>
    public string SettingsJson { get; set; } = "{}";

    /// <summary>Encrypted token bundle (access token, refresh token, provider extras); null after a terminal refresh error.</summary>
    public string? TokensProtected { get; set; }

    /// <summary>Access-token expiry, or null when the token does not expire.</summary>
    public DateTimeOffset? TokenExpiresAt { get; set; }

    /// <summary>Incremented on every token write; the compare-and-swap value of rotation.</summary>
    public long TokenVersion { get; set; }

    /// <summary>The OAuth client id the tokens were issued to.</summary>
    public string ClientId { get; set; } = "";

    /// <summary>First connect (or latest reconnect).</summary>
    public DateTimeOffset ConnectedAt { get; set; }

    /// <summary>Last successful refresh.</summary>
    public DateTimeOffset? LastRefreshedAt { get; set; }

    /// <summary>Last tool call that used the connection.</summary>
    public DateTimeOffset? LastUsedAt { get; set; }

    /// <summary><c>{"code","message","at"}</c> of the last failure, or null.</summary>
    public string? LastErrorJson { get; set; }

    /// <summary>Last change.</summary>
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>Connection status values (API.md §4.11).</summary>
public static class ConnectionStatus
{
    /// <summary>Tokens are usable.</summary>
    public const string Connected = "connected";

    /// <summary>The grant expired or was revoked; the user must reconnect.</summary>
    public const string NeedsReauth = "needs_reauth";
}
