namespace Assistiv.Platform.Budgets;

/// <summary>The fields of a budget create (API.md §4.6), amounts in micro-USD, validated by the caller.</summary>
/// <param name="MaxMicros"><c>max_usd</c> (&gt; 0).</param>
/// <param name="Period"><c>one_time</c>, <c>daily</c> or <c>monthly</c>.</param>
/// <param name="AutoReplenish">Reset sets <c>max</c> to <paramref name="ReplenishMicros"/>.</param>
/// <param name="ReplenishMicros"><c>replenish_amount</c>, required with auto-replenish.</param>
/// <param name="LowBalanceThresholdMicros"><c>low_balance_threshold</c>, or null.</param>
public sealed record BudgetSettings(long MaxMicros, string Period, bool AutoReplenish, long? ReplenishMicros, long? LowBalanceThresholdMicros);

/// <summary>The fields of a budget PATCH (API.md §4.6); <c>Set*</c> tell a given null from an absent field.</summary>
public sealed record BudgetPatch
{
    /// <summary>New <c>max_usd</c> (≥ 0), or null to keep.</summary>
    public long? MaxMicros { get; init; }

    /// <summary>New period, or null to keep.</summary>
    public string? Period { get; init; }

    /// <summary>New auto-replenish flag, or null to keep.</summary>
    public bool? AutoReplenish { get; init; }

    /// <summary>Whether <see cref="ReplenishMicros"/> was given.</summary>
    public bool SetReplenish { get; init; }

    /// <summary>New <c>replenish_amount</c> (null clears it).</summary>
    public long? ReplenishMicros { get; init; }

    /// <summary>Whether <see cref="LowBalanceThresholdMicros"/> was given.</summary>
    public bool SetThreshold { get; init; }

    /// <summary>New threshold (null disables low-balance events).</summary>
    public long? LowBalanceThresholdMicros { get; init; }

    /// <summary>New suspension flag, or null to keep.</summary>
    public bool? IsSuspended { get; init; }
}

/// <summary>Outcome of a budget operation.</summary>
public enum BudgetOutcome
{
    /// <summary>Done.</summary>
    Ok,

    /// <summary>The end user is unknown or deleted (404 <c>not_found</c>).</summary>
    EndUserNotFound,

    /// <summary>The end user has no active budget (404 <c>no_active_budget</c>).</summary>
    NoActiveBudget,

    /// <summary>An active budget exists already (409 <c>budget_exists</c>).</summary>
    Exists,

    /// <summary>A debit larger than <c>available</c> without <c>allow_negative</c> (402 <c>budget_exhausted</c>).</summary>
    Exhausted,

    /// <summary>The change breaks a rule; see <see cref="BudgetResult.Param"/> (422).</summary>
    Invalid,
}

/// <summary>Result of a budget operation: the budget after it and the ledger row it wrote, when any.</summary>
/// <param name="Outcome">What happened.</param>
/// <param name="Budget">The budget after the operation.</param>
/// <param name="Transaction">The row written (topup, debit), or null.</param>
/// <param name="Param">The offending field of an <see cref="BudgetOutcome.Invalid"/> change.</param>
/// <param name="Message">Why it is invalid.</param>
public sealed record BudgetResult(BudgetOutcome Outcome, BudgetRecord? Budget = null, BudgetTransactionRecord? Transaction = null,
    string? Param = null, string? Message = null);
