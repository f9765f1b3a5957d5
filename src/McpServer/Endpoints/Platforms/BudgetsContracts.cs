using System.Text.Json;
using Assistiv.McpServer.Json;
using Assistiv.Platform.Budgets;
using Assistiv.Platform.Wallet;

namespace Assistiv.McpServer.Endpoints.Platforms;

/// <summary>API.md §4.6 budget object.</summary>
internal sealed record BudgetDto(Guid Id, Guid PlatformId, Guid EndUserId, MicroUsd MaxUsd, MicroUsd UsedUsd, MicroUsd RemainingUsd,
    MicroUsd ReservedUsd, MicroUsd AvailableUsd, string Period, DateTimeOffset PeriodStart, DateTimeOffset? PeriodEnd, bool AutoReplenish,
    MicroUsd? ReplenishAmount, MicroUsd? LowBalanceThreshold, bool LowBalanceArmed, bool IsActive, bool IsSuspended,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static BudgetDto From(BudgetRecord b) => new(b.Id, b.PlatformId, b.EndUserId, new(b.MaxMicros), new(b.UsedMicros),
        new(b.MaxMicros - b.UsedMicros), new(b.ReservedMicros), new(b.MaxMicros - b.UsedMicros - b.ReservedMicros), b.Period, b.PeriodStart,
        b.PeriodEnd, b.AutoReplenish, MicroUsd.From(b.ReplenishMicros), MicroUsd.From(b.LowBalanceThresholdMicros), b.LowBalanceArmed,
        b.IsActive, b.IsSuspended, b.CreatedAt, b.UpdatedAt);
}

/// <summary>API.md §4.6 transaction row.</summary>
internal sealed record BudgetTransactionDto(Guid Id, Guid BudgetId, Guid PlatformId, Guid EndUserId, string Type, string Direction,
    MicroUsd AmountUsd, MicroUsd MaxUsdAfter, MicroUsd UsedUsdAfter, MicroUsd RemainingUsdAfter, string? Reason, JsonElement Metadata,
    string? RequestId, DateTimeOffset CreatedAt)
{
    public static BudgetTransactionDto From(BudgetTransactionRecord t) => new(t.Id, t.BudgetId, t.PlatformId, t.EndUserId, t.Type, t.Direction,
        new(t.AmountMicros), new(t.MaxAfterMicros), new(t.UsedAfterMicros), new(t.MaxAfterMicros - t.UsedAfterMicros), t.Reason,
        ParseObject(t.MetadataJson), t.RequestId, t.CreatedAt);

    public static JsonElement ParseObject(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.Clone();
    }
}

/// <summary><c>{ "budget", "transaction" }</c> of top-up and debit (API.md §4.6).</summary>
internal sealed record BudgetChangeDto(BudgetDto Budget, BudgetTransactionDto Transaction);

/// <summary>API.md §4.7 wallet object.</summary>
internal sealed record WalletDto(Guid Id, Guid PlatformId, MicroUsd Balance, MicroUsd ReservedUsd, MicroUsd AvailableUsd, string Currency,
    MicroUsd? LowBalanceThreshold, bool LowBalanceArmed, bool IsActive, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt,
    IReadOnlyList<WalletTransactionDto> RecentTransactions)
{
    public static WalletDto From(WalletRecord w, IReadOnlyList<WalletTransactionRecord> recent) => new(w.Id, w.PlatformId, new(w.BalanceMicros),
        new(w.ReservedMicros), new(w.BalanceMicros - w.ReservedMicros), "usd", MicroUsd.From(w.LowBalanceThresholdMicros), w.LowBalanceArmed,
        w.IsActive, w.CreatedAt, w.UpdatedAt, recent.Select(WalletTransactionDto.From).ToList());
}

/// <summary>API.md §4.7 wallet transaction.</summary>
internal sealed record WalletTransactionDto(Guid Id, Guid PlatformId, string Type, string Direction, MicroUsd Amount, MicroUsd BalanceAfter,
    string? Description, Guid? EndUserId, string? RequestId, JsonElement Metadata, DateTimeOffset CreatedAt)
{
    public static WalletTransactionDto From(WalletTransactionRecord t) => new(t.Id, t.PlatformId, t.Type, t.Direction, new(t.AmountMicros),
        new(t.BalanceAfterMicros), t.Description, t.EndUserId, t.RequestId, BudgetTransactionDto.ParseObject(t.MetadataJson), t.CreatedAt);
}

/// <summary><c>{ "wallet", "transaction" }</c> of a wallet top-up (API.md §4.7).</summary>
internal sealed record WalletChangeDto(WalletDto Wallet, WalletTransactionDto Transaction);

/// <summary>API.md §4.13 <c>GET E/wallet</c>: the end-user wallet view; the display ledger is not in v1.</summary>
internal sealed record EndUserWalletDto(Guid EndUserId, Guid BudgetId, UsdLedgerDto UsdLedger, JsonElement? DisplayLedger);

internal sealed record UsdLedgerDto(MicroUsd MaxUsd, MicroUsd UsedUsd, MicroUsd RemainingUsd, bool IsActive, bool IsSuspended);
