using System.Data.Common;
using Assistiv.Platform.Ledger;

namespace Assistiv.Platform.Budgets;

/// <summary>A budget row read inside a money transaction, changed in memory and written back by <see cref="BudgetLedger.SaveAsync"/>.</summary>
internal sealed class BudgetState
{
    public const string Columns =
        "id, platform_id, end_user_id, external_id, max_micros, used_micros, reserved_micros, period, period_start, period_end, "
        + "auto_replenish, replenish_micros, low_balance_threshold_micros, low_balance_armed, is_active, is_suspended, created_at, updated_at, deactivated_at";

    public Guid Id { get; init; }

    public Guid PlatformId { get; init; }

    public Guid EndUserId { get; init; }

    public string ExternalId { get; init; } = "";

    public long Max { get; set; }

    public long Used { get; set; }

    public long Reserved { get; set; }

    public string Period { get; set; } = BudgetPeriods.OneTime;

    public DateTimeOffset PeriodStart { get; set; }

    public DateTimeOffset? PeriodEnd { get; set; }

    public bool AutoReplenish { get; set; }

    public long? Replenish { get; set; }

    public long? Threshold { get; set; }

    public bool Armed { get; set; }

    public bool IsActive { get; set; }

    public bool IsSuspended { get; set; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset UpdatedAt { get; set; }

    public DateTimeOffset? DeactivatedAt { get; set; }

    public long Remaining => Max - Used;

    public long Available => Max - Used - Reserved;

    public long? LowBalanceThresholdMicros => Threshold;

    public static BudgetState Read(MoneyTx tx, DbDataReader r) => new()
    {
        Id = tx.GetGuid(r, 0),
        PlatformId = tx.GetGuid(r, 1),
        EndUserId = tx.GetGuid(r, 2),
        ExternalId = r.GetString(3),
        Max = r.GetInt64(4),
        Used = r.GetInt64(5),
        Reserved = r.GetInt64(6),
        Period = r.GetString(7),
        PeriodStart = tx.GetTime(r, 8),
        PeriodEnd = tx.GetTimeOrNull(r, 9),
        AutoReplenish = r.GetBoolean(10),
        Replenish = MoneyTx.GetInt64OrNull(r, 11),
        Threshold = MoneyTx.GetInt64OrNull(r, 12),
        Armed = r.GetBoolean(13),
        IsActive = r.GetBoolean(14),
        IsSuspended = r.GetBoolean(15),
        CreatedAt = tx.GetTime(r, 16),
        UpdatedAt = tx.GetTime(r, 17),
        DeactivatedAt = tx.GetTimeOrNull(r, 18),
    };

    public BudgetRecord ToRecord() => new()
    {
        Id = Id,
        PlatformId = PlatformId,
        EndUserId = EndUserId,
        ExternalId = ExternalId,
        MaxMicros = Max,
        UsedMicros = Used,
        ReservedMicros = Reserved,
        Period = Period,
        PeriodStart = PeriodStart,
        PeriodEnd = PeriodEnd,
        AutoReplenish = AutoReplenish,
        ReplenishMicros = Replenish,
        LowBalanceThresholdMicros = Threshold,
        LowBalanceArmed = Armed,
        IsActive = IsActive,
        IsSuspended = IsSuspended,
        CreatedAt = CreatedAt,
        UpdatedAt = UpdatedAt,
        DeactivatedAt = DeactivatedAt,
    };
}
