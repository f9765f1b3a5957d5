namespace Assistiv.Platform.Budgets;

/// <summary>
/// One budget ledger row (API.md §4.6, §5.2). Written in the same transaction as the budget change it records, with the
/// budget's values after the row; <c>remaining_after = max_after − used_after</c>.
/// </summary>
public sealed class BudgetTransactionRecord : Ledger.ILedgerRow
{
    /// <summary>UUIDv7 id (the <c>transaction_id</c> of webhook events).</summary>
    public Guid Id { get; set; }

    /// <summary>The budget.</summary>
    public Guid BudgetId { get; set; }

    /// <summary>Owning platform.</summary>
    public Guid PlatformId { get; set; }

    /// <summary>The end user.</summary>
    public Guid EndUserId { get; set; }

    /// <summary>One of <see cref="Ledger.LedgerTypes"/>' budget types.</summary>
    public string Type { get; set; } = "";

    /// <summary><c>credit</c>, <c>debit</c> or <c>none</c>: the sign of the change of <c>remaining</c>.</summary>
    public string Direction { get; set; } = "";

    /// <summary>Absolute change of <c>remaining</c> in micro-USD (≥ 0).</summary>
    public long AmountMicros { get; set; }

    /// <summary><c>max_usd</c> after the row.</summary>
    public long MaxAfterMicros { get; set; }

    /// <summary><c>used_usd</c> after the row.</summary>
    public long UsedAfterMicros { get; set; }

    /// <summary>Free text (≤ 500), or null.</summary>
    public string? Reason { get; set; }

    /// <summary>Metadata object as JSON.</summary>
    public string MetadataJson { get; set; } = "{}";

    /// <summary>The <c>x-request-id</c> of the call that caused the row; null for sweeper-made rows.</summary>
    public string? RequestId { get; set; }

    /// <summary>Creation time.</summary>
    public DateTimeOffset CreatedAt { get; set; }
}
