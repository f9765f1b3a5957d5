using Assistiv.Platform.Holds;
using Assistiv.Platform.Ledger;
using Assistiv.Platform.Storage;
using Assistiv.Platform.Tests.Money;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging.Abstractions;

namespace Assistiv.Platform.Tests.Storage;

/// <summary>
/// The SQLite WAL is rewound to its beginning under sustained money writes (decision 0084). SQLite restarts the WAL only
/// when a write transaction begins while every frame has been copied into the database
/// (https://sqlite.org/wal.html#avoiding_excessively_large_wal_files); frames committed while a background checkpoint runs
/// (here: held back by a reader, deterministically) are left over, so without the money writer's own pass the WAL only grows.
/// </summary>
public sealed class WalRewindTests
{
    [Fact]
    public async Task FramesLeftByTheBackgroundPass_AreCopiedByTheWriter_AndTheWalRestarts()
    {
        var ct = TestContext.Current.CancellationToken;
        // The background timer is out of the way (one pass an hour); the test runs the passes itself.
        await using var host = await MoneyHost.StartAsync("sqlite", configureServices: services =>
            services.Replace(ServiceDescriptor.Singleton(sp => new SqliteCheckpointer(sp.GetRequiredService<StorageOptions>(),
                sp.GetRequiredService<SqliteWalRewind>(), NullLogger<SqliteCheckpointer>.Instance, TimeSpan.FromHours(1), rewindThresholdFrames: 1))));
        var checkpointer = host.Services.GetRequiredService<SqliteCheckpointer>();
        var rewind = host.Services.GetRequiredService<SqliteWalRewind>();
        var pid = await host.CreatePlatformAsync(walletMicros: 1_000_000_000);
        var eu = await host.CreateEndUserAsync(pid);
        await host.CreateBudgetAsync(pid, eu, 1_000_000_000);
        await PairAsync(host, pid, eu, ct);
        await checkpointer.PassAsync(ct);
        await PairAsync(host, pid, eu, ct); // takes the request made above: the writer has run a pass before the reader
        var passesBefore = rewind.Passes;

        var connectionString = StorageRegistration.PrepareSqliteConnectionString($"Data Source={Path.Combine(host.SqliteDirectory!, "gateway.db")}");
        long walFramesHeldBack;
        await using (var reader = new SqliteConnection(connectionString))
        {
            // A read transaction pins the snapshot of this moment: no checkpoint may copy frames committed after it.
            await reader.OpenAsync(ct);
            await using var transaction = reader.BeginTransaction(deferred: true);
            await using (var read = reader.CreateCommand())
            {
                read.Transaction = transaction;
                read.CommandText = "SELECT count(*) FROM budgets";
                Assert.Equal(1L, (long)(await read.ExecuteScalarAsync(ct))!);
            }

            for (var i = 0; i < 20; i++)
            {
                await PairAsync(host, pid, eu, ct);
            }

            walFramesHeldBack = await checkpointer.PassAsync(ct);
        }

        Assert.True(walFramesHeldBack > 0);
        // The reader is gone; the frames it held back are still uncopied, and nothing else checkpoints. The next
        // operation's batch is followed by the writer's pass, the one after it begins on a fully copied WAL and rewinds it.
        await PairAsync(host, pid, eu, ct);

        await using var probe = new SqliteConnection(connectionString);
        await probe.OpenAsync(ct);
        await using var command = probe.CreateCommand();
        command.CommandText = "PRAGMA wal_checkpoint(PASSIVE);";
        var (_, walFramesNow, _) = await SqliteCheckpointer.RunAsync(command, ct);
        Assert.True(walFramesNow < walFramesHeldBack,
            $"the WAL was not rewound: {walFramesNow} frames now, {walFramesHeldBack} before the writer's pass");
        Assert.True(rewind.Passes > passesBefore, "the money writer ran no checkpoint pass");
    }

    private static async Task PairAsync(MoneyHost host, Guid pid, Guid eu, CancellationToken ct)
    {
        var hold = await host.Holds.ReserveAsync(new HoldRequest(pid, eu, null, "req_wal", "chat.completion", 220, 253) { Model = "mock-1" }, ct);
        Assert.Equal(HoldStatus.Reserved, hold.Status);
        var settled = await host.Holds.SettleAsync(hold.HoldId!.Value, new SettleRequest(118, 136, LedgerTypes.Inference, "test", null), ct);
        Assert.True(settled.Settled);
    }
}
