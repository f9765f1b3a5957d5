using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Assistiv.Platform.Storage;

/// <summary>
/// Moves SQLite's WAL checkpoints off the request path (decision 0079). Every server connection runs with
/// <c>wal_autocheckpoint=0</c>, so no commit ever copies the WAL back into the database (a checkpoint writes many pages and
/// syncs the file, which made the commit that crossed 1,000 WAL pages take milliseconds); this service runs a
/// <c>PASSIVE</c> checkpoint every <see cref="DefaultInterval"/> on its own connection instead. <c>PASSIVE</c> never waits for
/// readers or writers; what it could not copy is copied by a later pass. Once the WAL holds
/// <see cref="DefaultRewindThresholdFrames"/> pages, it asks the money writer to copy the last frames itself so that the
/// WAL is rewound to its beginning (<see cref="SqliteWalRewind"/>, decision 0084).
/// </summary>
internal sealed partial class SqliteCheckpointer : BackgroundService
{
    /// <summary>Time between two checkpoints.</summary>
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(1);

    /// <summary>WAL size (pages) from which a pass asks the money writer to finish the copy and rewind the WAL (decision 0084).</summary>
    public const long DefaultRewindThresholdFrames = 1000;

    private readonly string _connectionString;
    private readonly SqliteWalRewind _rewind;
    private readonly ILogger<SqliteCheckpointer> _logger;
    private readonly TimeSpan _interval;
    private readonly long _rewindThresholdFrames;

    /// <param name="storage">The SQLite database.</param>
    /// <param name="rewind">The hand-off to the money writer.</param>
    /// <param name="logger">Logger.</param>
    /// <param name="interval">Time between passes (default <see cref="DefaultInterval"/>).</param>
    /// <param name="rewindThresholdFrames">WAL pages from which a rewind is requested (default <see cref="DefaultRewindThresholdFrames"/>).</param>
    public SqliteCheckpointer(StorageOptions storage, SqliteWalRewind rewind, ILogger<SqliteCheckpointer> logger, TimeSpan? interval = null,
        long rewindThresholdFrames = DefaultRewindThresholdFrames)
    {
        _connectionString = StorageRegistration.PrepareSqliteConnectionString(storage.ConnectionString);
        _rewind = rewind;
        _logger = logger;
        _interval = interval ?? DefaultInterval;
        _rewindThresholdFrames = rewindThresholdFrames;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Real time, not the injected clock: checkpoints are housekeeping, not behaviour. A test's FakeTimeProvider that
        // jumps days ahead would otherwise replay one tick per elapsed second (millions of them).
        using var timer = new PeriodicTimer(_interval, TimeProvider.System);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await PassAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }

        // A last full pass on the way out, so a stopped server leaves a small WAL.
        await PassAsync(CancellationToken.None);
    }

    /// <summary>One pass: a <c>PASSIVE</c> checkpoint, and past the threshold a second one and a rewind request.</summary>
    /// <returns>The number of frames in the WAL seen by the first checkpoint (0 after an error).</returns>
    internal async Task<long> PassAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = new SqliteConnection(_connectionString);
            await connection.OpenAsync(cancellationToken);
            await using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA wal_checkpoint(PASSIVE);";
            var (_, log, _) = await RunAsync(command, cancellationToken);
            if (log >= _rewindThresholdFrames)
            {
                // The frames committed while this pass ran are left, and the WAL rewinds only once none is (decision 0084).
                // A second pass copies those (fewer: it starts where the first ended), so that the writer, which finishes
                // the job between two of its batches, has only the frames of the last few milliseconds to copy.
                await RunAsync(command, cancellationToken);
                _rewind.Request();
            }

            return log;
        }
        catch (Exception ex) when (ex is SqliteException or InvalidOperationException)
        {
            LogCheckpointFailed(_logger, ex.Message);
            return 0;
        }
    }

    /// <summary>
    /// Runs a <c>PRAGMA wal_checkpoint(…)</c> command and returns its row: busy (1 when it could not copy everything),
    /// frames in the WAL, frames copied into the database (https://sqlite.org/pragma.html#pragma_wal_checkpoint).
    /// </summary>
    internal static async Task<(bool Busy, long Log, long Checkpointed)> RunAsync(SqliteCommand command, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? (reader.GetInt64(0) != 0, reader.GetInt64(1), reader.GetInt64(2))
            : (false, 0, 0);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "SQLite WAL checkpoint failed: {Error}")]
    private static partial void LogCheckpointFailed(ILogger logger, string error);
}
