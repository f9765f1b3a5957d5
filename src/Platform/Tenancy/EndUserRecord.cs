namespace Assistiv.Platform.Tenancy;

/// <summary>An end-user row (API.md §4.4). Deleted users keep their row with <see cref="DeletedAt"/> set.</summary>
public sealed class EndUserRecord
{
    /// <summary>UUIDv7 id.</summary>
    public Guid Id { get; set; }

    /// <summary>Owning platform.</summary>
    public Guid PlatformId { get; set; }

    /// <summary>The platform's own user id, 1–255 characters, unique per platform among non-deleted users.</summary>
    public string ExternalId { get; set; } = "";

    /// <summary>Optional display name.</summary>
    public string? DisplayName { get; set; }

    /// <summary>Opaque metadata object as JSON text.</summary>
    public string MetadataJson { get; set; } = "{}";

    /// <summary>The user's tool policy as JSON, or null for the default policy.</summary>
    public string? ToolPolicyJson { get; set; }

    /// <summary>Inactive users' keys answer 403 <c>forbidden</c>.</summary>
    public bool IsActive { get; set; } = true;

    /// <summary>Set when the user was deleted; frees <see cref="ExternalId"/>.</summary>
    public DateTimeOffset? DeletedAt { get; set; }

    /// <summary>Creation time (UTC, ms).</summary>
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Last change (UTC, ms).</summary>
    public DateTimeOffset UpdatedAt { get; set; }
}
