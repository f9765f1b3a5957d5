namespace Assistiv.Platform.Budgets;

/// <summary>
/// An end user's USD budget (API.md §4.6). Amounts are micro-USD. <c>remaining = max − used</c>, <c>available =
/// remaining − reserved</c>; <see cref="ReservedMicros"/> is the sum of the open holds on this budget (§5.6), kept in
/// the row so that a reservation is one conditional UPDATE (STYLE.md §5). At most one active budget per end user.
/// </summary>
public sealed class BudgetRecord
{
    /// <summary>UUIDv7 id.</summary>
    public Guid Id { get; set; }

    /// <summary>Owning platform.</summary>
    public Guid PlatformId { get; set; }

    /// <summary>The end user.</summary>
    public Guid EndUserId { get; set; }

    /// <summary>The end user's <c>external_id</c> (immutable, API.md §4.4), copied for webhook payloads (§10.2).</summary>
    public string ExternalId { get; set; } = "";

    /// <summary><c>max_usd</c> in micro-USD.</summary>
    public long MaxMicros { get; set; }

    /// <summary><c>used_usd</c> in micro-USD.</summary>
    public long UsedMicros { get; set; }

    /// <summary><c>reserved_usd</c>: Σ open holds, micro-USD.</summary>
    public long ReservedMicros { get; set; }

    /// <summary><c>one_time</c>, <c>daily</c> or <c>monthly</c> (API.md §5.3).</summary>
    public string Period { get; set; } = BudgetPeriods.OneTime;

    /// <summary>Start of the current window (UTC).</summary>
    public DateTimeOffset PeriodStart { get; set; }

    /// <summary>End of the current window (UTC, exclusive); null for <c>one_time</c>.</summary>
    public DateTimeOffset? PeriodEnd { get; set; }

    /// <summary>Whether a reset sets <c>max</c> to <see cref="ReplenishMicros"/> (API.md §5.4).</summary>
    public bool AutoReplenish { get; set; }

    /// <summary><c>replenish_amount</c> in micro-USD, or null.</summary>
    public long? ReplenishMicros { get; set; }

    /// <summary><c>low_balance_threshold</c> in micro-USD, or null (no events).</summary>
    public long? LowBalanceThresholdMicros { get; set; }

    /// <summary>Edge trigger of <c>budget.low_balance</c> (API.md §5.5).</summary>
    public bool LowBalanceArmed { get; set; } = true;

    /// <summary>False once deleted (<c>DELETE E/budget</c> or end-user deletion).</summary>
    public bool IsActive { get; set; } = true;

    /// <summary>Suspended budgets refuse every metered call (API.md §6.6, §8.5).</summary>
    public bool IsSuspended { get; set; }

    /// <summary>Creation time.</summary>
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Last change.</summary>
    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>When the budget was deactivated, or null.</summary>
    public DateTimeOffset? DeactivatedAt { get; set; }
}
