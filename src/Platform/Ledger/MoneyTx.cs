using System.Data;
using System.Data.Common;

namespace Assistiv.Platform.Ledger;

/// <summary>
/// One unit of work of the money layer: the statements of one operation, committed together (STYLE.md §5). On SQLite
/// it is a savepoint inside the writer's <c>BEGIN IMMEDIATE</c> batch transaction; on PostgreSQL one READ COMMITTED
/// transaction of its own. The same SQL runs on both: this type hides only parameter and column encodings (SQLite
/// keeps Guids as lowercase text and timestamps as Unix ms) and <c>FOR UPDATE</c>, which SQLite lacks and does not need
/// (its writer holds the database lock).
/// </summary>
internal sealed class MoneyTx
{
    private readonly MoneyDatabase _database;
    private readonly Func<string, DbCommand> _command;

    public MoneyTx(MoneyDatabase database, DbConnection connection, DbTransaction transaction, Func<string, DbCommand> command)
    {
        _database = database;
        Connection = connection;
        Transaction = transaction;
        _command = command;
    }

    public DbConnection Connection { get; }

    public DbTransaction Transaction { get; }

    public bool IsSqlite => _database.IsSqlite;

    /// <summary>The time of this operation (UTC, whole milliseconds), fixed when it starts.</summary>
    public DateTimeOffset Now { get; set; }

    /// <summary>Set by an operation that must leave no trace (a refused reservation): its statements are rolled back.</summary>
    public bool Aborted { get; private set; }

    /// <summary>Number of outbox rows written (the dispatcher is nudged after commit when non-zero).</summary>
    public int EventsWritten { get; set; }

    /// <summary><c> FOR UPDATE</c> on PostgreSQL (row lock for a read that precedes a write), empty on SQLite.</summary>
    public string ForUpdate => IsSqlite ? "" : " FOR UPDATE";

    public void Abort() => Aborted = true;

    /// <summary>
    /// <paramref name="update"/> followed by the values of <paramref name="columns"/> of the changed row: one
    /// <c>UPDATE … RETURNING</c> on PostgreSQL; on SQLite the UPDATE and a SELECT of the same row in one command, because
    /// Microsoft.Data.Sqlite re-running a cached <c>RETURNING</c> statement costs ~200 µs against ~3 µs for the pair
    /// (bench/README.md). The writer holds the database lock, so the SELECT sees exactly the UPDATE's row;
    /// <c>changes()</c> makes it return nothing when the UPDATE matched no row.
    /// </summary>
    /// <param name="isSqlite">The provider.</param>
    /// <param name="update">An UPDATE of at most one row.</param>
    /// <param name="columns">The columns to return.</param>
    /// <param name="table">The table.</param>
    /// <param name="rowFilter">A WHERE clause that selects the updated row after the update.</param>
    public static string UpdateReturning(bool isSqlite, string update, string columns, string table, string rowFilter) =>
        isSqlite
            ? $"{update}; SELECT {columns} FROM {table} WHERE changes() > 0 AND {rowFilter}"
            : $"{update} RETURNING {columns}";

    internal void ResetForRetry()
    {
        Aborted = false;
        EventsWritten = 0;
    }

    /// <summary>A command for <paramref name="sql"/> in this transaction, with no parameters.</summary>
    public DbCommand Command(string sql) => _command(sql);

    public MoneyTx Add(DbCommand command, string name, Guid value) =>
        IsSqlite ? Add(command, name, value.ToString("D"), DbType.String) : Add(command, name, value, DbType.Guid);

    public MoneyTx Add(DbCommand command, string name, Guid? value) =>
        value is { } v ? Add(command, name, v) : Add(command, name, null, IsSqlite ? DbType.String : DbType.Guid);

    public MoneyTx Add(DbCommand command, string name, DateTimeOffset value) =>
        IsSqlite ? Add(command, name, value.ToUnixTimeMilliseconds(), DbType.Int64) : Add(command, name, value, DbType.DateTimeOffset);

    public MoneyTx Add(DbCommand command, string name, DateTimeOffset? value) =>
        value is { } v ? Add(command, name, v) : Add(command, name, null, IsSqlite ? DbType.Int64 : DbType.DateTimeOffset);

    public MoneyTx Add(DbCommand command, string name, long value) => Add(command, name, value, DbType.Int64);

    public MoneyTx Add(DbCommand command, string name, long? value) => Add(command, name, value, DbType.Int64);

    public MoneyTx Add(DbCommand command, string name, bool value) => Add(command, name, value, DbType.Boolean);

    public MoneyTx Add(DbCommand command, string name, string? value) => Add(command, name, value, DbType.String);

    public Guid GetGuid(DbDataReader reader, int ordinal) =>
        IsSqlite ? Guid.Parse(reader.GetString(ordinal)) : reader.GetGuid(ordinal);

    public Guid? GetGuidOrNull(DbDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : GetGuid(reader, ordinal);

    public DateTimeOffset GetTime(DbDataReader reader, int ordinal) =>
        IsSqlite ? DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(ordinal)) : reader.GetFieldValue<DateTimeOffset>(ordinal).ToUniversalTime();

    public DateTimeOffset? GetTimeOrNull(DbDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : GetTime(reader, ordinal);

    public static long? GetInt64OrNull(DbDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetInt64(ordinal);

    public static string? GetStringOrNull(DbDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    /// <summary>Inserts an entity with the columns and conversions of the EF model.</summary>
    public async ValueTask InsertAsync<T>(T entity, CancellationToken cancellationToken)
        where T : class
    {
        var inserter = _database.Inserter<T>();
        var command = Command(inserter.Sql);
        inserter.Bind(command, entity);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private MoneyTx Add(DbCommand command, string name, object? value, DbType type)
    {
        var p = command.CreateParameter();
        p.ParameterName = name;
        p.DbType = type;
        p.Value = value ?? DBNull.Value;
        command.Parameters.Add(p);
        return this;
    }
}
