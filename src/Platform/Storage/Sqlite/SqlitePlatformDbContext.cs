using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Assistiv.Platform.Storage.Sqlite;

/// <summary>
/// SQLite flavour of <see cref="PlatformDbContext"/> (the embedded default, API.md §1.3). Ids are stored as lowercase
/// UUID text and timestamps as Unix milliseconds, so that raw SQL and ORDER BY behave the same as on PostgreSQL.
/// </summary>
public sealed class SqlitePlatformDbContext : PlatformDbContext
{
    /// <summary>Creates the context.</summary>
    /// <param name="options">SQLite options.</param>
    public SqlitePlatformDbContext(DbContextOptions<SqlitePlatformDbContext> options)
        : base(options)
    {
    }

    /// <inheritdoc/>
    public override bool IsSqlite => true;

    /// <inheritdoc/>
    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        ArgumentNullException.ThrowIfNull(configurationBuilder);
        configurationBuilder.Properties<Guid>().HaveConversion<GuidToLowerStringConverter>();
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<DateTimeOffsetToUnixMsConverter>();
    }

    private sealed class GuidToLowerStringConverter() : ValueConverter<Guid, string>(
        v => v.ToString("D"), v => Guid.Parse(v));

    private sealed class DateTimeOffsetToUnixMsConverter() : ValueConverter<DateTimeOffset, long>(
        v => v.ToUnixTimeMilliseconds(), v => DateTimeOffset.FromUnixTimeMilliseconds(v));
}
