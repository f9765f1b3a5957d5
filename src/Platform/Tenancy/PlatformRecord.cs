namespace Assistiv.Platform.Tenancy;

/// <summary>A platform (tenant) row (API.md §4.1).</summary>
public sealed class PlatformRecord
{
    /// <summary>UUIDv7 id.</summary>
    public Guid Id { get; set; }

    /// <summary>Display name, 1–100 characters.</summary>
    public string Name { get; set; } = "";

    /// <summary>Unique slug, <c>^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$</c>.</summary>
    public string Slug { get; set; } = "";

    /// <summary><c>settings.default_budget_usd</c> in micro-USD, or null.</summary>
    public long? DefaultBudgetMicros { get; set; }

    /// <summary><c>settings.markup_percentage</c>, 0–1000.</summary>
    public decimal MarkupPercentage { get; set; }

    /// <summary><c>settings.tool_policy</c> as JSON, or null for the default policy.</summary>
    public string? ToolPolicyJson { get; set; }

    /// <summary>Whether the platform is active.</summary>
    public bool IsActive { get; set; } = true;

    /// <summary>Creation time (UTC, ms).</summary>
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Last change (UTC, ms).</summary>
    public DateTimeOffset UpdatedAt { get; set; }
}
