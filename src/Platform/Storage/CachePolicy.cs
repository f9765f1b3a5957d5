namespace Assistiv.Platform.Storage;

/// <summary>
/// How long an in-process cache entry of shared state (keys, activations, policies) may be served without re-reading
/// the database. On SQLite there is one instance, and every change invalidates its own cache before answering, so
/// entries live until invalidated. On PostgreSQL other instances may change the row, so entries live at most 1 s
/// (API.md §2.7: revocation bites within 1 s on every other instance).
/// </summary>
public sealed class CachePolicy
{
    /// <summary>Creates the policy for the configured provider.</summary>
    /// <param name="storage">Storage options.</param>
    public CachePolicy(StorageOptions storage)
    {
        ArgumentNullException.ThrowIfNull(storage);
        EntryLifetime = storage.IsSqlite ? TimeSpan.MaxValue : TimeSpan.FromSeconds(1);
    }

    /// <summary>Maximum age of a cache entry; <see cref="TimeSpan.MaxValue"/> means until invalidated.</summary>
    public TimeSpan EntryLifetime { get; }

    /// <summary>Whether an entry loaded at <paramref name="loadedAtTimestamp"/> may still be served.</summary>
    /// <param name="time">The clock.</param>
    /// <param name="loadedAtTimestamp">A <see cref="TimeProvider.GetTimestamp"/> value.</param>
    public bool IsFresh(TimeProvider time, long loadedAtTimestamp)
    {
        ArgumentNullException.ThrowIfNull(time);
        return EntryLifetime == TimeSpan.MaxValue || time.GetElapsedTime(loadedAtTimestamp) < EntryLifetime;
    }
}
