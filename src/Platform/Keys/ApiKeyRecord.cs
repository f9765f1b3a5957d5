namespace Assistiv.Platform.Keys;

/// <summary>An API key row (API.md §2.2, §4.2). Only the SHA-256 of the raw key is stored.</summary>
public sealed class ApiKeyRecord
{
    /// <summary>UUIDv7 id.</summary>
    public Guid Id { get; set; }

    /// <summary>Owning platform.</summary>
    public Guid PlatformId { get; set; }

    /// <summary><see cref="ApiKeyType.Platform"/> or <see cref="ApiKeyType.EndUser"/>.</summary>
    public ApiKeyType Type { get; set; }

    /// <summary>The end user of an <c>sk-eu_</c> key; null for platform keys.</summary>
    public Guid? EndUserId { get; set; }

    /// <summary>Lowercase hex SHA-256 of the raw key (64 characters), unique.</summary>
    public string KeyHash { get; set; } = "";

    /// <summary>The first 12 characters of the raw key.</summary>
    public string KeyPrefix { get; set; } = "";

    /// <summary>Optional name.</summary>
    public string? Name { get; set; }

    /// <summary>Scopes as given, comma-joined (<c>admin</c>, <c>management</c>, <c>inference</c>).</summary>
    public string Scopes { get; set; } = "";

    /// <summary>End-user keys' tool policy as JSON; null means the default policy (platform keys: always null).</summary>
    public string? ToolPolicyJson { get; set; }

    /// <summary>False once revoked.</summary>
    public bool IsActive { get; set; } = true;

    /// <summary>Last use, written at most once a minute.</summary>
    public DateTimeOffset? LastUsedAt { get; set; }

    /// <summary>Expiry, or null.</summary>
    public DateTimeOffset? ExpiresAt { get; set; }

    /// <summary>Revocation time, or null.</summary>
    public DateTimeOffset? RevokedAt { get; set; }

    /// <summary>Creation time (UTC, ms).</summary>
    public DateTimeOffset CreatedAt { get; set; }
}
