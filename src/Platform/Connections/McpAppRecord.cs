namespace Assistiv.Platform.Connections;

/// <summary>An MCP app activated for a platform with its OAuth client credentials (API.md §4.11).</summary>
public sealed class McpAppRecord
{
    /// <summary>UUIDv7 id.</summary>
    public Guid Id { get; set; }

    /// <summary>Owning platform.</summary>
    public Guid PlatformId { get; set; }

    /// <summary>Catalogue app id (<c>github</c>, <c>slack</c>, <c>zoho</c>, <c>zendesk</c>, <c>mock</c>).</summary>
    public string App { get; set; } = "";

    /// <summary>OAuth client id.</summary>
    public string ClientId { get; set; } = "";

    /// <summary>OAuth client secret, encrypted with Data Protection (purpose <c>gateway.mcp-app.client-secret.v1</c>).</summary>
    public string ClientSecretProtected { get; set; } = "";

    /// <summary>The platform's site; users land on <c>{redirect_base_url}/mcp/oauth-callback</c>.</summary>
    public string RedirectBaseUrl { get; set; } = "";

    /// <summary>Requested scopes as a JSON array, or null for the catalogue's default scopes.</summary>
    public string? ScopesJson { get; set; }

    /// <summary>Per-app settings object as JSON (e.g. <c>{"enterprise_base_url": …}</c>).</summary>
    public string SettingsJson { get; set; } = "{}";

    /// <summary>First activation time.</summary>
    public DateTimeOffset ActivatedAt { get; set; }

    /// <summary>Last change.</summary>
    public DateTimeOffset UpdatedAt { get; set; }
}
