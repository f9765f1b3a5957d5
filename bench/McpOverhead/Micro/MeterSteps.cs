using System.Diagnostics;
using System.Globalization;
using Assistiv.Platform.Metering;
using Assistiv.Platform.Storage;
using Assistiv.Platform.Wallet;
using Microsoft.Data.Sqlite;

namespace Assistiv.Bench.McpOverhead.Micro;

/// <summary>
/// Stopwatch instrumentation of the SQLite money path of one paid tool call (<c>micro-steps</c> mode), as the load run's
/// <c>github_get_me</c> meets it: the platform's free tier used up, a funded wallet, no budget. Reports the admission
/// (<see cref="IToolCallMeter.AdmitAsync"/>: the hold) and the settlement (<see cref="IToolCallMeter.CompleteAsync"/>:
/// charge, ledger row, usage row) separately, p50/p99 and process CPU per operation, next to a raw-ADO.NET floor: an
/// empty <c>BEGIN IMMEDIATE</c>/<c>COMMIT</c> on a connection of its own.
/// </summary>
internal static class MeterSteps
{
    public static async Task<int> RunAsync(int iterations)
    {
        await using var host = await MicroHost.CreateAsync();
        var meter = host.Get<IToolCallMeter>();
        var ct = CancellationToken.None;

        // The server's background WAL checkpoints (decision 0079/0084): without them the WAL grows by gigabytes here, and
        // the kernel's zeroing of each new file page becomes a good part of the measurement.
        var checkpointer = new SqliteCheckpointer(host.Get<StorageOptions>(), host.Get<SqliteWalRewind>(),
            Microsoft.Extensions.Logging.Abstractions.NullLogger<SqliteCheckpointer>.Instance);
        await checkpointer.StartAsync(ct);
        await host.Get<WalletService>().TopupAsync(host.PlatformId, 1_000_000L * 1_000_000, "bench", null, "req_bench_topup", ct);

        // The free tier of this month used up, as after the load run's first 1,000 calls (Gateway:Mcp:FreeCallsPerMonth).
        var connectionString = host.Get<StorageOptions>().ConnectionString;
        await using (var connection = new SqliteConnection(connectionString))
        {
            await connection.OpenAsync(ct);
            await using var insert = connection.CreateCommand();
            insert.CommandText = "INSERT INTO mcp_free_tier (platform_id, month, settled_free, claimed_free) VALUES ($p, $m, 1000000, 0)";
            insert.Parameters.AddWithValue("$p", host.PlatformId.ToString("D"));
            insert.Parameters.AddWithValue("$m", host.Get<TimeProvider>().GetUtcNow().ToString("yyyy-MM", CultureInfo.InvariantCulture));
            await insert.ExecuteNonQueryAsync(ct);
        }

        var request = new ToolMeterRequest(host.PlatformId, host.EndUserId, host.KeyId, "req_steps", "github", "github_get_me");
        var success = new ToolCallCompletion(true, "success", null, null, 1);
        var admit = new Samples("paid call: AdmitAsync (hold on the wallet)", iterations);
        var complete = new Samples("paid call: CompleteAsync (charge + ledger row + usage row)", iterations);
        await RunTimedAsync(iterations, [admit, complete], async i =>
        {
            var t0 = Stopwatch.GetTimestamp();
            var admission = await meter.AdmitAsync(request, ct);
            var t1 = Stopwatch.GetTimestamp();
            if (admission.Status != ToolAdmissionStatus.Admitted || admission.HoldId is null)
            {
                throw new InvalidOperationException($"Admission refused: {admission.Status}.");
            }

            await meter.CompleteAsync(request, admission, success, ct);
            var t2 = Stopwatch.GetTimestamp();
            admit.Add(i, t1 - t0);
            complete.Add(i, t2 - t1);
        });

        var empty = new Samples("raw ADO.NET: empty BEGIN IMMEDIATE + COMMIT", iterations);
        await using (var connection = new SqliteConnection(connectionString))
        {
            await connection.OpenAsync(ct);
            await RunTimedAsync(iterations, [empty], async i =>
            {
                var t0 = Stopwatch.GetTimestamp();
                await using (var tx = (SqliteTransaction)await connection.BeginTransactionAsync(ct))
                {
                    await tx.CommitAsync(ct);
                }

                empty.Add(i, Stopwatch.GetTimestamp() - t0);
            });
        }

        await checkpointer.StopAsync(ct);
        return 0;
    }

    private static async Task RunTimedAsync(int iterations, Samples[] samples, Func<int, Task> step)
    {
        // Time-based warm-up: the paths reach tier-1 JIT only after seconds, not after a few hundred calls.
        var warmUntil = Stopwatch.GetTimestamp() + (3 * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < warmUntil)
        {
            await step(0);
        }

        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        for (var i = 0; i < iterations; i++)
        {
            await step(i);
        }

        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu0;
        foreach (var s in samples)
        {
            s.Print();
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{"  process CPU per iteration (all of the above)",-70} {cpu.TotalMicroseconds / iterations,8:F1} µs"));
    }

    private sealed class Samples(string name, int iterations)
    {
        private readonly long[] _ticks = new long[iterations];

        public void Add(int i, long ticks) => _ticks[i] = ticks;

        public void Print()
        {
            var sorted = (long[])_ticks.Clone();
            Array.Sort(sorted);
            static double Us(long ticks) => ticks * 1_000_000.0 / Stopwatch.Frequency;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{name,-70} p50 {Us(sorted[sorted.Length / 2]),8:F1} µs  p99 {Us(sorted[sorted.Length * 99 / 100]),8:F1} µs"));
        }
    }
}
