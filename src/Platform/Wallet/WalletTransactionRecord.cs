namespace Assistiv.Platform.Wallet;

/// <summary>One wallet ledger row (API.md §4.7): written in the transaction that changes the balance.</summary>
public sealed class WalletTransactionRecord : Ledger.ILedgerRow
{
    /// <summary>UUIDv7 id.</summary>
    public Guid Id { get; set; }

    /// <summary>The wallet.</summary>
    public Guid WalletId { get; set; }

    /// <summary>The platform.</summary>
    public Guid PlatformId { get; set; }

    /// <summary><c>top_up</c>, <c>llm_usage</c> or <c>mcp_usage</c> in v1.</summary>
    public string Type { get; set; } = "";

    /// <summary><c>credit</c>, <c>debit</c> or <c>none</c>.</summary>
    public string Direction { get; set; } = "";

    /// <summary>Absolute change of the balance in micro-USD (≥ 0).</summary>
    public long AmountMicros { get; set; }

    /// <summary>Balance after the row, micro-USD.</summary>
    public long BalanceAfterMicros { get; set; }

    /// <summary>Description (≤ 500), e.g. <c>Inference: 19 tokens (gpt-4o-mini)</c>.</summary>
    public string? Description { get; set; }

    /// <summary>End user of a usage row, or null.</summary>
    public Guid? EndUserId { get; set; }

    /// <summary>Request id of the call that caused the row, or null.</summary>
    public string? RequestId { get; set; }

    /// <summary>Metadata object as JSON.</summary>
    public string MetadataJson { get; set; } = "{}";

    /// <summary>Creation time.</summary>
    public DateTimeOffset CreatedAt { get; set; }
}
