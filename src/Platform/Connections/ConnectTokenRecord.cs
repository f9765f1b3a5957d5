namespace Assistiv.Platform.Connections;

/// <summary>A single-use connect link token (API.md §9.1): 32 random bytes, stored as SHA-256, valid 10 minutes.</summary>
public sealed class ConnectTokenRecord
{
    /// <summary>UUIDv7 id.</summary>
    public Guid Id { get; set; }

    /// <summary>Lowercase hex SHA-256 of the token.</summary>
    public string TokenHash { get; set; } = "";

    /// <summary>Owning platform.</summary>
    public Guid PlatformId { get; set; }

    /// <summary>The end user the link is for.</summary>
    public Guid EndUserId { get; set; }

    /// <summary>Catalogue app id.</summary>
    public string App { get; set; } = "";

    /// <summary>The MCP elicitation the link was made for, if any.</summary>
    public string? ElicitationId { get; set; }

    /// <summary>Creation time.</summary>
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Expiry (creation + 10 minutes).</summary>
    public DateTimeOffset ExpiresAt { get; set; }

    /// <summary>When <c>/oauth/authorize</c> consumed it.</summary>
    public DateTimeOffset? UsedAt { get; set; }
}
