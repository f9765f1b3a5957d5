using System.Diagnostics;
using System.Globalization;
using Assistiv.Platform.Metering;
using Assistiv.Platform.Storage;
using Assistiv.Platform.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Assistiv.Bench.McpOverhead.Micro;

/// <summary>
/// Stopwatch instrumentation of the metering write, step by step (<c>micro-steps</c> mode): where the milliseconds of
/// <see cref="FreeTierToolCallMeter"/> go on SQLite — context rental, connection open (with its PRAGMA), an empty
/// <c>BEGIN IMMEDIATE</c>/<c>COMMIT</c>, the whole completion, and the admission.
/// </summary>
internal static class MeterSteps
{
    public static async Task<int> RunAsync(int iterations)
    {
        await using var host = await MicroHost.CreateAsync();
        var factory = host.Get<IDbContextFactory<PlatformDbContext>>();
        var meter = host.Get<IToolCallMeter>();
        var request = new ToolMeterRequest(host.PlatformId, host.EndUserId, host.KeyId, "req_steps", "mock", "mock_echo");
        var unbilled = new ToolAdmission(ToolAdmissionStatus.Admitted, FreeSlot: false, HoldId: null);
        var success = new ToolCallCompletion(true, "success", null, null, 1);
        var ct = CancellationToken.None;

        await MeasureAsync("rent + return a pooled DbContext", iterations, async () =>
        {
            await using var db = await factory.CreateDbContextAsync(ct);
        });
        await MeasureAsync("open + close its connection (PRAGMA synchronous=NORMAL per open)", iterations, async () =>
        {
            await using var db = await factory.CreateDbContextAsync(ct);
            await db.Database.OpenConnectionAsync(ct);
            await db.Database.CloseConnectionAsync();
        });
        await MeasureAsync("empty BEGIN IMMEDIATE + COMMIT", iterations, async () =>
        {
            await using var db = await factory.CreateDbContextAsync(ct);
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            await tx.CommitAsync(ct);
        });
        var time0 = host.Get<TimeProvider>();
        await MeasureAsync("EF: Add usage row + SaveChanges (no explicit transaction)", iterations, async () =>
        {
            await using var db = await factory.CreateDbContextAsync(ct);
            db.UsageLogs.Add(new Assistiv.Platform.UsageLogs.UsageLogRecord
            {
                Id = Ids.NewId(time0), RequestId = "req_steps", PlatformId = host.PlatformId, EndUserId = host.EndUserId, ApiKeyId = host.KeyId,
                RequestType = "mcp_tool", LatencyMs = 1, Status = "success", BillingStatus = "not_billed", McpApp = "mock", McpTool = "mock_echo",
                MetadataJson = "{}", CreatedAt = time0.UtcNowMs(),
            });
            await db.SaveChangesAsync(ct);
        });
        await MeasureAsync("EF: AnyAsync on mcp_free_tier", iterations, async () =>
        {
            await using var db = await factory.CreateDbContextAsync(ct);
            _ = await db.McpFreeTier.AnyAsync(r => r.PlatformId == request.PlatformId && r.Month == "2000-01", ct);
        });
        await MeasureAsync("CompleteAsync, unbilled (usage row in its transaction)", iterations, async () =>
            await meter.CompleteAsync(request, unbilled, success, ct));
        await MeasureAsync("AdmitAsync (tier used up after 1,000: UPDATE of 0 rows + SELECT)", iterations, async () =>
            await meter.AdmitAsync(request, ct));

        // The same row and transaction without EF: what the write costs SQLite itself (STYLE.md §5 asks for this comparison).
        var connectionString = host.Get<StorageOptions>().ConnectionString;
        var time = host.Get<TimeProvider>();
        await MeasureAsync("raw ADO.NET: BEGIN IMMEDIATE + INSERT usage row + COMMIT", iterations, async () =>
        {
            await using var connection = new SqliteConnection(connectionString);
            await connection.OpenAsync(ct);
            await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync(ct);
            await using var insert = connection.CreateCommand();
            insert.Transaction = tx;
            insert.CommandText = InsertUsageRow;
            insert.Parameters.AddWithValue("$id", Ids.NewId(time).ToString());
            insert.Parameters.AddWithValue("$request", request.RequestId);
            insert.Parameters.AddWithValue("$platform", request.PlatformId.ToString());
            insert.Parameters.AddWithValue("$user", request.EndUserId.ToString());
            insert.Parameters.AddWithValue("$key", request.ApiKeyId.ToString());
            insert.Parameters.AddWithValue("$app", request.App);
            insert.Parameters.AddWithValue("$tool", request.Tool);
            insert.Parameters.AddWithValue("$created", time.UtcNowMs());
            await insert.ExecuteNonQueryAsync(ct);
            await tx.CommitAsync(ct);
        });
        await MeasureAsync("raw ADO.NET: UPDATE mcp_free_tier (0 rows)", iterations, async () =>
        {
            await using var connection = new SqliteConnection(connectionString);
            await connection.OpenAsync(ct);
            await using var update = connection.CreateCommand();
            update.CommandText = "UPDATE mcp_free_tier SET claimed_free = claimed_free + 1 WHERE platform_id = $p AND month = '2000-01' AND settled_free + claimed_free < 1000";
            update.Parameters.AddWithValue("$p", request.PlatformId.ToString());
            await update.ExecuteNonQueryAsync(ct);
        });
        return 0;
    }

    private const string InsertUsageRow = """
        INSERT INTO usage_logs (id, request_id, platform_id, end_user_id, api_key_id, request_type, latency_ms, stream,
            estimated_cost_micros, billed_micros, status, billing_status, mcp_app, mcp_tool, fallback_count, metadata_json, created_at)
        VALUES ($id, $request, $platform, $user, $key, 'mcp_tool', 1, 0, 0, 0, 'success', 'not_billed', $app, $tool, 0, '{}', $created)
        """;

    private static async Task MeasureAsync(string name, int iterations, Func<Task> step)
    {
        // Time-based warm-up: EF Core's paths reach tier-1 JIT only after seconds, not after a few hundred calls.
        var warmUntil = Stopwatch.GetTimestamp() + (2 * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < warmUntil)
        {
            await step();
        }

        var samples = new long[iterations];
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        for (var i = 0; i < iterations; i++)
        {
            var t = Stopwatch.GetTimestamp();
            await step();
            samples[i] = Stopwatch.GetTimestamp() - t;
        }

        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu0;
        Array.Sort(samples);
        static double Us(long ticks) => ticks * 1_000_000.0 / Stopwatch.Frequency;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name,-70} p50 {Us(samples[iterations / 2]),8:F1} µs  p99 {Us(samples[iterations * 99 / 100]),8:F1} µs  cpu {cpu.TotalMicroseconds / iterations,8:F1} µs/op"));
    }
}
