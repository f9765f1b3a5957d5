using Assistiv.Platform.Common;
using Assistiv.Platform.Ledger;
using Assistiv.Platform.Outbox;
using Assistiv.Platform.Storage;

namespace Assistiv.Platform.Wallet;

/// <summary>The wallet ledger rules of API.md §4.7 and §5.5 inside a money transaction.</summary>
internal static class WalletLedger
{
    public const string Columns =
        "id, platform_id, balance_micros, reserved_micros, low_balance_threshold_micros, low_balance_armed, is_active, created_at, updated_at";

    private const string ChargeUpdate =
        "UPDATE wallets SET reserved_micros = reserved_micros - @h, balance_micros = balance_micros - @c, updated_at = @now WHERE id = @id";

    private const string ChargeColumns = "platform_id, balance_micros, low_balance_threshold_micros, low_balance_armed";

    private static readonly string s_chargeSqlite = MoneyTx.UpdateReturning(true, ChargeUpdate, ChargeColumns, "wallets", "id = @id");

    private static readonly string s_chargePostgres = MoneyTx.UpdateReturning(false, ChargeUpdate, ChargeColumns, "wallets", "id = @id");

    /// <summary>The platform's wallet, row-locked on PostgreSQL; null when the platform has none.</summary>
    public static async ValueTask<WalletRecord?> LoadAsync(MoneyTx tx, Guid platformId, CancellationToken cancellationToken)
    {
        var command = tx.Command($"SELECT {Columns} FROM wallets WHERE platform_id = @p{tx.ForUpdate}");
        tx.Add(command, "@p", platformId);
        await using var r = await tx.ReadAsync(command, cancellationToken);
        if (!await r.ReadAsync(cancellationToken))
        {
            return null;
        }

        return new WalletRecord
        {
            Id = tx.GetGuid(r, 0),
            PlatformId = tx.GetGuid(r, 1),
            BalanceMicros = r.GetInt64(2),
            ReservedMicros = r.GetInt64(3),
            LowBalanceThresholdMicros = MoneyTx.GetInt64OrNull(r, 4),
            LowBalanceArmed = r.GetBoolean(5),
            IsActive = r.GetBoolean(6),
            CreatedAt = tx.GetTime(r, 7),
            UpdatedAt = tx.GetTime(r, 8),
        };
    }

    /// <summary>
    /// The platform's wallet, created with balance 0 when missing (every platform gets one at creation, API.md §4.7; this
    /// covers platforms made before the money layer existed). The unique index on <c>platform_id</c> settles a race.
    /// </summary>
    public static async ValueTask<WalletRecord> LoadOrCreateAsync(MoneyTx tx, Guid platformId, CancellationToken cancellationToken)
    {
        if (await LoadAsync(tx, platformId, cancellationToken) is { } wallet)
        {
            return wallet;
        }

        var exists = tx.Command("SELECT 1 FROM platforms WHERE id = @p");
        tx.Add(exists, "@p", platformId);
        if (await tx.ScalarAsync(exists, cancellationToken) is null)
        {
            throw new InvalidOperationException("Unknown platform.");
        }

        var insert = tx.Command(
            "INSERT INTO wallets (id, platform_id, balance_micros, reserved_micros, low_balance_threshold_micros, low_balance_armed, is_active, created_at, updated_at) "
            + "VALUES (@id, @p, 0, 0, NULL, TRUE, TRUE, @now, @now) ON CONFLICT DO NOTHING");
        tx.Add(insert, "@id", Guid.CreateVersion7(tx.Now)).Add(insert, "@p", platformId).Add(insert, "@now", tx.Now);
        await tx.CountAsync(insert, cancellationToken);
        return await LoadAsync(tx, platformId, cancellationToken) ?? throw new InvalidOperationException("Wallet missing after insert.");
    }

    /// <summary>
    /// Books a change of the balance already made in the database: the ledger row, and <c>wallet.low_balance</c> on a
    /// debit that leaves <c>balance ≤ threshold</c> while armed, or the re-arm of a top-up that leaves it above (§5.5).
    /// </summary>
    /// <returns>The row and the new armed flag (to write back when it changed).</returns>
    public static async ValueTask<(WalletTransactionRecord Row, bool Armed)> AppendAsync(MoneyTx tx, Guid walletId, Guid platformId,
        long balanceAfter, long delta, long? threshold, bool armed, string type, string? description, Guid? endUserId, string? requestId,
        string? metadataJson, CancellationToken cancellationToken)
    {
        var row = new WalletTransactionRecord
        {
            Id = MonotonicIds.Next(tx.Now),
            WalletId = walletId,
            PlatformId = platformId,
            Type = type,
            Direction = LedgerTypes.DirectionOf(delta),
            AmountMicros = Math.Abs(delta),
            BalanceAfterMicros = balanceAfter,
            Description = description,
            EndUserId = endUserId,
            RequestId = requestId,
            MetadataJson = metadataJson ?? "{}",
            CreatedAt = tx.Now,
        };
        await tx.InsertAsync(row, cancellationToken);
        if (threshold is { } t)
        {
            if (delta < 0 && armed && balanceAfter <= t)
            {
                armed = false;
                await OutboxWriter.AppendWalletEventAsync(tx, OutboxWriter.WalletLowBalance, threshold, row, cancellationToken);
            }
            else if (!armed && type == LedgerTypes.WalletTopUp && balanceAfter > t)
            {
                armed = true;
            }
        }

        return (row, armed);
    }

    public static async ValueTask SetArmedAsync(MoneyTx tx, Guid walletId, bool armed, CancellationToken cancellationToken)
    {
        var c = tx.Command("UPDATE wallets SET low_balance_armed = @a WHERE id = @id");
        tx.Add(c, "@a", armed).Add(c, "@id", walletId);
        await tx.WriteAsync(c, cancellationToken);
    }

    /// <summary>
    /// Settles the wallet side of a hold: releases <paramref name="holdMicros"/> of reservation, takes
    /// <paramref name="chargeMicros"/> off the balance and books the usage row.
    /// </summary>
    public static async ValueTask<WalletTransactionRecord?> ChargeAsync(MoneyTx tx, Guid walletId, long holdMicros, long chargeMicros, string type,
        string? description, Guid? endUserId, string? requestId, CancellationToken cancellationToken)
    {
        var c = tx.Command(tx.IsSqlite ? s_chargeSqlite : s_chargePostgres);
        tx.Add(c, "@h", holdMicros).Add(c, "@c", chargeMicros).Add(c, "@now", tx.Now).Add(c, "@id", walletId);
        Guid platformId;
        long balance;
        long? threshold;
        bool armed;
        await using (var r = await tx.ReadAsync(c, cancellationToken))
        {
            if (!await r.ReadAsync(cancellationToken))
            {
                return null;
            }

            platformId = tx.GetGuid(r, 0);
            balance = r.GetInt64(1);
            threshold = MoneyTx.GetInt64OrNull(r, 2);
            armed = r.GetBoolean(3);
        }

        var (row, newArmed) = await AppendAsync(tx, walletId, platformId, balance, -chargeMicros, threshold, armed, type, description,
            endUserId, requestId, null, cancellationToken);
        if (newArmed != armed)
        {
            await SetArmedAsync(tx, walletId, newArmed, cancellationToken);
        }

        return row;
    }

    /// <summary>
    /// Adds a platform's wallet to an EF unit of work (API.md §3.3, §4.7): balance <paramref name="initialMicros"/>,
    /// no threshold, armed; one <c>top_up</c> row when the balance is above zero.
    /// </summary>
    public static WalletRecord AddNewWallet(PlatformDbContext db, Guid platformId, long initialMicros, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentOutOfRangeException.ThrowIfNegative(initialMicros);
        var now = time.UtcNowMs();
        var wallet = new WalletRecord
        {
            Id = Ids.NewId(time),
            PlatformId = platformId,
            BalanceMicros = initialMicros,
            LowBalanceArmed = true,
            IsActive = true,
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.Wallets.Add(wallet);
        if (initialMicros > 0)
        {
            db.WalletTransactions.Add(new WalletTransactionRecord
            {
                Id = MonotonicIds.Next(now),
                WalletId = wallet.Id,
                PlatformId = platformId,
                Type = LedgerTypes.WalletTopUp,
                Direction = LedgerTypes.Credit,
                AmountMicros = initialMicros,
                BalanceAfterMicros = initialMicros,
                Description = "Initial balance",
                CreatedAt = now,
            });
        }

        return wallet;
    }
}
