using System.Data.Common;
using Assistiv.Platform.Storage.Postgres;
using Assistiv.Platform.Storage.Sqlite;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Assistiv.Platform.Storage;

/// <summary>Registers <see cref="PlatformDbContext"/> for the configured provider.</summary>
public static class StorageRegistration
{
    /// <summary>Reads <see cref="StorageOptions"/> from configuration (API.md §1.3).</summary>
    /// <param name="configuration">The app configuration.</param>
    public static StorageOptions ReadOptions(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var options = new StorageOptions();
        configuration.GetSection(StorageOptions.Section).Bind(options);
        var cs = configuration.GetConnectionString("Gateway");
        if (!string.IsNullOrWhiteSpace(cs))
        {
            options.ConnectionString = cs;
        }

        return options;
    }

    /// <summary>
    /// Adds a pooled <see cref="IDbContextFactory{PlatformDbContext}"/> and a scoped <see cref="PlatformDbContext"/>.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="options">Provider and connection string.</param>
    /// <exception cref="InvalidOperationException">The provider is neither <c>sqlite</c> nor <c>postgres</c>.</exception>
    public static IServiceCollection AddPlatformStorage(this IServiceCollection services, StorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        services.AddSingleton(options);
        if (options.IsSqlite)
        {
            var cs = PrepareSqliteConnectionString(options.ConnectionString);
            options.ConnectionString = cs;
            services.AddPooledDbContextFactory<SqlitePlatformDbContext>(o => ConfigureSqlite(o, cs));
            services.AddSingleton<IDbContextFactory<PlatformDbContext>>(sp =>
                new FactoryAdapter<SqlitePlatformDbContext>(sp.GetRequiredService<IDbContextFactory<SqlitePlatformDbContext>>()));
        }
        else if (string.Equals(options.Provider, "postgres", StringComparison.OrdinalIgnoreCase))
        {
            services.AddPooledDbContextFactory<PostgresPlatformDbContext>(o => ConfigurePostgres(o, options.ConnectionString));
            services.AddSingleton<IDbContextFactory<PlatformDbContext>>(sp =>
                new FactoryAdapter<PostgresPlatformDbContext>(sp.GetRequiredService<IDbContextFactory<PostgresPlatformDbContext>>()));
        }
        else
        {
            throw new InvalidOperationException(
                $"Gateway:Database:Provider must be 'sqlite' or 'postgres', not '{options.Provider}'.");
        }

        services.AddScoped(sp => sp.GetRequiredService<IDbContextFactory<PlatformDbContext>>().CreateDbContext());
        return services;
    }

    /// <summary>Applies the SQLite provider, its migrations assembly settings and the connection pragmas.</summary>
    /// <param name="builder">The options builder.</param>
    /// <param name="connectionString">A Microsoft.Data.Sqlite connection string.</param>
    public static DbContextOptionsBuilder ConfigureSqlite(DbContextOptionsBuilder builder, string connectionString)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.UseSqlite(connectionString, o => o.MigrationsHistoryTable("__ef_migrations"))
            .UseSnakeCaseNamingConvention()
            .AddInterceptors(SqlitePragmaInterceptor.Instance);
        return builder;
    }

    /// <summary>Applies the Npgsql provider.</summary>
    /// <param name="builder">The options builder.</param>
    /// <param name="connectionString">An Npgsql connection string.</param>
    public static DbContextOptionsBuilder ConfigurePostgres(DbContextOptionsBuilder builder, string connectionString)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.UseNpgsql(connectionString, o => o.MigrationsHistoryTable("__ef_migrations"))
            .UseSnakeCaseNamingConvention();
        return builder;
    }

    /// <summary>
    /// Normalizes a SQLite connection string: foreign keys on, a 30 s busy wait, and the folder of the file created
    /// (API.md §1.3: <c>./data/</c> is created when absent).
    /// </summary>
    /// <param name="connectionString">The configured connection string.</param>
    public static string PrepareSqliteConnectionString(string connectionString)
    {
        var csb = new SqliteConnectionStringBuilder(connectionString)
        {
            ForeignKeys = true,
            DefaultTimeout = 30,
            Pooling = true,
        };
        if (!string.IsNullOrEmpty(csb.DataSource) && csb.DataSource != ":memory:" && csb.Mode != SqliteOpenMode.Memory)
        {
            var dir = Path.GetDirectoryName(Path.GetFullPath(csb.DataSource));
            if (!string.IsNullOrEmpty(dir))
            {
                Directory.CreateDirectory(dir);
            }
        }

        return csb.ToString();
    }

    private sealed class FactoryAdapter<T>(IDbContextFactory<T> inner) : IDbContextFactory<PlatformDbContext>
        where T : PlatformDbContext
    {
        public PlatformDbContext CreateDbContext() => inner.CreateDbContext();
    }

    // WAL itself is persistent (set once by the migrator); synchronous=NORMAL is per connection and is the documented
    // safe pairing with WAL: a power loss may lose the last commits, never corrupt the file.
    // busy_timeout: without it a writer that finds the write lock taken gets SQLITE_BUSY at once, and Microsoft.Data.Sqlite
    // retries after sleeping 150 ms; concurrent tool calls (two metering writes each) then took 150/300/450… ms at
    // concurrency 8 (bench/README.md, decision 0077). SQLite's own handler waits in 1–100 ms steps for the lock instead.
    // wal_autocheckpoint=0: no commit runs a checkpoint; SqliteCheckpointer does, in the background (decision 0079).
    internal const string ConnectionPragmas = "PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000; PRAGMA wal_autocheckpoint=0;";

    private sealed class SqlitePragmaInterceptor : DbConnectionInterceptor
    {
        public static readonly SqlitePragmaInterceptor Instance = new();

        public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
        {
            using var cmd = connection.CreateCommand();
            cmd.CommandText = ConnectionPragmas;
            cmd.ExecuteNonQuery();
        }

        public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
        {
            await using var cmd = connection.CreateCommand();
            cmd.CommandText = ConnectionPragmas;
            await cmd.ExecuteNonQueryAsync(cancellationToken);
        }
    }
}
