using Assistiv.Platform.Storage.Postgres;
using Assistiv.Platform.Storage.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Assistiv.Platform.Storage;

// Used only by `dotnet ef migrations add` (tools/new-migration.sh); nothing connects at design time.
internal sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqlitePlatformDbContext>
{
    public SqlitePlatformDbContext CreateDbContext(string[] args)
    {
        var builder = new DbContextOptionsBuilder<SqlitePlatformDbContext>();
        StorageRegistration.ConfigureSqlite(builder, "Data Source=design.db");
        return new(builder.Options);
    }
}

internal sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresPlatformDbContext>
{
    public PostgresPlatformDbContext CreateDbContext(string[] args)
    {
        var builder = new DbContextOptionsBuilder<PostgresPlatformDbContext>();
        StorageRegistration.ConfigurePostgres(builder, "Host=localhost;Database=design");
        return new(builder.Options);
    }
}
