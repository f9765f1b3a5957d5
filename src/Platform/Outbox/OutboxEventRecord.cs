namespace Assistiv.Platform.Outbox;

/// <summary>
/// One webhook event (API.md §10.1–10.2) written in the transaction of the ledger row that caused it (§10.4). The
/// dispatcher of the webhooks issue hangs one delivery row per subscribed endpoint off <see cref="Id"/>.
/// </summary>
public sealed class OutboxEventRecord
{
    /// <summary>UUIDv7 id (foreign key of deliveries).</summary>
    public Guid Id { get; set; }

    /// <summary><c>&lt;transaction_id&gt;:&lt;event_type&gt;</c>, unique; receivers dedupe on it.</summary>
    public string EventId { get; set; } = "";

    /// <summary><c>budget.topped_up</c>, <c>budget.debited</c>, <c>budget.low_balance</c>, <c>budget.suspended</c>,
    /// <c>budget.unsuspended</c> or <c>wallet.low_balance</c>.</summary>
    public string EventType { get; set; } = "";

    /// <summary>Standard Webhooks message id, <c>msg_</c> + ULID (§10.3): one per event, the same for every endpoint, retry and replay.</summary>
    public string MessageId { get; set; } = "";

    /// <summary>The platform whose endpoints receive the event.</summary>
    public Guid PlatformId { get; set; }

    /// <summary>The exact JSON body to send (the §10.2 envelope), UTF-8 text.</summary>
    public string Payload { get; set; } = "";

    /// <summary>Creation time (= the ledger row's).</summary>
    public DateTimeOffset CreatedAt { get; set; }
}
