using Assistiv.Platform.Ledger;
using Assistiv.Platform.Storage;
using Microsoft.EntityFrameworkCore;

namespace Assistiv.Platform.Wallet;

/// <summary>
/// The platform wallet (API.md §4.7): read with its newest rows, top up, change the low-balance threshold, and the
/// ledger. Amounts are micro-USD.
/// </summary>
public sealed class WalletService
{
    private readonly IDbContextFactory<PlatformDbContext> _db;
    private readonly IMoneyExecutor _money;

    internal WalletService(IDbContextFactory<PlatformDbContext> db, IMoneyExecutor money)
    {
        _db = db;
        _money = money;
    }

    /// <summary>The platform's wallet and its 5 newest rows (API.md §4.7); the wallet is created when missing.</summary>
    /// <param name="platformId">The platform.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    public async Task<(WalletRecord Wallet, IReadOnlyList<WalletTransactionRecord> Recent)> GetAsync(Guid platformId, CancellationToken cancellationToken)
    {
        await using var db = await _db.CreateDbContextAsync(cancellationToken);
        var wallet = await db.Wallets.AsNoTracking().FirstOrDefaultAsync(w => w.PlatformId == platformId, cancellationToken)
            ?? await _money.RunAsync((tx, ct) => WalletLedger.LoadOrCreateAsync(tx, platformId, ct), cancellationToken);
        var recent = await db.WalletTransactions.AsNoTracking().Where(t => t.WalletId == wallet.Id)
            .OrderByDescending(t => t.CreatedAt).ThenByDescending(t => t.Id).Take(5).ToListAsync(cancellationToken);
        return (wallet, recent);
    }

    /// <summary>
    /// Adds <paramref name="amountMicros"/> to the balance with a <c>top_up</c> row; re-arms <c>wallet.low_balance</c>
    /// when the balance ends above the threshold (API.md §4.7, §5.5).
    /// </summary>
    /// <param name="platformId">The platform.</param>
    /// <param name="amountMicros">Amount, &gt; 0.</param>
    /// <param name="description">Description, or null.</param>
    /// <param name="metadataJson">Metadata object JSON, or null.</param>
    /// <param name="requestId">Request id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    public ValueTask<(WalletRecord Wallet, WalletTransactionRecord Transaction)> TopupAsync(Guid platformId, long amountMicros, string? description,
        string? metadataJson, string? requestId, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(amountMicros);
        return _money.RunAsync(async (tx, ct) =>
        {
            var w = await WalletLedger.LoadOrCreateAsync(tx, platformId, ct);
            var c = tx.Command(MoneyTx.UpdateReturning(tx.IsSqlite, "UPDATE wallets SET balance_micros = balance_micros + @a, updated_at = @now WHERE id = @id",
                "balance_micros", "wallets", "id = @id"));
            tx.Add(c, "@a", amountMicros).Add(c, "@now", tx.Now).Add(c, "@id", w.Id);
            w.BalanceMicros = Convert.ToInt64(await tx.ScalarAsync(c, ct), System.Globalization.CultureInfo.InvariantCulture);
            w.UpdatedAt = tx.Now;
            var (row, armed) = await WalletLedger.AppendAsync(tx, w.Id, platformId, w.BalanceMicros, amountMicros, w.LowBalanceThresholdMicros,
                w.LowBalanceArmed, LedgerTypes.WalletTopUp, description, null, requestId, metadataJson, ct);
            if (armed != w.LowBalanceArmed)
            {
                w.LowBalanceArmed = armed;
                await WalletLedger.SetArmedAsync(tx, w.Id, armed, ct);
            }

            return (w, row);
        }, cancellationToken);
    }

    /// <summary>Sets the low-balance threshold (null: no events) and re-arms (API.md §4.7, §5.5).</summary>
    /// <param name="platformId">The platform.</param>
    /// <param name="thresholdMicros">New threshold or null.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    public ValueTask<WalletRecord> SetThresholdAsync(Guid platformId, long? thresholdMicros, CancellationToken cancellationToken) =>
        _money.RunAsync(async (tx, ct) =>
        {
            var w = await WalletLedger.LoadOrCreateAsync(tx, platformId, ct);
            var c = tx.Command("UPDATE wallets SET low_balance_threshold_micros = @t, low_balance_armed = TRUE, updated_at = @now WHERE id = @id");
            tx.Add(c, "@t", thresholdMicros).Add(c, "@now", tx.Now).Add(c, "@id", w.Id);
            await tx.WriteAsync(c, ct);
            w.LowBalanceThresholdMicros = thresholdMicros;
            w.LowBalanceArmed = true;
            w.UpdatedAt = tx.Now;
            return w;
        }, cancellationToken);

    /// <summary>A page of the wallet's ledger (API.md §4.7).</summary>
    /// <param name="walletId">The wallet (already resolved within the platform).</param>
    /// <param name="query">Paging and filters.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    public async Task<LedgerPage<WalletTransactionRecord>> ListTransactionsAsync(Guid walletId, LedgerQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        await using var db = await _db.CreateDbContextAsync(cancellationToken);
        return await LedgerPaging.PageAsync(db.WalletTransactions.Where(t => t.WalletId == walletId), query, cancellationToken);
    }
}
