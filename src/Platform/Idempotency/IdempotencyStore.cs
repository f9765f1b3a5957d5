using Assistiv.Platform.Common;
using Assistiv.Platform.Secrets;
using Assistiv.Platform.Storage;
using Microsoft.EntityFrameworkCore;

namespace Assistiv.Platform.Idempotency;

/// <summary>
/// Storage of API.md §11.3 idempotency records. <see cref="BeginAsync"/> inserts an <c>in_progress</c> record with a
/// 30 s lease in its own short transaction, before the handler runs; a unique violation on that insert means
/// replay, clash or in flight, and the existing record tells which (STYLE.md §5: never check-then-insert). The executing
/// request renews its lease every 10 s; one that finds an expired lease (its owner died) takes the record over.
/// Every condition on time reads the injected <see cref="TimeProvider"/> (API.md §1.7).
/// </summary>
public sealed class IdempotencyStore
{
    /// <summary>Lease of an executing request (API.md §11.3).</summary>
    public static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);

    /// <summary>How often the executing request renews its lease.</summary>
    public static readonly TimeSpan RenewInterval = TimeSpan.FromSeconds(10);

    /// <summary>Records are hard-deleted this long after the first request (API.md §11.3, §12).</summary>
    public static readonly TimeSpan Retention = TimeSpan.FromHours(24);

    /// <summary>Longest request path a record holds (docs/decisions/0060-idempotency-records.md).</summary>
    public const int MaxPathLength = 1024;

    private readonly IDbContextFactory<PlatformDbContext> _db;
    private readonly TimeProvider _time;
    private readonly SecretProtector _protector;

    /// <summary>Creates the store.</summary>
    /// <param name="db">Database factory.</param>
    /// <param name="time">Clock.</param>
    /// <param name="protector">Encrypts stored bodies (<see cref="SecretPurposes.IdempotencyBody"/>).</param>
    public IdempotencyStore(IDbContextFactory<PlatformDbContext> db, TimeProvider time, SecretProtector protector)
    {
        _db = db;
        _time = time;
        _protector = protector;
    }

    /// <summary>
    /// Claims the key for a request, or reports what an earlier request with the same key left: a stored outcome of the
    /// same body (replay), another body (key reused), or a live lease (in progress).
    /// </summary>
    /// <param name="scope">Platform, method, path and key.</param>
    /// <param name="fingerprint">The body's <see cref="RequestFingerprint"/>.</param>
    /// <param name="cancellationToken">Cancels the statements.</param>
    public async Task<IdempotencyBegin> BeginAsync(IdempotencyScope scope, string fingerprint, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(fingerprint);
        // A handful of rounds covers the races (a record purged or taken over between our insert and read).
        for (var round = 0; round < 8; round++)
        {
            var now = _time.UtcNowMs();
            var token = Ids.NewId(_time);
            var record = new IdempotencyRecord
            {
                Id = Ids.NewId(_time),
                PlatformId = scope.PlatformId,
                Method = scope.Method,
                Path = scope.Path,
                IdempotencyKey = scope.Key,
                Fingerprint = fingerprint,
                State = IdempotencyStates.InProgress,
                LeaseToken = token,
                LeaseExpiresAt = now + Lease,
                CreatedAt = now,
            };

            // Read first, so a replay or a reused key (the common repeats) never goes through a failing INSERT, which EF
            // Core logs as an error; only two first requests racing for the same key meet the unique index.
            await using var read = await _db.CreateDbContextAsync(cancellationToken);
            var existing = await read.IdempotencyRecords.AsNoTracking().FirstOrDefaultAsync(r =>
                r.PlatformId == scope.PlatformId && r.Method == scope.Method && r.Path == scope.Path && r.IdempotencyKey == scope.Key,
                cancellationToken);
            if (existing is null)
            {
                await using var db = await _db.CreateDbContextAsync(cancellationToken);
                db.IdempotencyRecords.Add(record);
                try
                {
                    await db.SaveChangesAsync(cancellationToken);
                    return IdempotencyBegin.Started(new IdempotencyLease(record.Id, token));
                }
                catch (DbUpdateException ex) when (DbErrors.IsUniqueViolation(ex))
                {
                    // Another first request won the race: the next round reads what it left.
                    continue;
                }
            }

            if (existing.CreatedAt + Retention <= now)
            {
                // Past its 24 h: the purge has not run yet, but the record no longer counts.
                await read.IdempotencyRecords.Where(r => r.Id == existing.Id).ExecuteDeleteAsync(cancellationToken);
                continue;
            }

            if (!string.Equals(existing.Fingerprint, fingerprint, StringComparison.Ordinal))
            {
                return IdempotencyBegin.KeyReused;
            }

            if (existing.State == IdempotencyStates.Completed)
            {
                var body = existing.BodyProtected is { Length: > 0 } p ? _protector.Unprotect(SecretPurposes.IdempotencyBody, p) : [];
                return IdempotencyBegin.Replay(new IdempotentResponse(existing.StatusCode ?? 200, existing.ContentType, body));
            }

            if (existing.LeaseExpiresAt > now)
            {
                return IdempotencyBegin.InProgress;
            }

            // The owner died (its lease ran out): take the record over, compare-and-swap on the old token.
            var oldToken = existing.LeaseToken;
            var expires = now + Lease;
            var taken = await read.IdempotencyRecords
                .Where(r => r.Id == existing.Id && r.State == IdempotencyStates.InProgress && r.LeaseToken == oldToken)
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.LeaseToken, token).SetProperty(r => r.LeaseExpiresAt, expires), cancellationToken);
            if (taken == 1)
            {
                return IdempotencyBegin.Started(new IdempotencyLease(existing.Id, token));
            }
        }

        // Endless churn on one key: ask the client to retry rather than execute twice.
        return IdempotencyBegin.InProgress;
    }

    /// <summary>Extends the lease of an executing request; false when the lease was lost (taken over or deleted).</summary>
    /// <param name="lease">The lease from <see cref="BeginAsync"/>.</param>
    /// <param name="cancellationToken">Cancels the statement.</param>
    public async Task<bool> RenewAsync(IdempotencyLease lease, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        var expires = _time.UtcNowMs() + Lease;
        await using var db = await _db.CreateDbContextAsync(cancellationToken);
        return await db.IdempotencyRecords
            .Where(r => r.Id == lease.RecordId && r.LeaseToken == lease.Token && r.State == IdempotencyStates.InProgress)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.LeaseExpiresAt, expires), cancellationToken) == 1;
    }

    /// <summary>Stores the outcome (body encrypted) for replays.</summary>
    /// <param name="lease">The lease from <see cref="BeginAsync"/>.</param>
    /// <param name="response">Status, content type and body bytes.</param>
    /// <param name="cancellationToken">Cancels the statement (pass a bounded token, not the request's).</param>
    /// <returns>False when the lease was lost meanwhile (nothing stored).</returns>
    public async Task<bool> CompleteAsync(IdempotencyLease lease, IdempotentResponse response, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        ArgumentNullException.ThrowIfNull(response);
        var body = _protector.Protect(SecretPurposes.IdempotencyBody, response.Body);
        await using var db = await _db.CreateDbContextAsync(cancellationToken);
        return await db.IdempotencyRecords
            .Where(r => r.Id == lease.RecordId && r.LeaseToken == lease.Token && r.State == IdempotencyStates.InProgress)
            .ExecuteUpdateAsync(s => s
                .SetProperty(r => r.State, IdempotencyStates.Completed)
                .SetProperty(r => r.StatusCode, response.StatusCode)
                .SetProperty(r => r.ContentType, response.ContentType)
                .SetProperty(r => r.BodyProtected, body)
                .SetProperty(r => r.LeaseToken, (Guid?)null)
                .SetProperty(r => r.LeaseExpiresAt, (DateTimeOffset?)null), cancellationToken) == 1;
    }

    /// <summary>Deletes the record so that a retry executes afresh (outcomes §11.3 does not store).</summary>
    /// <param name="lease">The lease from <see cref="BeginAsync"/>.</param>
    /// <param name="cancellationToken">Cancels the statement (pass a bounded token, not the request's).</param>
    public async Task ReleaseAsync(IdempotencyLease lease, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        await using var db = await _db.CreateDbContextAsync(cancellationToken);
        await db.IdempotencyRecords.Where(r => r.Id == lease.RecordId && r.LeaseToken == lease.Token).ExecuteDeleteAsync(cancellationToken);
    }

    /// <summary>Hard-deletes records created 24 h ago or earlier (the hourly purge of API.md §1.4).</summary>
    /// <param name="cancellationToken">Cancels the statement.</param>
    /// <returns>How many records were deleted.</returns>
    public async Task<int> PurgeAsync(CancellationToken cancellationToken)
    {
        var cutoff = _time.UtcNowMs() - Retention;
        await using var db = await _db.CreateDbContextAsync(cancellationToken);
        return await db.IdempotencyRecords.Where(r => r.CreatedAt <= cutoff).ExecuteDeleteAsync(cancellationToken);
    }
}

/// <summary>The scope of an <c>Idempotency-Key</c> (API.md §11.3): two keys of one platform share it.</summary>
/// <param name="PlatformId">The caller's platform.</param>
/// <param name="Method">HTTP method.</param>
/// <param name="Path">Request path without query (at most <see cref="IdempotencyStore.MaxPathLength"/> characters).</param>
/// <param name="Key">The header value.</param>
public readonly record struct IdempotencyScope(Guid PlatformId, string Method, string Path, string Key);

/// <summary>Proof of ownership of an <c>in_progress</c> record.</summary>
/// <param name="RecordId">The record.</param>
/// <param name="Token">The lease token.</param>
public sealed record IdempotencyLease(Guid RecordId, Guid Token);

/// <summary>A stored outcome.</summary>
/// <param name="StatusCode">HTTP status.</param>
/// <param name="ContentType"><c>Content-Type</c>, or null.</param>
/// <param name="Body">Body bytes, replayed byte-identical.</param>
public sealed record IdempotentResponse(int StatusCode, string? ContentType, byte[] Body);

/// <summary>Outcome of <see cref="IdempotencyStore.BeginAsync"/>.</summary>
/// <param name="Status">What to do.</param>
/// <param name="Lease">Set for <see cref="IdempotencyBeginStatus.Started"/>.</param>
/// <param name="Response">Set for <see cref="IdempotencyBeginStatus.Replay"/>.</param>
public sealed record IdempotencyBegin(IdempotencyBeginStatus Status, IdempotencyLease? Lease, IdempotentResponse? Response)
{
    /// <summary>Same key, different body: 409 <c>idempotency_key_reused</c>.</summary>
    public static IdempotencyBegin KeyReused { get; } = new(IdempotencyBeginStatus.KeyReused, null, null);

    /// <summary>Same key, first request still running: 409 <c>idempotency_in_progress</c>.</summary>
    public static IdempotencyBegin InProgress { get; } = new(IdempotencyBeginStatus.InProgress, null, null);

    /// <summary>The caller owns the key and executes.</summary>
    /// <param name="lease">Its lease.</param>
    public static IdempotencyBegin Started(IdempotencyLease lease) => new(IdempotencyBeginStatus.Started, lease, null);

    /// <summary>Same key, same body, finished: replay the stored outcome.</summary>
    /// <param name="response">The stored outcome.</param>
    public static IdempotencyBegin Replay(IdempotentResponse response) => new(IdempotencyBeginStatus.Replay, null, response);
}

/// <summary>What <see cref="IdempotencyStore.BeginAsync"/> decided.</summary>
public enum IdempotencyBeginStatus
{
    /// <summary>Execute the request; store or release the outcome afterwards.</summary>
    Started,

    /// <summary>Answer with the stored outcome and <c>Idempotent-Replayed: true</c>.</summary>
    Replay,

    /// <summary>409 <c>idempotency_key_reused</c>.</summary>
    KeyReused,

    /// <summary>409 <c>idempotency_in_progress</c> with <c>Retry-After: 1</c>.</summary>
    InProgress,
}
