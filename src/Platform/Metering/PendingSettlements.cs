using System.Collections.Concurrent;
using Microsoft.Extensions.Hosting;

namespace Assistiv.Platform.Metering;

/// <summary>
/// Tool-call settlements that run after the call's answer has gone out (decision 0085). A tool result does not depend
/// on its settlement (API.md §8.5: the usage-log row, the free slot or the hold's settlement, the outbox rows), so the
/// tool broker starts the settlement, hands the task here and answers; the gateway's other reads wait here first
/// (<see cref="WhenSettledAsync"/>), so a client that reads its logs, budget or wallet after a tool call sees that call.
/// At shutdown the host waits for every pending settlement before the money writer stops (<see cref="StopAsync"/>).
/// </summary>
/// <remarks>
/// Order is kept where it matters for money: on SQLite every money operation goes through one FIFO writer and a
/// settlement is queued before the answer is written, so the caller's next admission runs after it. On PostgreSQL a
/// next admission may run before the previous settlement commits; it then still sees that call's hold, so it can only
/// admit less, never more (API.md §5.6). Thread-safe; one per host (registered by <c>AddMoney</c>).
/// </remarks>
public sealed class PendingSettlements : IHostedService
{
    private readonly ConcurrentDictionary<long, Task> _pending = new();
    private long _next;
    private int _count;

    /// <summary>Number of settlements started and not yet finished.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>
    /// Tracks <paramref name="settlement"/> until it finishes. The task must not fault (the caller catches and logs its
    /// own failures); a fault is observed here and not rethrown to waiters.
    /// </summary>
    /// <param name="settlement">The running settlement.</param>
    public void Track(Task settlement)
    {
        ArgumentNullException.ThrowIfNull(settlement);
        if (settlement.IsCompleted)
        {
            return;
        }

        var id = Interlocked.Increment(ref _next);
        Interlocked.Increment(ref _count);
        _pending[id] = settlement;
        settlement.ContinueWith(
            static (task, state) =>
            {
                var (self, key) = ((PendingSettlements, long))state!;
                _ = task.Exception; // observed: the owner logged it
                self._pending.TryRemove(key, out _);
                Interlocked.Decrement(ref self._count);
            },
            (this, id),
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    /// <summary>
    /// Completes when every settlement started before this call has finished (at once when none is pending). Faults of
    /// settlements are not rethrown.
    /// </summary>
    /// <param name="cancellationToken">Stops waiting (throws <see cref="OperationCanceledException"/>); the settlements go on.</param>
    public Task WhenSettledAsync(CancellationToken cancellationToken)
    {
        if (Count == 0)
        {
            return Task.CompletedTask;
        }

        var snapshot = _pending.Values.ToArray();
        return snapshot.Length == 0
            ? Task.CompletedTask
            : Task.WhenAll(snapshot).ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default)
                .WaitAsync(cancellationToken);
    }

    /// <inheritdoc/>
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Waits for the pending settlements (bounded by the host's shutdown timeout through <paramref name="cancellationToken"/>).</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await WhenSettledAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // Shutdown timeout: what is still queued in the money writer is drained by its own StopAsync.
        }
    }
}
