using Microsoft.EntityFrameworkCore;

namespace Assistiv.Platform.Storage.Postgres;

/// <summary>PostgreSQL flavour of <see cref="PlatformDbContext"/> (production, several instances; API.md §1.4).</summary>
public sealed class PostgresPlatformDbContext : PlatformDbContext
{
    /// <summary>Creates the context.</summary>
    /// <param name="options">Npgsql options.</param>
    public PostgresPlatformDbContext(DbContextOptions<PostgresPlatformDbContext> options)
        : base(options)
    {
    }

    /// <inheritdoc/>
    public override bool IsSqlite => false;
}
