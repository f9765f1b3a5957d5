using System.Data.Common;
using Assistiv.Platform.Common;
using Assistiv.Platform.Outbox;
using Npgsql;

namespace Assistiv.Platform.Ledger;

/// <summary>
/// Money operations on PostgreSQL: one READ COMMITTED transaction each on a pooled connection. Concurrency control is
/// the row locks taken by the conditional UPDATEs and by <c>FOR UPDATE</c> where a read precedes a write (STYLE.md §5);
/// every operation locks budget before hold before wallet, so operations do not deadlock each other, and a deadlock or
/// serialization failure with other code is retried. <see cref="MoneyTx"/> batches the statements, so a settlement is
/// three round trips and the shared wallet row stays locked for one round trip plus the commit.
/// </summary>
internal sealed class PostgresMoneyExecutor : IMoneyExecutor, IAsyncDisposable
{
    private const int MaxAttempts = 5;

    /// <summary>Largest pool of money connections per gateway process.</summary>
    private const int MoneyPoolCap = 32;

    private readonly MoneyDatabase _database;
    private readonly TimeProvider _time;
    private readonly IOutboxSignal _signal;
    private readonly NpgsqlDataSource _dataSource;

    public PostgresMoneyExecutor(MoneyDatabase database, TimeProvider time, IOutboxSignal signal)
    {
        _database = database;
        _time = time;
        _signal = signal;
        var builder = new NpgsqlConnectionStringBuilder(database.ConnectionString);
        // The same dozen statements run for every call: let Npgsql prepare them server-side after two uses.
        if (builder.MaxAutoPrepare == 0)
        {
            builder.MaxAutoPrepare = 64;
            builder.AutoPrepareMinUsages = 2;
        }

        // A second pool next to EF Core's: every money operation of a platform serializes on its wallet row, so more than
        // a few dozen open transactions only queue in the server. Capped unless the connection string sets a smaller
        // pool, so one gateway stays well inside PostgreSQL's max_connections (default 100) under a burst; callers
        // beyond the cap wait for a connection (Npgsql's Timeout) instead of failing with 53300 "too many clients".
        builder.MaxPoolSize = Math.Min(builder.MaxPoolSize, MoneyPoolCap);
        _dataSource = NpgsqlDataSource.Create(builder.ConnectionString);
    }

    public async ValueTask<T> RunAsync<T>(Func<MoneyTx, CancellationToken, ValueTask<T>> operation, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
            var commands = new List<DbCommand>();
            var tx = new MoneyTx(_database, connection, sql =>
            {
                var command = connection.CreateCommand();
                command.CommandText = sql;
                commands.Add(command);
                return command;
            })
            {
                Now = _time.UtcNowMs(),
            };
            try
            {
                var result = await operation(tx, cancellationToken);
                if (tx.Aborted)
                {
                    await tx.RollbackAsync();
                }
                else
                {
                    await tx.CommitAsync(cancellationToken);
                    if (tx.EventsWritten > 0)
                    {
                        _signal.Nudge();
                    }
                }

                return result;
            }
            catch (Exception ex)
            {
                await SafeRollbackAsync(tx);
                if (attempt < MaxAttempts && ex is PostgresException { SqlState: PostgresErrorCodes.SerializationFailure or PostgresErrorCodes.DeadlockDetected })
                {
                    // Rolled back; run the operation again from the start.
                    continue;
                }

                throw;
            }
            finally
            {
                foreach (var command in commands)
                {
                    await command.DisposeAsync();
                }
            }
        }
    }

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    private static async Task SafeRollbackAsync(MoneyTx tx)
    {
        try
        {
            await tx.RollbackAsync();
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException)
        {
            // A broken connection is discarded by the pool; the server rolls the transaction back when it drops.
        }
    }
}
