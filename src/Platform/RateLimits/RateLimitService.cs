using Assistiv.Platform.Common;
using Assistiv.Platform.Storage;
using Microsoft.EntityFrameworkCore;

namespace Assistiv.Platform.RateLimits;

/// <summary>
/// Platform default rate limits and per-end-user overrides (API.md §4.8) and their resolution (§7.1). Counting and
/// 429 belong to the inference pipeline (§7.2–7.4); this service only stores and resolves the configuration.
/// </summary>
public sealed class RateLimitService
{
    private readonly IDbContextFactory<PlatformDbContext> _db;
    private readonly TimeProvider _time;

    /// <summary>Creates the service.</summary>
    /// <param name="db">Database factory.</param>
    /// <param name="time">Clock.</param>
    public RateLimitService(IDbContextFactory<PlatformDbContext> db, TimeProvider time)
    {
        _db = db;
        _time = time;
    }

    /// <summary>The platform default (all null and no <c>updated_at</c> until first set).</summary>
    /// <param name="platformId">The platform.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    public async Task<StoredRateLimits> GetPlatformDefaultAsync(Guid platformId, CancellationToken cancellationToken)
    {
        await using var db = await _db.CreateDbContextAsync(cancellationToken);
        var row = await db.PlatformRateLimits.AsNoTracking().FirstOrDefaultAsync(r => r.PlatformId == platformId, cancellationToken);
        return row is null ? new StoredRateLimits(default, null) : new StoredRateLimits(new RateLimitSet(row.RpmLimit, row.TpmLimit, row.RpdLimit), row.UpdatedAt);
    }

    /// <summary>Replaces the platform default (API.md §4.8 <c>PUT P/rate-limits</c>: an omitted field is null).</summary>
    /// <param name="platformId">The platform.</param>
    /// <param name="limits">The new default (validated by the caller).</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    public async Task<StoredRateLimits> SetPlatformDefaultAsync(Guid platformId, RateLimitSet limits, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var now = _time.UtcNowMs();
            await using var db = await _db.CreateDbContextAsync(cancellationToken);
            var row = await db.PlatformRateLimits.FirstOrDefaultAsync(r => r.PlatformId == platformId, cancellationToken);
            if (row is null)
            {
                row = new PlatformRateLimitRecord { PlatformId = platformId };
                db.PlatformRateLimits.Add(row);
            }

            row.RpmLimit = limits.RpmLimit;
            row.TpmLimit = limits.TpmLimit;
            row.RpdLimit = limits.RpdLimit;
            row.UpdatedAt = now;
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                return new StoredRateLimits(limits, now);
            }
            catch (DbUpdateException ex) when (attempt == 0 && DbErrors.IsUniqueViolation(ex))
            {
                // A concurrent first write won the key: retry as an update.
            }
        }
    }

    /// <summary>The end user's override, or null when it has none.</summary>
    /// <param name="platformId">The platform.</param>
    /// <param name="endUserId">The end user (existence is checked by the caller).</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    public async Task<StoredRateLimits?> GetOverrideAsync(Guid platformId, Guid endUserId, CancellationToken cancellationToken)
    {
        await using var db = await _db.CreateDbContextAsync(cancellationToken);
        var row = await db.EndUserRateLimits.AsNoTracking()
            .FirstOrDefaultAsync(r => r.EndUserId == endUserId && r.PlatformId == platformId, cancellationToken);
        return row is null ? null : new StoredRateLimits(new RateLimitSet(row.RpmLimit, row.TpmLimit, row.RpdLimit), row.UpdatedAt);
    }

    /// <summary>
    /// Sets the override (API.md §4.8 <c>PUT E/rate-limits</c>); all three null removes it. With
    /// <paramref name="merge"/> only the fields flagged in <paramref name="given"/> change (§4.13 <c>PATCH</c>).
    /// </summary>
    /// <param name="platformId">The platform.</param>
    /// <param name="endUserId">The end user (existence is checked by the caller).</param>
    /// <param name="limits">The values.</param>
    /// <param name="merge">False: replace all three; true: change only the given fields.</param>
    /// <param name="given">Which fields the request named (used with <paramref name="merge"/>).</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>The override after the change, or null when it was removed.</returns>
    public async Task<StoredRateLimits?> SetOverrideAsync(Guid platformId, Guid endUserId, RateLimitSet limits, bool merge,
        RateLimitFields given, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var now = _time.UtcNowMs();
            await using var db = await _db.CreateDbContextAsync(cancellationToken);
            var row = await db.EndUserRateLimits.FirstOrDefaultAsync(r => r.EndUserId == endUserId && r.PlatformId == platformId, cancellationToken);
            var next = merge
                ? new RateLimitSet(
                    (given & RateLimitFields.Rpm) != 0 ? limits.RpmLimit : row?.RpmLimit,
                    (given & RateLimitFields.Tpm) != 0 ? limits.TpmLimit : row?.TpmLimit,
                    (given & RateLimitFields.Rpd) != 0 ? limits.RpdLimit : row?.RpdLimit)
                : limits;
            if (next.IsEmpty)
            {
                // API.md §4.8: all three null removes the override.
                if (row is not null)
                {
                    await db.EndUserRateLimits.Where(r => r.EndUserId == endUserId && r.PlatformId == platformId).ExecuteDeleteAsync(cancellationToken);
                }

                return null;
            }

            if (row is null)
            {
                row = new EndUserRateLimitRecord { EndUserId = endUserId, PlatformId = platformId };
                db.EndUserRateLimits.Add(row);
            }

            row.RpmLimit = next.RpmLimit;
            row.TpmLimit = next.TpmLimit;
            row.RpdLimit = next.RpdLimit;
            row.UpdatedAt = now;
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                return new StoredRateLimits(next, now);
            }
            catch (DbUpdateException ex) when (attempt == 0 && DbErrors.IsUniqueViolation(ex))
            {
                // A concurrent first write won the key: retry as an update.
            }
        }
    }

    /// <summary>Removes the end user's override (API.md §4.8 <c>DELETE E/rate-limits</c>, end-user deletion); none is fine.</summary>
    /// <param name="platformId">The platform.</param>
    /// <param name="endUserId">The end user.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    public async Task DeleteOverrideAsync(Guid platformId, Guid endUserId, CancellationToken cancellationToken)
    {
        await using var db = await _db.CreateDbContextAsync(cancellationToken);
        await db.EndUserRateLimits.Where(r => r.EndUserId == endUserId && r.PlatformId == platformId).ExecuteDeleteAsync(cancellationToken);
    }

    /// <summary>The effective limits of an end user (API.md §4.8 resolution).</summary>
    /// <param name="platformId">The platform.</param>
    /// <param name="endUserId">The end user.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    public async Task<(StoredRateLimits? Override, EffectiveRateLimits Effective)> ResolveAsync(Guid platformId, Guid endUserId, CancellationToken cancellationToken)
    {
        await using var db = await _db.CreateDbContextAsync(cancellationToken);
        var platformRow = await db.PlatformRateLimits.AsNoTracking().FirstOrDefaultAsync(r => r.PlatformId == platformId, cancellationToken);
        var userRow = await db.EndUserRateLimits.AsNoTracking()
            .FirstOrDefaultAsync(r => r.EndUserId == endUserId && r.PlatformId == platformId, cancellationToken);
        var platformDefault = platformRow is null ? default : new RateLimitSet(platformRow.RpmLimit, platformRow.TpmLimit, platformRow.RpdLimit);
        StoredRateLimits? stored = userRow is null ? null : new StoredRateLimits(new RateLimitSet(userRow.RpmLimit, userRow.TpmLimit, userRow.RpdLimit), userRow.UpdatedAt);
        return (stored, EffectiveRateLimits.Resolve(platformDefault, stored?.Limits));
    }
}

/// <summary>Which limit fields a request named (for the §4.13 <c>PATCH</c> merge).</summary>
[Flags]
public enum RateLimitFields
{
    /// <summary>None.</summary>
    None = 0,

    /// <summary><c>rpm_limit</c>.</summary>
    Rpm = 1,

    /// <summary><c>tpm_limit</c>.</summary>
    Tpm = 2,

    /// <summary><c>rpd_limit</c>.</summary>
    Rpd = 4,

    /// <summary>All three.</summary>
    All = Rpm | Tpm | Rpd,
}
