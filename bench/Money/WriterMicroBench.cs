using System.Diagnostics;
using System.Globalization;
using Assistiv.Platform.Budgets;
using Assistiv.Platform.Ledger;
using Assistiv.Platform.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Assistiv.Bench;

/// <summary>
/// STYLE.md §5's micro-benchmark behind docs/decisions/0050-money-writer.md: one conditional UPDATE of a budget plus
/// one ledger-row INSERT per operation on SQLite, run by 32 concurrent callers three ways: (a) EF Core
/// <c>ExecuteUpdateAsync</c> + <c>SaveChangesAsync</c> in a transaction per operation, (b) raw SQL in a
/// <c>BEGIN IMMEDIATE</c> transaction per operation on pooled connections, (c) raw SQL through the single in-process
/// writer that commits batches (the money layer's <see cref="SqliteMoneyWriter"/>).
/// </summary>
internal static class WriterMicroBench
{
    private const int Callers = 32;

    public static async Task<int> RunAsync(string[] args)
    {
        var seconds = int.Parse(ReserveSettleBench.Option(args, "--seconds") ?? "5", CultureInfo.InvariantCulture);
        Console.WriteLine($"# SQLite writer micro-benchmark: conditional UPDATE + ledger INSERT, {Callers} callers, {seconds} s, {Environment.ProcessorCount} cores");
        Console.WriteLine("| variant | ops/s | p50 ms | p99 ms | CPU µs/op |");
        Console.WriteLine("|---|---|---|---|---|");
        foreach (var variant in new[] { "ef", "raw", "writer" })
        {
            var dir = Path.Combine(Path.GetTempPath(), "gw-bench", Guid.CreateVersion7().ToString("N"));
            Directory.CreateDirectory(dir);
            var cs = $"Data Source={Path.Combine(dir, "gateway.db")}";
            await using (var host = await MoneyBenchHost.StartAsync("sqlite", cs))
            {
                var (_, users) = await host.SeedAsync(1, 1_000_000_000_000);
                var factory = host.Services.GetRequiredService<IDbContextFactory<PlatformDbContext>>();
                Guid budgetId;
                await using (var db = await factory.CreateDbContextAsync())
                {
                    budgetId = await db.Budgets.Where(b => b.EndUserId == users[0]).Select(b => b.Id).SingleAsync();
                }

                Func<Task> op = variant switch
                {
                    "ef" => () => EfAsync(factory, budgetId),
                    "raw" => () => RawAsync(StorageRegistration.PrepareSqliteConnectionString(cs), budgetId),
                    _ => WriterOp(host.Services.GetRequiredService<IMoneyExecutor>(), budgetId),
                };
                await LoopAsync(op, TimeSpan.FromSeconds(1));
                var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
                var (count, lat, elapsed) = await LoopAsync(op, TimeSpan.FromSeconds(seconds));
                var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu0;
                lat.Sort();
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {variant} | {count / elapsed.TotalSeconds:F0} | {lat[lat.Count / 2]:F2} | {lat[(int)(lat.Count * 0.99)]:F2} | {cpu.TotalMicroseconds / count:F0} |"));
            }

            SqliteConnection.ClearAllPools();
            Directory.Delete(dir, recursive: true);
        }

        return 0;
    }

    private static async Task EfAsync(IDbContextFactory<PlatformDbContext> factory, Guid budgetId)
    {
        await using var db = await factory.CreateDbContextAsync();
        await using var tx = await db.Database.BeginTransactionAsync();
        var n = await db.Budgets.Where(b => b.Id == budgetId && b.MaxMicros - b.UsedMicros - b.ReservedMicros >= 1)
            .ExecuteUpdateAsync(s => s.SetProperty(b => b.UsedMicros, b => b.UsedMicros + 1));
        if (n == 1)
        {
            db.BudgetTransactions.Add(Row(budgetId));
            await db.SaveChangesAsync();
        }

        await tx.CommitAsync();
    }

    private static async Task RawAsync(string cs, Guid budgetId)
    {
        await using var connection = new SqliteConnection(cs);
        await connection.OpenAsync();
        await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync();
        await using var update = connection.CreateCommand();
        update.Transaction = tx;
        update.CommandText = "UPDATE budgets SET used_micros = used_micros + 1 WHERE id = @id AND max_micros - used_micros - reserved_micros >= 1";
        update.Parameters.AddWithValue("@id", budgetId.ToString("D"));
        if (await update.ExecuteNonQueryAsync() == 1)
        {
            await using var insert = connection.CreateCommand();
            insert.Transaction = tx;
            insert.CommandText = "INSERT INTO budget_transactions (id, budget_id, platform_id, end_user_id, type, direction, amount_micros, "
                + "max_after_micros, used_after_micros, metadata_json, created_at) VALUES (@id, @b, @b, @b, 'debit', 'debit', 1, 0, 0, '{}', 0)";
            insert.Parameters.AddWithValue("@id", MonotonicIds.Next(DateTimeOffset.UnixEpoch).ToString("D"));
            insert.Parameters.AddWithValue("@b", budgetId.ToString("D"));
            await insert.ExecuteNonQueryAsync();
        }

        await tx.CommitAsync();
    }

    private static Func<Task> WriterOp(IMoneyExecutor writer, Guid budgetId) => async () => await writer.RunAsync(async (tx, ct) =>
    {
        var update = tx.Command("UPDATE budgets SET used_micros = used_micros + 1 WHERE id = @id AND max_micros - used_micros - reserved_micros >= 1");
        tx.Add(update, "@id", budgetId);
        if (await update.ExecuteNonQueryAsync(ct) == 1)
        {
            await tx.InsertAsync(Row(budgetId), ct);
        }

        return true;
    }, CancellationToken.None);

    private static BudgetTransactionRecord Row(Guid budgetId) => new()
    {
        Id = MonotonicIds.Next(DateTimeOffset.UnixEpoch),
        BudgetId = budgetId,
        PlatformId = budgetId,
        EndUserId = budgetId,
        Type = "debit",
        Direction = "debit",
        AmountMicros = 1,
        CreatedAt = DateTimeOffset.UnixEpoch,
    };

    private static async Task<(long Count, List<double> Latencies, TimeSpan Elapsed)> LoopAsync(Func<Task> op, TimeSpan duration)
    {
        var stop = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var started = Stopwatch.GetTimestamp();
        var tasks = Enumerable.Range(0, Callers).Select(_ => Task.Run(async () =>
        {
            var lat = new List<double>();
            while (Stopwatch.GetTimestamp() < stop)
            {
                var t0 = Stopwatch.GetTimestamp();
                await op();
                lat.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
            }

            return lat;
        })).ToList();
        var all = new List<double>();
        foreach (var t in tasks)
        {
            all.AddRange(await t);
        }

        return (all.Count, all, Stopwatch.GetElapsedTime(started));
    }
}
