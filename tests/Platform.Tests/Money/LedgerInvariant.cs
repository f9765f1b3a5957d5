using Assistiv.Platform.Budgets;
using Assistiv.Platform.Storage;
using Microsoft.EntityFrameworkCore;

namespace Assistiv.Platform.Tests.Money;

/// <summary>
/// The ledger invariant of API.md §5.6, checked against the database after a committed operation: (1) the budget's
/// <c>max</c>/<c>used</c> equal the newest row's <c>*_after</c> values and the fold of all its rows by §5.2 (each row's
/// <c>*_after</c> also equals the fold up to it); (2) <c>reserved</c> = Σ open holds; (3) <c>remaining ≥ 0</c> when
/// asked; (4) wallet <c>balance</c> = Σ credit − Σ debit, ≥ 0 when asked, and wallet <c>reserved</c> = Σ its holds.
/// </summary>
internal static class LedgerInvariant
{
    public static async Task AssertAsync(PlatformDbContext db, Guid platformId, bool remainingNonNegative, bool walletNonNegative, string context)
    {
        var ct = TestContext.Current.CancellationToken;
        // One snapshot for all reads: the background sweeper may commit between them otherwise.
        await using var snapshot = db.IsSqlite
            ? await db.Database.BeginTransactionAsync(ct)
            : await db.Database.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct);
        var budgets = await db.Budgets.AsNoTracking().Where(b => b.PlatformId == platformId).ToListAsync(ct);
        foreach (var b in budgets)
        {
            var rows = await db.BudgetTransactions.AsNoTracking().Where(t => t.BudgetId == b.Id).ToListAsync(ct);
            // API.md §0.2 order: created_at, then id.
            rows.Sort((x, y) => x.CreatedAt != y.CreatedAt ? x.CreatedAt.CompareTo(y.CreatedAt) : x.Id.CompareTo(y.Id));
            Assert.True(rows.Count > 0, $"{context}: budget {b.Id} has no ledger rows");
            Assert.Equal("opening_balance", rows[0].Type);
            long max = 0, used = 0;
            foreach (var row in rows)
            {
                Assert.True(row.AmountMicros >= 0, $"{context}: negative amount in {row.Type}");
                var signed = row.Direction switch
                {
                    "credit" => row.AmountMicros,
                    "debit" => -row.AmountMicros,
                    "none" => 0,
                    _ => throw new InvalidOperationException(row.Direction),
                };
                Assert.True(row.Direction != "none" || row.AmountMicros == 0, $"{context}: direction none with amount in {row.Type}");
                switch (row.Type)
                {
                    case "opening_balance":
                        max = row.AmountMicros;
                        used = 0;
                        Assert.Equal("credit", row.Direction == "none" ? "credit" : row.Direction);
                        break;
                    case "topup":
                        Assert.NotEqual("debit", row.Direction);
                        max += row.AmountMicros;
                        break;
                    case "debit" or "inference" or "mcp_tool":
                        Assert.NotEqual("credit", row.Direction);
                        used += row.AmountMicros;
                        break;
                    case "suspend" or "unsuspend":
                        Assert.Equal(0, row.AmountMicros);
                        break;
                    case "period_reset":
                        max = max - used + signed;
                        used = 0;
                        break;
                    case "adjustment":
                        max += signed;
                        break;
                    default:
                        Assert.Fail($"{context}: unknown row type {row.Type}");
                        break;
                }

                Assert.True(max == row.MaxAfterMicros && used == row.UsedAfterMicros,
                    $"{context}: fold ({max}, {used}) != row {row.Type} after ({row.MaxAfterMicros}, {row.UsedAfterMicros})");
            }

            var newest = rows[^1];
            Assert.True(b.MaxMicros == newest.MaxAfterMicros && b.UsedMicros == newest.UsedAfterMicros,
                $"{context}: budget ({b.MaxMicros}, {b.UsedMicros}) != newest row {newest.Type} ({newest.MaxAfterMicros}, {newest.UsedAfterMicros})");
            Assert.Equal(max, b.MaxMicros);
            Assert.Equal(used, b.UsedMicros);

            var held = await db.Holds.AsNoTracking().Where(h => h.BudgetId == b.Id).SumAsync(h => h.BudgetMicros, ct);
            Assert.True(b.ReservedMicros == (b.IsActive ? held : 0), $"{context}: reserved {b.ReservedMicros} != Σ holds {held}");
            if (remainingNonNegative)
            {
                Assert.True(b.MaxMicros - b.UsedMicros >= 0, $"{context}: remaining {b.MaxMicros - b.UsedMicros} < 0");
            }
        }

        var wallet = await db.Wallets.AsNoTracking().SingleAsync(w => w.PlatformId == platformId, ct);
        var walletRows = await db.WalletTransactions.AsNoTracking().Where(t => t.WalletId == wallet.Id).ToListAsync(ct);
        var credits = walletRows.Where(t => t.Direction == "credit").Sum(t => t.AmountMicros);
        var debits = walletRows.Where(t => t.Direction == "debit").Sum(t => t.AmountMicros);
        Assert.True(wallet.BalanceMicros == credits - debits, $"{context}: wallet balance {wallet.BalanceMicros} != Σ {credits - debits}");
        if (walletRows.Count > 0)
        {
            walletRows.Sort((x, y) => x.CreatedAt != y.CreatedAt ? x.CreatedAt.CompareTo(y.CreatedAt) : x.Id.CompareTo(y.Id));
            Assert.Equal(wallet.BalanceMicros, walletRows[^1].BalanceAfterMicros);
        }

        var walletHeld = await db.Holds.AsNoTracking().Where(h => h.WalletId == wallet.Id).SumAsync(h => h.WalletMicros, ct);
        Assert.True(wallet.ReservedMicros == walletHeld, $"{context}: wallet reserved {wallet.ReservedMicros} != Σ holds {walletHeld}");
        if (walletNonNegative)
        {
            Assert.True(wallet.BalanceMicros >= 0, $"{context}: wallet balance {wallet.BalanceMicros} < 0");
        }
    }
}
