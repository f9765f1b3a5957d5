using Assistiv.Platform.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Assistiv.Platform.Hosting;

/// <summary>
/// Applies pending migrations in <see cref="StartAsync"/>, before the server accepts requests (eShop's pattern,
/// STYLE.md §5), and turns on WAL for SQLite. <c>/readyz</c> reports the outcome.
/// </summary>
public sealed partial class DatabaseMigrator : IHostedService
{
    private readonly IDbContextFactory<PlatformDbContext> _db;
    private readonly ILogger<DatabaseMigrator> _logger;

    /// <summary>Creates the migrator.</summary>
    /// <param name="db">Database factory.</param>
    /// <param name="logger">Logger.</param>
    public DatabaseMigrator(IDbContextFactory<PlatformDbContext> db, ILogger<DatabaseMigrator> logger)
    {
        _db = db;
        _logger = logger;
    }

    /// <summary>True once migrations were applied in this process.</summary>
    public bool Completed { get; private set; }

    /// <inheritdoc/>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await MigrateAsync(_db, cancellationToken);
        Completed = true;
        LogMigrated(_logger);
    }

    /// <inheritdoc/>
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Applies migrations (and WAL on SQLite) through <paramref name="factory"/>; used by the CLI too.</summary>
    /// <param name="factory">Database factory.</param>
    /// <param name="cancellationToken">Cancels the migration.</param>
    public static async Task MigrateAsync(IDbContextFactory<PlatformDbContext> factory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(factory);
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        if (db.IsSqlite)
        {
            // WAL is a property of the file; setting it once makes every later connection use it.
            await db.Database.OpenConnectionAsync(cancellationToken);
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
        }

        await db.Database.MigrateAsync(cancellationToken);
    }

    [LoggerMessage(1, LogLevel.Information, "Database migrations applied.")]
    private static partial void LogMigrated(ILogger logger);
}
