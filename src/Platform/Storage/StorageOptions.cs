namespace Assistiv.Platform.Storage;

/// <summary>
/// Database settings (API.md §1.3): <c>Gateway:Database:Provider</c> (<c>sqlite</c> default, or <c>postgres</c>) and
/// <c>ConnectionStrings:Gateway</c> (default <c>Data Source=./data/gateway.db</c>).
/// </summary>
public sealed class StorageOptions
{
    /// <summary>Configuration section of <see cref="Provider"/>.</summary>
    public const string Section = "Gateway:Database";

    /// <summary>The default SQLite connection string.</summary>
    public const string DefaultSqliteConnectionString = "Data Source=./data/gateway.db";

    /// <summary><c>sqlite</c> or <c>postgres</c>.</summary>
    public string Provider { get; set; } = "sqlite";

    /// <summary>The connection string (from <c>ConnectionStrings:Gateway</c>).</summary>
    public string ConnectionString { get; set; } = DefaultSqliteConnectionString;

    /// <summary>True when <see cref="Provider"/> is <c>sqlite</c>.</summary>
    public bool IsSqlite => string.Equals(Provider, "sqlite", StringComparison.OrdinalIgnoreCase);
}
