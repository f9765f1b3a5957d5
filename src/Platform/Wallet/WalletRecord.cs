namespace Assistiv.Platform.Wallet;

/// <summary>
/// A platform's wallet (API.md §4.7), created with the platform. <see cref="ReservedMicros"/> is the sum of the open
/// holds on the wallet (§5.6); <c>available = balance − reserved</c>.
/// </summary>
public sealed class WalletRecord
{
    /// <summary>UUIDv7 id.</summary>
    public Guid Id { get; set; }

    /// <summary>The platform (one wallet per platform).</summary>
    public Guid PlatformId { get; set; }

    /// <summary><c>balance</c> in micro-USD.</summary>
    public long BalanceMicros { get; set; }

    /// <summary><c>reserved_usd</c>: Σ open holds, micro-USD.</summary>
    public long ReservedMicros { get; set; }

    /// <summary><c>low_balance_threshold</c> in micro-USD, or null (no events).</summary>
    public long? LowBalanceThresholdMicros { get; set; }

    /// <summary>Edge trigger of <c>wallet.low_balance</c> (API.md §5.5).</summary>
    public bool LowBalanceArmed { get; set; } = true;

    /// <summary>Always true in v1.</summary>
    public bool IsActive { get; set; } = true;

    /// <summary>Creation time.</summary>
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Last change.</summary>
    public DateTimeOffset UpdatedAt { get; set; }
}
