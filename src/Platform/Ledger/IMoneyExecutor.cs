namespace Assistiv.Platform.Ledger;

/// <summary>
/// Runs money operations, each as one atomic unit (STYLE.md §5). SQLite: one in-process writer commits batches of
/// operations in one <c>BEGIN IMMEDIATE</c> transaction, each operation of a larger batch in its own savepoint
/// (docs/decisions/0050-money-writer.md). PostgreSQL: one READ COMMITTED transaction per operation, retried on
/// serialization failure or deadlock.
/// </summary>
internal interface IMoneyExecutor
{
    /// <summary>
    /// Runs <paramref name="operation"/> and returns its result once its writes are committed (or rolled back when it
    /// called <see cref="MoneyTx.Abort"/>). The operation must depend only on its inputs and the database, because it
    /// can be re-run after a failed commit. Once queued it runs to the end: <paramref name="cancellationToken"/> cancels
    /// only the wait for a place in the queue (SQLite) or the statements (PostgreSQL; nothing is committed then).
    /// </summary>
    ValueTask<T> RunAsync<T>(Func<MoneyTx, CancellationToken, ValueTask<T>> operation, CancellationToken cancellationToken);
}

/// <summary>One queued operation of the SQLite writer; its outcome is published only after the commit.</summary>
internal abstract class MoneyWork
{
    public abstract ValueTask RunAsync(MoneyTx tx, CancellationToken cancellationToken);

    public abstract void SetError(Exception error);

    public abstract void Publish();

    public abstract void Fail(Exception error);
}

internal sealed class MoneyWork<T>(Func<MoneyTx, CancellationToken, ValueTask<T>> operation) : MoneyWork
{
    private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private T? _result;
    private Exception? _error;

    public Task<T> Task => _completion.Task;

    public override async ValueTask RunAsync(MoneyTx tx, CancellationToken cancellationToken)
    {
        _error = null;
        _result = await operation(tx, cancellationToken);
    }

    public override void SetError(Exception error) => _error = error;

    public override void Publish()
    {
        if (_error is not null)
        {
            _completion.TrySetException(_error);
        }
        else
        {
            _completion.TrySetResult(_result!);
        }
    }

    public override void Fail(Exception error) => _completion.TrySetException(error);
}
