using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Assistiv.Platform.Storage;

/// <summary>
/// Moves SQLite's WAL checkpoints off the request path (decision 0079). Every server connection runs with
/// <c>wal_autocheckpoint=0</c>, so no commit ever copies the WAL back into the database (a checkpoint writes many pages and
/// syncs the file, which made the commit that crossed 1,000 WAL pages take milliseconds); this service runs a
/// <c>PASSIVE</c> checkpoint every <see cref="Interval"/> on its own connection instead. <c>PASSIVE</c> never waits for
/// readers or writers; what it could not copy is copied by a later pass.
/// </summary>
internal sealed partial class SqliteCheckpointer : BackgroundService
{
    /// <summary>Time between two checkpoints.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    private readonly string _connectionString;
    private readonly ILogger<SqliteCheckpointer> _logger;

    public SqliteCheckpointer(StorageOptions storage, ILogger<SqliteCheckpointer> logger)
    {
        _connectionString = StorageRegistration.PrepareSqliteConnectionString(storage.ConnectionString);
        _logger = logger;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Real time, not the injected clock: checkpoints are housekeeping, not behaviour. A test's FakeTimeProvider that
        // jumps days ahead would otherwise replay one tick per elapsed second (millions of them).
        using var timer = new PeriodicTimer(Interval, TimeProvider.System);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await CheckpointAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }

        // A last full pass on the way out, so a stopped server leaves a small WAL.
        await CheckpointAsync(CancellationToken.None);
    }

    private async Task CheckpointAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = new SqliteConnection(_connectionString);
            await connection.OpenAsync(cancellationToken);
            await using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA wal_checkpoint(PASSIVE);";
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is SqliteException or InvalidOperationException)
        {
            LogCheckpointFailed(_logger, ex.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "SQLite WAL checkpoint failed: {Error}")]
    private static partial void LogCheckpointFailed(ILogger logger, string error);
}
