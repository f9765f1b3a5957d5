namespace Assistiv.Platform.RateLimits;

/// <summary>A platform's default limits (API.md §4.8 <c>PUT P/rate-limits</c>); null = unlimited.</summary>
public sealed class PlatformRateLimitRecord
{
    /// <summary>The platform (primary key).</summary>
    public Guid PlatformId { get; set; }

    /// <summary>Requests per minute, or null.</summary>
    public int? RpmLimit { get; set; }

    /// <summary>Tokens per minute, or null.</summary>
    public int? TpmLimit { get; set; }

    /// <summary>Requests per day, or null.</summary>
    public int? RpdLimit { get; set; }

    /// <summary>Last change.</summary>
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>An end user's override (API.md §4.8 <c>PUT E/rate-limits</c>); null fields inherit the platform default.</summary>
public sealed class EndUserRateLimitRecord
{
    /// <summary>The end user (primary key).</summary>
    public Guid EndUserId { get; set; }

    /// <summary>Owning platform.</summary>
    public Guid PlatformId { get; set; }

    /// <summary>Requests per minute, or null (inherit).</summary>
    public int? RpmLimit { get; set; }

    /// <summary>Tokens per minute, or null (inherit).</summary>
    public int? TpmLimit { get; set; }

    /// <summary>Requests per day, or null (inherit).</summary>
    public int? RpdLimit { get; set; }

    /// <summary>Last change.</summary>
    public DateTimeOffset UpdatedAt { get; set; }
}
