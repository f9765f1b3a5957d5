namespace Assistiv.Platform.Storage;

/// <summary>
/// Hand-off between <see cref="SqliteCheckpointer"/> and the SQLite money writer that keeps the WAL file from growing
/// without bound under sustained writes (docs/decisions/0084-wal-rewind-by-the-writer.md). SQLite rewinds the WAL to its
/// beginning only when a write transaction starts while every frame is already copied into the database; with the money
/// writer committing back to back, the background pass never catches up, and a <c>FULL</c>/<c>RESTART</c> checkpoint
/// from another connection starves waiting for the write lock. So the background pass copies the bulk without locks and
/// then asks the writer, which owns the write path, to copy the few frames left between two of its batches.
/// </summary>
internal sealed class SqliteWalRewind
{
    private int _requested;
    private long _passes;

    /// <summary>Number of rewind passes the writer ran (diagnostics and tests).</summary>
    public long Passes => Interlocked.Read(ref _passes);

    /// <summary>Asks the writer for a pass after its current batch (idempotent until taken).</summary>
    public void Request() => Volatile.Write(ref _requested, 1);

    /// <summary>True once per <see cref="Request"/>: the caller (the writer) runs the pass.</summary>
    public bool TryTake() => Interlocked.Exchange(ref _requested, 0) == 1;

    /// <summary>Counts a pass the writer ran.</summary>
    public void Ran() => Interlocked.Increment(ref _passes);
}
