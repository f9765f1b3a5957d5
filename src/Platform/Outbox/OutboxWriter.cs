using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Assistiv.Platform.Budgets;
using Assistiv.Platform.Common;
using Assistiv.Platform.Ledger;
using Assistiv.Platform.Wallet;

namespace Assistiv.Platform.Outbox;

/// <summary>
/// Writes webhook events (API.md §10.1) as outbox rows in the caller's transaction, one row per event with
/// <c>event_id = &lt;transaction_id&gt;:&lt;event_type&gt;</c> and the §10.2 envelope as the exact body to send. This
/// is the one place that inserts event rows; the webhooks issue adds the delivery rows here (§10.4: same transaction).
/// </summary>
internal static class OutboxWriter
{
    /// <summary>The <c>api_version</c> of every envelope (API.md §10.2).</summary>
    public const string ApiVersion = "2026-04-11";

    public const string BudgetToppedUp = "budget.topped_up";
    public const string BudgetDebited = "budget.debited";
    public const string BudgetLowBalance = "budget.low_balance";
    public const string BudgetSuspended = "budget.suspended";
    public const string BudgetUnsuspended = "budget.unsuspended";
    public const string WalletLowBalance = "wallet.low_balance";

    private const string TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";

    public static ValueTask AppendBudgetEventAsync(MoneyTx tx, string eventType, BudgetState budget, BudgetTransactionRecord row, CancellationToken cancellationToken)
    {
        var payload = Envelope(eventType, row.Id, row.CreatedAt, w =>
        {
            w.WriteString("platform_id", row.PlatformId);
            w.WriteString("end_user_id", row.EndUserId);
            w.WriteString("external_id", budget.ExternalId);
            w.WriteString("budget_id", row.BudgetId);
            w.WriteString("transaction_id", row.Id);
            w.WriteString("type", row.Type);
            w.WriteString("direction", row.Direction);
            Money(w, "amount_usd", row.AmountMicros);
            Money(w, "max_usd_after", row.MaxAfterMicros);
            Money(w, "used_usd_after", row.UsedAfterMicros);
            Money(w, "remaining_usd_after", row.MaxAfterMicros - row.UsedAfterMicros);
            Money(w, "low_balance_threshold", budget.LowBalanceThresholdMicros);
            StringOrNull(w, "reason", row.Reason);
            w.WritePropertyName("metadata");
            w.WriteRawValue(row.MetadataJson, skipInputValidation: true);
            StringOrNull(w, "request_id", row.RequestId);
        });
        return InsertAsync(tx, eventType, row.Id, row.PlatformId, row.CreatedAt, payload, cancellationToken);
    }

    public static ValueTask AppendWalletEventAsync(MoneyTx tx, string eventType, long? thresholdMicros, WalletTransactionRecord row, CancellationToken cancellationToken)
    {
        var payload = Envelope(eventType, row.Id, row.CreatedAt, w =>
        {
            w.WriteString("platform_id", row.PlatformId);
            w.WriteString("wallet_id", row.WalletId);
            w.WriteString("transaction_id", row.Id);
            w.WriteString("type", row.Type);
            w.WriteString("direction", row.Direction);
            Money(w, "amount", row.AmountMicros);
            Money(w, "balance_after", row.BalanceAfterMicros);
            Money(w, "low_balance_threshold", thresholdMicros);
            StringOrNull(w, "reason", row.Description);
            w.WritePropertyName("metadata");
            w.WriteRawValue(row.MetadataJson, skipInputValidation: true);
            StringOrNull(w, "request_id", row.RequestId);
        });
        return InsertAsync(tx, eventType, row.Id, row.PlatformId, row.CreatedAt, payload, cancellationToken);
    }

    private static async ValueTask InsertAsync(MoneyTx tx, string eventType, Guid transactionId, Guid platformId, DateTimeOffset createdAt,
        string payload, CancellationToken cancellationToken)
    {
        var row = new OutboxEventRecord
        {
            Id = Guid.CreateVersion7(createdAt),
            EventId = EventId(transactionId, eventType),
            EventType = eventType,
            MessageId = "msg_" + Ulid.NewUlid(createdAt).ToString(),
            PlatformId = platformId,
            Payload = payload,
            CreatedAt = createdAt,
        };
        await tx.InsertAsync(row, cancellationToken);
        tx.EventsWritten++;
    }

    /// <summary><c>&lt;transaction_id&gt;:&lt;event_type&gt;</c> (API.md §10.2).</summary>
    public static string EventId(Guid transactionId, string eventType) => transactionId.ToString("D") + ":" + eventType;

    private static string Envelope(string eventType, Guid transactionId, DateTimeOffset createdAt, Action<Utf8JsonWriter> data)
    {
        var buffer = new ArrayBufferWriter<byte>(768);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("event_type", eventType);
            w.WriteString("event_id", EventId(transactionId, eventType));
            w.WriteString("api_version", ApiVersion);
            w.WriteString("created_at", createdAt.UtcDateTime.ToString(TimestampFormat, CultureInfo.InvariantCulture));
            w.WritePropertyName("data");
            w.WriteStartObject();
            data(w);
            w.WriteEndObject();
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void Money(Utf8JsonWriter w, string name, long? micros)
    {
        w.WritePropertyName(name);
        if (micros is { } m)
        {
            w.WriteRawValue(MicroUsdText.Format(m), skipInputValidation: true);
        }
        else
        {
            w.WriteNullValue();
        }
    }

    private static void StringOrNull(Utf8JsonWriter w, string name, string? value)
    {
        if (value is null)
        {
            w.WriteNull(name);
        }
        else
        {
            w.WriteString(name, value);
        }
    }
}
