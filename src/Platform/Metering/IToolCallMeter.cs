namespace Assistiv.Platform.Metering;

/// <summary>
/// Tool-call metering (API.md §8.5): <see cref="AdmitAsync"/> before the upstream call, then exactly one
/// <see cref="CompleteAsync"/>, which settles or releases what was admitted and writes the call's usage-log row in the
/// same transaction. Until budgets and the wallet exist (issue B) it counts the free tier only: calls within the tier log
/// <c>free_tier</c>, later ones run and log <c>not_billed</c>, and no holds are taken.
/// </summary>
public interface IToolCallMeter
{
    /// <summary>Decides atomically whether the call may run and claims what it needs (a free slot or a hold).</summary>
    /// <param name="request">Who calls what.</param>
    /// <param name="cancellationToken">Cancels before anything is claimed.</param>
    /// <returns>An admission; when <see cref="ToolAdmission.Status"/> is not <see cref="ToolAdmissionStatus.Admitted"/> the call must not run.</returns>
    ValueTask<ToolAdmission> AdmitAsync(ToolMeterRequest request, CancellationToken cancellationToken);

    /// <summary>
    /// Ends a call: consumes (success) or returns (failure) a claimed free slot, settles or releases a hold, and inserts
    /// the <c>mcp_tool</c> usage-log row, all in one transaction. Pass a null admission for calls that ended before
    /// admission (invalid arguments, not connected): only the log row is written. Runs on its own bounded token, not the
    /// request's, so a client hanging up never loses a row (STYLE.md §0.7).
    /// </summary>
    /// <param name="request">Who called what.</param>
    /// <param name="admission">The admission, or null.</param>
    /// <param name="completion">How the call ended.</param>
    /// <param name="cancellationToken">A bounded token (not the request's).</param>
    ValueTask CompleteAsync(ToolMeterRequest request, ToolAdmission? admission, ToolCallCompletion completion, CancellationToken cancellationToken);
}

/// <summary>A tool call to meter.</summary>
/// <param name="PlatformId">The platform.</param>
/// <param name="EndUserId">The end user the tool runs as.</param>
/// <param name="ApiKeyId">The authenticating key.</param>
/// <param name="RequestId">The request id for the log row.</param>
/// <param name="App">App id.</param>
/// <param name="Tool">Tool name.</param>
public sealed record ToolMeterRequest(Guid PlatformId, Guid EndUserId, Guid ApiKeyId, string RequestId, string App, string Tool);

/// <summary>Admission outcomes (API.md §8.5 codes).</summary>
public enum ToolAdmissionStatus
{
    /// <summary>The call may run.</summary>
    Admitted,

    /// <summary><c>[budget_suspended]</c>.</summary>
    BudgetSuspended,

    /// <summary><c>[budget_exhausted]</c>.</summary>
    BudgetExhausted,

    /// <summary><c>[wallet_insufficient]</c>.</summary>
    WalletInsufficient,
}

/// <summary>What <see cref="IToolCallMeter.AdmitAsync"/> claimed.</summary>
/// <param name="Status">Outcome.</param>
/// <param name="FreeSlot">True when a free-tier slot was claimed.</param>
/// <param name="HoldId">The hold taken for a paid call, or null.</param>
public sealed record ToolAdmission(ToolAdmissionStatus Status, bool FreeSlot, Guid? HoldId)
{
    /// <summary>
    /// The UTC month (<c>yyyy-MM</c>) whose free-tier counter holds the claimed slot, so that a call admitted just before
    /// midnight at the end of a month settles the row it claimed; null when no free slot was claimed.
    /// </summary>
    public string? FreeTierMonth { get; init; }
}

/// <summary>How a tool call ended, for settlement and its log row.</summary>
/// <param name="Success">True when the result was not <c>isError</c>.</param>
/// <param name="Status">Log status: <c>success</c>, <c>error</c> or <c>rejected</c>.</param>
/// <param name="ErrorCode">The bracketed result code, or null.</param>
/// <param name="ErrorMessage">A short cause without tokens, or null.</param>
/// <param name="LatencyMs">Wall time of the call.</param>
public sealed record ToolCallCompletion(bool Success, string Status, string? ErrorCode, string? ErrorMessage, long LatencyMs);
