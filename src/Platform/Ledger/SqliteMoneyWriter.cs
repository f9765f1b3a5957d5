using System.Data.Common;
using System.Threading.Channels;
using Assistiv.Platform.Common;
using Assistiv.Platform.Outbox;
using Assistiv.Platform.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Assistiv.Platform.Ledger;

/// <summary>
/// The single in-process writer of the money layer on SQLite (STYLE.md §5; docs/decisions/0050-money-writer.md). Every
/// SQLite write serializes on the database lock anyway; funnelling reserve, settle and the other money operations
/// through one connection removes lock waits between them and lets one <c>BEGIN IMMEDIATE</c> transaction commit up to
/// <see cref="MaxBatch"/> operations, each in its own savepoint so that a refused or failing operation leaves no trace (a
/// batch of one needs none: its whole transaction is rolled back instead, decision 0088).
/// Results are published only after the commit. After a large batch it yields once before draining the next, so that
/// the callers it just answered can queue their next operation; between two batches it finishes the WAL checkpoint
/// <see cref="SqliteCheckpointer"/> asks for, so that the WAL rewinds (docs/decisions/0084-wal-rewind-by-the-writer.md).
/// <see cref="StopAsync"/> drains the queue.
/// </summary>
internal sealed partial class SqliteMoneyWriter : IMoneyExecutor, IHostedService, IAsyncDisposable
{
    public const int MaxBatch = 128;

    private const int LingerFrom = 8;

    private readonly MoneyDatabase _database;
    private readonly TimeProvider _time;
    private readonly IOutboxSignal _signal;
    private readonly ILogger<SqliteMoneyWriter> _logger;
    private readonly SqliteWalRewind _rewind;
    private readonly Channel<MoneyWork> _queue = Channel.CreateBounded<MoneyWork>(
        new BoundedChannelOptions(16_384) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    private readonly Lock _startLock = new();
    private Task? _loop;

    public SqliteMoneyWriter(MoneyDatabase database, TimeProvider time, IOutboxSignal signal, ILogger<SqliteMoneyWriter> logger,
        SqliteWalRewind rewind)
    {
        _rewind = rewind;
        _database = database;
        _time = time;
        _signal = signal;
        _logger = logger;
    }

    public async ValueTask<T> RunAsync<T>(Func<MoneyTx, CancellationToken, ValueTask<T>> operation, CancellationToken cancellationToken)
    {
        EnsureStarted();
        var work = new MoneyWork<T>(operation);
        await _queue.Writer.WriteAsync(work, cancellationToken);
        return await work.Task;
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Stops taking work and finishes what is queued (STYLE.md §6: complete first, then drain).</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        if (_loop is { } loop)
        {
            await loop.WaitAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync(CancellationToken.None);

    private void EnsureStarted()
    {
        if (_loop is not null)
        {
            return;
        }

        lock (_startLock)
        {
            _loop ??= Task.Run(LoopAsync);
        }
    }

    private async Task LoopAsync()
    {
        SqliteConnection? connection = null;
        var commands = new Dictionary<string, SqliteCommand>(StringComparer.Ordinal);
        var batch = new List<MoneyWork>(MaxBatch);
        var previous = 0;
        try
        {
            while (await _queue.Reader.WaitToReadAsync())
            {
                batch.Clear();
                while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var work))
                {
                    batch.Add(work);
                }

                if (batch.Count < MaxBatch && previous >= LingerFrom)
                {
                    // Under load (the last batch was large), let the callers whose results were just published queue their
                    // next operation before this batch starts: one trip through the thread pool's queue, no timer.
                    await Task.Yield();
                    while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var work))
                    {
                        batch.Add(work);
                    }
                }

                previous = batch.Count;

                if (connection is null)
                {
                    connection = await OpenAsync();
                }

                if (!await RunBatchAsync(connection, commands, batch))
                {
                    // The connection may be unusable (I/O error, interrupted transaction): start afresh.
                    DisposeCommands(commands);
                    await connection.DisposeAsync();
                    connection = null;
                }
                else if (_rewind.TryTake())
                {
                    await RewindAsync(connection, commands);
                }
            }
        }
        catch (Exception ex)
        {
            LogWriterStopped(_logger, ex);
            foreach (var work in batch)
            {
                work.Fail(ex);
            }

            while (_queue.Reader.TryRead(out var work))
            {
                work.Fail(ex);
            }

            throw;
        }
        finally
        {
            DisposeCommands(commands);
            if (connection is not null)
            {
                await connection.DisposeAsync();
            }
        }
    }

    private async Task<SqliteConnection> OpenAsync()
    {
        var connection = new SqliteConnection(_database.ConnectionString);
        await connection.OpenAsync();
        await using var pragma = connection.CreateCommand();
        // synchronous=NORMAL: the same pairing as the EF connections (StorageRegistration); WAL + NORMAL never corrupts,
        // a power cut may lose the last commits. temp_store=MEMORY: the operations of a batch run in savepoints, whose
        // sub-journal would otherwise be a temp file written page by page (measured: most of the writer's time).
        // wal_autocheckpoint=0: checkpoints run in the background (SqliteCheckpointer, decision 0079), not in a commit.
        pragma.CommandText = "PRAGMA synchronous=NORMAL; PRAGMA temp_store=MEMORY; PRAGMA wal_autocheckpoint=0;";
        await pragma.ExecuteNonQueryAsync();
        return connection;
    }

    private async Task<bool> RunBatchAsync(SqliteConnection connection, Dictionary<string, SqliteCommand> commands, List<MoneyWork> batch)
    {
        for (var attempt = 1; ; attempt++)
        {
            SqliteTransaction? transaction = null;
            try
            {
                // Microsoft.Data.Sqlite's default (deferred: false) issues BEGIN IMMEDIATE, waiting up to DefaultTimeout.
                transaction = connection.BeginTransaction();
                var tx = new MoneyTx(_database, connection, sql => Command(commands, connection, transaction, sql));
                var events = 0;

                // A batch of one needs no savepoint: the transaction is the operation's, and an abort rolls it all back
                // (two statements fewer per operation; at low load every batch is one operation).
                var savepoints = batch.Count > 1;
                var aborted = false;
                foreach (var work in batch)
                {
                    if (savepoints)
                    {
                        await ExecAsync(tx, "SAVEPOINT w");
                    }

                    tx.ResetForRetry();
                    tx.Now = _time.UtcNowMs();
                    try
                    {
                        await work.RunAsync(tx, CancellationToken.None);
                    }
                    catch (Exception ex) when (ex is not SqliteException { SqliteErrorCode: 5 or 6 or 10 or 13 })
                    {
                        // The operation failed on its own (a bug or a constraint): undo just its statements.
                        work.SetError(ex);
                        tx.Abort();
                        LogOperationFailed(_logger, ex);
                    }

                    if (!savepoints)
                    {
                        aborted = tx.Aborted;
                        events += aborted ? 0 : tx.EventsWritten;
                        continue;
                    }

                    if (tx.Aborted)
                    {
                        await ExecAsync(tx, "ROLLBACK TO w");
                    }
                    else
                    {
                        events += tx.EventsWritten;
                    }

                    await ExecAsync(tx, "RELEASE w");
                }

                if (aborted)
                {
                    await transaction.RollbackAsync();
                }
                else
                {
                    await transaction.CommitAsync();
                }

                await transaction.DisposeAsync();
                foreach (var work in batch)
                {
                    work.Publish();
                }

                if (events > 0)
                {
                    _signal.Nudge();
                }

                return true;
            }
            catch (Exception ex) when (attempt < 3)
            {
                LogBatchRetry(_logger, ex, batch.Count, attempt);
                await SafeRollbackAsync(transaction);
            }
            catch (Exception ex)
            {
                await SafeRollbackAsync(transaction);
                foreach (var work in batch)
                {
                    work.Fail(ex);
                }

                return false;
            }
        }
    }

    // Between two batches, with no transaction open: copies the frames the background pass left (those committed while
    // it ran), so that the next BEGIN IMMEDIATE finds the WAL fully copied and SQLite rewinds it (decision 0084). PASSIVE
    // never waits; a reader on an older snapshot may keep some frames uncopied, and the next request tries again.
    private async Task RewindAsync(SqliteConnection connection, Dictionary<string, SqliteCommand> commands)
    {
        try
        {
            if (!commands.TryGetValue(RewindSql, out var command))
            {
                command = connection.CreateCommand();
                command.CommandText = RewindSql;
                commands[RewindSql] = command;
            }

            command.Transaction = null;
            await SqliteCheckpointer.RunAsync(command, CancellationToken.None);
            _rewind.Ran();
        }
        catch (SqliteException ex)
        {
            LogRewindFailed(_logger, ex.Message);
        }
    }

    private const string RewindSql = "PRAGMA wal_checkpoint(PASSIVE);";

    private static async Task SafeRollbackAsync(SqliteTransaction? transaction)
    {
        if (transaction is null)
        {
            return;
        }

        try
        {
            await transaction.RollbackAsync();
        }
        catch (Exception ex) when (ex is SqliteException or InvalidOperationException)
        {
            // Already rolled back by SQLite (e.g. after an I/O error); nothing is committed either way.
        }

        await transaction.DisposeAsync();
    }

    private static async Task ExecAsync(MoneyTx tx, string sql) => await tx.Command(sql).ExecuteNonQueryAsync();

    // Prepared statements stay with the command object, so one command per SQL text is kept for the connection's life.
    private static SqliteCommand Command(Dictionary<string, SqliteCommand> commands, SqliteConnection connection, SqliteTransaction transaction, string sql)
    {
        if (!commands.TryGetValue(sql, out var command))
        {
            command = connection.CreateCommand();
            command.CommandText = sql;
            commands[sql] = command;
        }

        command.Transaction = transaction;
        command.Parameters.Clear();
        return command;
    }

    private static void DisposeCommands(Dictionary<string, SqliteCommand> commands)
    {
        foreach (var command in commands.Values)
        {
            command.Dispose();
        }

        commands.Clear();
    }

    [LoggerMessage(5001, LogLevel.Error, "A money operation failed and was rolled back.")]
    private static partial void LogOperationFailed(ILogger logger, Exception exception);

    [LoggerMessage(5002, LogLevel.Warning, "A money batch of {Count} operations failed (attempt {Attempt}); retrying.")]
    private static partial void LogBatchRetry(ILogger logger, Exception exception, int count, int attempt);

    [LoggerMessage(5004, LogLevel.Warning, "The money writer's WAL checkpoint failed: {Error}")]
    private static partial void LogRewindFailed(ILogger logger, string error);

    [LoggerMessage(5003, LogLevel.Critical, "The money writer stopped.")]
    private static partial void LogWriterStopped(ILogger logger, Exception exception);
}
