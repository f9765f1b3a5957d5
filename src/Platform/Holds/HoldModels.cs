using Assistiv.Platform.UsageLogs;

namespace Assistiv.Platform.Holds;

/// <summary>
/// A reservation to take before a metered call (API.md §5.6, §6.6, §8.5): <paramref name="WalletMicros"/> on the
/// platform wallet and, when the end user has an active budget, <paramref name="BudgetMicros"/> (the wallet amount with
/// markup, <see cref="Ledger.Charges.WithMarkup"/>) on that budget.
/// </summary>
/// <param name="PlatformId">The platform.</param>
/// <param name="EndUserId">The end user, or null for a platform-key call (wallet only).</param>
/// <param name="ApiKeyId">The key that made the call.</param>
/// <param name="RequestId">The <c>x-request-id</c>.</param>
/// <param name="RequestType">Usage-log request type: <c>chat.completion</c>, <c>response</c> or <c>mcp_tool</c>.</param>
/// <param name="WalletMicros">Wallet hold, micro-USD, ≥ 0.</param>
/// <param name="BudgetMicros">Budget hold, micro-USD, ≥ 0.</param>
public sealed record HoldRequest(Guid PlatformId, Guid? EndUserId, Guid? ApiKeyId, string RequestId, string RequestType, long WalletMicros, long BudgetMicros)
{
    /// <summary>Model slug of an inference call.</summary>
    public string? Model { get; init; }

    /// <summary>App of a tool call.</summary>
    public string? McpApp { get; init; }

    /// <summary>Tool of a tool call.</summary>
    public string? McpTool { get; init; }
}

/// <summary>Admission outcome of <see cref="HoldService.ReserveAsync"/>, in the check order of API.md §6.6 step 4.</summary>
public enum HoldStatus
{
    /// <summary>The hold was taken.</summary>
    Reserved,

    /// <summary>402 <c>budget_suspended</c>.</summary>
    BudgetSuspended,

    /// <summary>402 <c>budget_exhausted</c>: budget <c>available_usd</c> &lt; the budget hold.</summary>
    BudgetExhausted,

    /// <summary>402 <c>wallet_insufficient</c>: wallet <c>available_usd</c> &lt; the wallet hold (only with <c>EnforceWallet</c>).</summary>
    WalletInsufficient,
}

/// <summary>Result of <see cref="HoldService.ReserveAsync"/>.</summary>
/// <param name="Status">Outcome; nothing was written unless <see cref="HoldStatus.Reserved"/>.</param>
/// <param name="HoldId">The hold, when reserved.</param>
/// <param name="BudgetId">The budget held against, or null (no active budget: wallet only).</param>
/// <param name="BudgetAvailableMicros">Budget <c>available</c> after the hold (or at refusal); null without a budget.
/// Inference uses it to shrink the output cap to what is affordable (§6.6 step 2).</param>
/// <param name="WalletAvailableMicros">Wallet <c>available</c> after the hold (or at refusal).</param>
public sealed record HoldResult(HoldStatus Status, Guid? HoldId, Guid? BudgetId, long? BudgetAvailableMicros, long WalletAvailableMicros);

/// <summary>
/// What a settled call cost (API.md §5.7): the wallet charge (provider cost) and the budget charge (with markup). Each
/// side books at most its hold, the budget never more than <c>max(0, remaining)</c> (§5.6).
/// </summary>
/// <param name="WalletCostMicros">Provider cost, micro-USD.</param>
/// <param name="BudgetCostMicros">Budget charge, micro-USD.</param>
/// <param name="LedgerType"><c>inference</c> (wallet row <c>llm_usage</c>) or <c>mcp_tool</c> (wallet row <c>mcp_usage</c>).</param>
/// <param name="Description">Wallet row description, e.g. <c>Inference: 19 tokens (gpt-4o-mini)</c>.</param>
/// <param name="Log">The call's usage-log row, inserted in the settlement transaction with <c>estimated_cost</c> and
/// <c>billed</c> set to the charges; null for none.</param>
public sealed record SettleRequest(long WalletCostMicros, long BudgetCostMicros, string LedgerType, string? Description, UsageLogRecord? Log);

/// <summary>Result of <see cref="HoldService.SettleAsync"/>.</summary>
/// <param name="Settled">False when the hold was no longer open (released by the sweeper): nothing was charged.</param>
/// <param name="WalletChargedMicros">Booked on the wallet.</param>
/// <param name="BudgetChargedMicros">Booked on the budget.</param>
/// <param name="BudgetTransactionId">The budget row, or null (no budget).</param>
/// <param name="WalletTransactionId">The wallet row, or null.</param>
public sealed record SettleResult(bool Settled, long WalletChargedMicros, long BudgetChargedMicros, Guid? BudgetTransactionId, Guid? WalletTransactionId);
