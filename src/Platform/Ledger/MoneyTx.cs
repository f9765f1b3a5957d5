using System.Data;
using System.Data.Common;
using Npgsql;

namespace Assistiv.Platform.Ledger;

/// <summary>
/// One unit of work of the money layer: the statements of one operation, committed together (STYLE.md §5). On SQLite it
/// is a savepoint inside the writer's <c>BEGIN IMMEDIATE</c> batch transaction (the transaction itself when the batch
/// holds this one operation, decision 0088); on PostgreSQL one READ COMMITTED transaction of its own. The same SQL runs
/// on both: this type hides only parameter and column encodings (SQLite keeps Guids as lowercase text and timestamps as
/// Unix ms) and <c>FOR UPDATE</c>, which SQLite lacks and does not need (its writer holds the database lock). On
/// PostgreSQL, writes whose row count nobody reads (<see cref="WriteAsync"/>) are queued and sent in one batch with the
/// next statement that returns something, and the last ones with <c>COMMIT</c>: fewer round trips, and the hot rows
/// (budget, wallet) stay locked for less time.
/// </summary>
internal sealed class MoneyTx
{
    private readonly MoneyDatabase _database;
    private readonly Func<string, DbCommand> _command;
    private readonly List<DbCommand> _pending = [];
    private bool _begun;

    public MoneyTx(MoneyDatabase database, DbConnection connection, Func<string, DbCommand> command)
    {
        _database = database;
        Connection = connection;
        _command = command;
    }

    public DbConnection Connection { get; }

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

    /// <summary>Inserts an entity with the columns and conversions of the EF model (queued on PostgreSQL).</summary>
    public ValueTask InsertAsync<T>(T entity, CancellationToken cancellationToken)
        where T : class
    {
        var command = _database.Inserter<T>().Prepare(entity, _command);
        return WriteAsync(command, cancellationToken);
    }

    /// <summary>A statement whose result nobody reads: run now (SQLite) or queued for the next round trip (PostgreSQL).</summary>
    public async ValueTask WriteAsync(DbCommand command, CancellationToken cancellationToken)
    {
        if (IsSqlite)
        {
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        else
        {
            _pending.Add(command);
        }
    }

    /// <summary>Runs a statement (after the queued ones) and returns the number of rows it changed.</summary>
    public async ValueTask<int> CountAsync(DbCommand command, CancellationToken cancellationToken)
    {
        if (IsSqlite)
        {
            return await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await using var batch = Batch(command);
        await batch.ExecuteNonQueryAsync(cancellationToken);
        return batch.BatchCommands[^1].RecordsAffected;
    }

    /// <summary>Runs queries (after the queued writes); the reader has one result set per query.</summary>
    public async ValueTask<DbDataReader> ReadAsync(DbCommand command, CancellationToken cancellationToken, DbCommand? second = null)
    {
        if (IsSqlite)
        {
            if (second is not null)
            {
                throw new InvalidOperationException("SQLite runs one query at a time.");
            }

            return await command.ExecuteReaderAsync(cancellationToken);
        }

        // Queued writes have no result set, so the reader starts at this query's rows (Npgsql skips the others).
        var batch = Batch(command, second);
        return await batch.ExecuteReaderAsync(cancellationToken);
    }

    /// <summary>The first column of the first row, or null.</summary>
    public async ValueTask<object?> ScalarAsync(DbCommand command, CancellationToken cancellationToken)
    {
        await using var r = await ReadAsync(command, cancellationToken);
        return await r.ReadAsync(cancellationToken) && !r.IsDBNull(0) ? r.GetValue(0) : null;
    }

    /// <summary>PostgreSQL: sends the queued writes and COMMIT in one round trip.</summary>
    internal async ValueTask CommitAsync(CancellationToken cancellationToken)
    {
        if (!_begun && _pending.Count == 0)
        {
            return;
        }

        await using var batch = Batch(null);
        batch.BatchCommands.Add(new NpgsqlBatchCommand("COMMIT"));
        await batch.ExecuteNonQueryAsync(cancellationToken);
        _begun = false;
    }

    /// <summary>PostgreSQL: rolls back what was sent (releasing its locks); the next statement begins a new transaction.</summary>
    internal async ValueTask RestartAsync()
    {
        if (EventsWritten > 0)
        {
            throw new InvalidOperationException("Restart before any event was written.");
        }

        await RollbackAsync();
    }

    /// <summary>PostgreSQL: drops the queued writes and rolls back what was sent.</summary>
    internal async ValueTask RollbackAsync()
    {
        _pending.Clear();
        if (_begun && Connection.State == ConnectionState.Open)
        {
            _begun = false;
            await using var rollback = new NpgsqlCommand("ROLLBACK", (NpgsqlConnection)Connection);
            await rollback.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    // The transaction is begun by the first batch (BEGIN travels with the first statements), READ COMMITTED by default.
    private NpgsqlBatch Batch(DbCommand? last, DbCommand? second = null)
    {
        var batch = new NpgsqlBatch((NpgsqlConnection)Connection);
        if (!_begun)
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand("BEGIN"));
            _begun = true;
        }

        foreach (var command in _pending)
        {
            batch.BatchCommands.Add(ToBatchCommand(command));
        }

        _pending.Clear();
        if (last is not null)
        {
            batch.BatchCommands.Add(ToBatchCommand(last));
        }

        if (second is not null)
        {
            batch.BatchCommands.Add(ToBatchCommand(second));
        }

        return batch;
    }

    private static NpgsqlBatchCommand ToBatchCommand(DbCommand command)
    {
        var batchCommand = new NpgsqlBatchCommand(command.CommandText);
        var parameters = command.Parameters.Cast<NpgsqlParameter>().ToArray();
        command.Parameters.Clear();
        foreach (var p in parameters)
        {
            batchCommand.Parameters.Add(p);
        }

        return batchCommand;
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
