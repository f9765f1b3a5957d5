using System.Diagnostics;
using System.Globalization;
using Assistiv.Platform.Holds;
using Assistiv.Platform.UsageLogs;
using Npgsql;

namespace Assistiv.Bench;

/// <summary>
/// Reserve+settle throughput through <see cref="HoldService"/> (API.md §1.7, issue B's target): N concurrent callers,
/// each looping reserve → settle (wallet and budget rows, usage-log row, <c>budget.debited</c> outbox row), on one
/// budget (contended) and on 1,000 budgets (spread). Reports pairs/s and the p50/p99 latency of a pair.
/// </summary>
internal static class ReserveSettleBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        var db = Option(args, "--db") ?? "both";
        var seconds = int.Parse(Option(args, "--seconds") ?? "10", CultureInfo.InvariantCulture);
        var workers = int.Parse(Option(args, "--workers") ?? "64", CultureInfo.InvariantCulture);
        var spread = int.Parse(Option(args, "--budgets") ?? "1000", CultureInfo.InvariantCulture);
        var pg = Option(args, "--pg") ?? Environment.GetEnvironmentVariable("GATEWAY_TEST_POSTGRES");
        Console.WriteLine($"# reserve+settle, {workers} concurrent callers, {seconds} s per run, {Environment.ProcessorCount} cores");
        Console.WriteLine("| database | budgets | pairs | pairs/s | p50 ms | p99 ms | gateway CPU µs/pair |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        if (db is "sqlite" or "both")
        {
            foreach (var budgets in args.Contains("--spread-only") ? new[] { spread } : new[] { 1, spread })
            {
                var dir = Path.Combine(Path.GetTempPath(), "gw-bench", Guid.CreateVersion7().ToString("N"));
                Directory.CreateDirectory(dir);
                await RunOneAsync("SQLite", "sqlite", $"Data Source={Path.Combine(dir, "gateway.db")}", budgets, workers, seconds);
                Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
                Directory.Delete(dir, recursive: true);
            }
        }

        if (db is "postgres" or "both")
        {
            if (string.IsNullOrWhiteSpace(pg))
            {
                Console.Error.WriteLine("PostgreSQL: set --pg or GATEWAY_TEST_POSTGRES to a role that may create databases.");
                return 2;
            }

            foreach (var budgets in new[] { 1, spread })
            {
                var name = "gwbench_" + Guid.CreateVersion7().ToString("N")[..16];
                var admin = new NpgsqlConnectionStringBuilder(pg) { Database = "postgres" }.ConnectionString;
                await ExecAsync(admin, $"CREATE DATABASE \"{name}\"");
                try
                {
                    var cs = new NpgsqlConnectionStringBuilder(pg) { Database = name, MaxPoolSize = Math.Max(100, workers + 10) }.ConnectionString;
                    await RunOneAsync("PostgreSQL", "postgres", cs, budgets, workers, seconds);
                }
                finally
                {
                    NpgsqlConnection.ClearAllPools();
                    await ExecAsync(admin, $"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
                }
            }
        }

        return 0;
    }

    private static async Task RunOneAsync(string label, string provider, string connectionString, int budgets, int workers, int seconds)
    {
        await using var host = await MoneyBenchHost.StartAsync(provider, connectionString);
        var (platform, users) = await host.SeedAsync(budgets, 1_000_000_000_000);
        var holds = host.Holds;

        // Warm-up: JIT, prepared statements, pools.
        await LoopAsync(holds, platform, users, workers, TimeSpan.FromSeconds(2));
        var cpu0 = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
        var (pairs, latencies, elapsed) = await LoopAsync(holds, platform, users, workers, TimeSpan.FromSeconds(seconds));
        var cpu = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime - cpu0;
        latencies.Sort();
        var p50 = latencies[latencies.Count / 2];
        var p99 = latencies[Math.Min(latencies.Count - 1, (int)(latencies.Count * 0.99))];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {label} | {budgets} | {pairs} | {pairs / elapsed.TotalSeconds:F0} | {p50:F2} | {p99:F2} | {cpu.TotalMicroseconds / pairs:F0} |"));
    }

    private static async Task<(long Pairs, List<double> Latencies, TimeSpan Elapsed)> LoopAsync(HoldService holds, Guid platform, Guid[] users,
        int workers, TimeSpan duration)
    {
        var stop = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var started = Stopwatch.GetTimestamp();
        var tasks = new Task<List<double>>[workers];
        for (var w = 0; w < workers; w++)
        {
            var seed = w;
            tasks[w] = Task.Run(async () =>
            {
                var rng = new Random(seed);
                var latencies = new List<double>(100_000);
                while (Stopwatch.GetTimestamp() < stop)
                {
                    var user = users[rng.Next(users.Length)];
                    var t0 = Stopwatch.GetTimestamp();
                    var requestId = "req_bench";
                    var hold = await holds.ReserveAsync(new HoldRequest(platform, user, null, requestId, "chat.completion", 220, 253) { Model = "mock-1" },
                        CancellationToken.None);
                    if (hold.Status != HoldStatus.Reserved)
                    {
                        throw new InvalidOperationException("Reserve refused: " + hold.Status);
                    }

                    var log = new UsageLogRecord
                    {
                        RequestId = requestId,
                        PlatformId = platform,
                        EndUserId = user,
                        RequestType = "chat.completion",
                        Model = "mock-1",
                        ProviderId = "mock",
                        PromptTokens = 18,
                        CompletionTokens = 50,
                        TotalTokens = 68,
                        Status = "success",
                        BillingStatus = "billed",
                        TokenCountMethod = "reported",
                    };
                    await holds.SettleAsync(hold.HoldId!.Value, new SettleRequest(118, 136, "inference", "Inference: 68 tokens (mock-1)", log),
                        CancellationToken.None);
                    latencies.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
                }

                return latencies;
            });
        }

        var all = new List<double>();
        foreach (var t in tasks)
        {
            all.AddRange(await t);
        }

        return (all.Count, all, Stopwatch.GetElapsedTime(started));
    }

    private static async Task ExecAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    internal static string? Option(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
