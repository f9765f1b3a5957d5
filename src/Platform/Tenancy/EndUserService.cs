using Assistiv.Platform.Budgets;
using Assistiv.Platform.Common;
using Assistiv.Platform.Keys;
using Assistiv.Platform.Storage;
using Microsoft.EntityFrameworkCore;

namespace Assistiv.Platform.Tenancy;

/// <summary>End users (API.md §4.4): idempotent create on <c>external_id</c>, list, read, change, delete.</summary>
public sealed class EndUserService
{
    private readonly IDbContextFactory<PlatformDbContext> _db;
    private readonly TimeProvider _time;
    private readonly ApiKeyService _keys;

    /// <summary>Creates the service.</summary>
    /// <param name="db">Database factory.</param>
    /// <param name="time">Clock.</param>
    /// <param name="keys">Key service.</param>
    public EndUserService(IDbContextFactory<PlatformDbContext> db, TimeProvider time, ApiKeyService keys)
    {
        _db = db;
        _time = time;
        _keys = keys;
    }

    /// <summary>
    /// Creates the end user, or finds the existing non-deleted one with that <c>external_id</c>, and mints a fresh
    /// <c>sk-eu_</c> key in the same transaction (API.md §4.4). With <paramref name="rotateKeys"/> the user's other keys
    /// are revoked in that transaction. A concurrent create of the same id loses on the unique index and is retried as
    /// "existing", so both callers get the one user.
    /// </summary>
    /// <param name="platformId">The platform.</param>
    /// <param name="externalId">The platform's user id (validated by the caller).</param>
    /// <param name="displayName">Display name for a new user.</param>
    /// <param name="metadataJson">Metadata object JSON for a new user.</param>
    /// <param name="rotateKeys">Revoke the user's other active keys.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    public async Task<EndUserCreateResult> CreateOrGetAsync(Guid platformId, string externalId, string? displayName,
        string? metadataJson, bool rotateKeys, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await CreateOrGetOnceAsync(platformId, externalId, displayName, metadataJson, rotateKeys, cancellationToken);
            }
            catch (DbUpdateException ex) when (attempt == 0 && DbErrors.IsUniqueViolation(ex))
            {
                // Lost the race for external_id: the other request created it; take the "existing" path.
            }
        }
    }

    /// <summary>Lists end users newest first with the §0.2 page envelope inputs.</summary>
    /// <param name="platformId">The platform.</param>
    /// <param name="externalId">Exact <c>external_id</c> filter, or null.</param>
    /// <param name="isActive">Filter, or null.</param>
    /// <param name="page">1-based page.</param>
    /// <param name="limit">Page size.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    public async Task<(IReadOnlyList<EndUserRecord> Items, int Total)> ListAsync(Guid platformId, string? externalId, bool? isActive,
        int page, int limit, CancellationToken cancellationToken)
    {
        await using var db = await _db.CreateDbContextAsync(cancellationToken);
        var q = db.EndUsers.AsNoTracking().Where(u => u.PlatformId == platformId && u.DeletedAt == null);
        if (externalId is not null)
        {
            q = q.Where(u => u.ExternalId == externalId);
        }

        if (isActive is { } active)
        {
            q = q.Where(u => u.IsActive == active);
        }

        var total = await q.CountAsync(cancellationToken);
        var items = await q.OrderByDescending(u => u.CreatedAt).ThenByDescending(u => u.Id)
            .Skip((page - 1) * limit).Take(limit).ToListAsync(cancellationToken);
        return (items, total);
    }

    /// <summary>Reads a non-deleted end user of the platform.</summary>
    /// <param name="platformId">The platform.</param>
    /// <param name="endUserId">The end user.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    public async Task<EndUserRecord?> FindAsync(Guid platformId, Guid endUserId, CancellationToken cancellationToken)
    {
        await using var db = await _db.CreateDbContextAsync(cancellationToken);
        return await db.EndUsers.AsNoTracking()
            .FirstOrDefaultAsync(u => u.Id == endUserId && u.PlatformId == platformId && u.DeletedAt == null, cancellationToken);
    }

    /// <summary>Applies a PATCH (API.md §4.4); key caches of the user are dropped before returning.</summary>
    /// <param name="platformId">The platform.</param>
    /// <param name="endUserId">The end user.</param>
    /// <param name="patch">The fields to change.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>The changed user, or null when not found.</returns>
    public async Task<EndUserRecord?> PatchAsync(Guid platformId, Guid endUserId, EndUserPatch patch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(patch);
        await using var db = await _db.CreateDbContextAsync(cancellationToken);
        var user = await db.EndUsers.FirstOrDefaultAsync(u => u.Id == endUserId && u.PlatformId == platformId && u.DeletedAt == null, cancellationToken);
        if (user is null)
        {
            return null;
        }

        if (patch.SetDisplayName)
        {
            user.DisplayName = patch.DisplayName;
        }

        if (patch.MetadataJson is not null)
        {
            user.MetadataJson = patch.MetadataJson;
        }

        if (patch.IsActive is { } active)
        {
            user.IsActive = active;
        }

        if (patch.SetToolPolicy)
        {
            user.ToolPolicyJson = ToolPolicyJson.Serialize(patch.ToolPolicy);
        }

        user.UpdatedAt = _time.UtcNowMs();
        await db.SaveChangesAsync(cancellationToken);
        _keys.InvalidateEndUser(endUserId);
        return user;
    }

    /// <summary>
    /// Deletes an end user (API.md §4.4): revokes all keys, deactivates the budget and frees <c>external_id</c>. Connections are revoked and
    /// deleted by the OAuth broker before this is called; logs and ledger rows keep the old id.
    /// </summary>
    /// <param name="platformId">The platform.</param>
    /// <param name="endUserId">The end user.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>False when the user does not exist (or was already deleted).</returns>
    public async Task<bool> DeleteAsync(Guid platformId, Guid endUserId, CancellationToken cancellationToken)
    {
        await using var db = await _db.CreateDbContextAsync(cancellationToken);
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);
        var now = _time.UtcNowMs();
        var n = await db.EndUsers.Where(u => u.Id == endUserId && u.PlatformId == platformId && u.DeletedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(u => u.DeletedAt, now).SetProperty(u => u.IsActive, false).SetProperty(u => u.UpdatedAt, now), cancellationToken);
        if (n == 0)
        {
            return false;
        }

        await _keys.RevokeEndUserKeysAsync(db, endUserId, keep: null, cancellationToken);
        // API.md §4.4: the budget is deactivated and its open holds released (in-flight calls settle on the wallet).
        await BudgetService.DeactivateAsync(db, platformId, endUserId, _time, cancellationToken);
        await tx.CommitAsync(cancellationToken);
        _keys.InvalidateEndUser(endUserId);
        return true;
    }

    private async Task<EndUserCreateResult> CreateOrGetOnceAsync(Guid platformId, string externalId, string? displayName,
        string? metadataJson, bool rotateKeys, CancellationToken cancellationToken)
    {
        await using var db = await _db.CreateDbContextAsync(cancellationToken);
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);
        var user = await db.EndUsers.FirstOrDefaultAsync(u => u.PlatformId == platformId && u.ExternalId == externalId && u.DeletedAt == null, cancellationToken);
        var created = user is null;
        if (user is null)
        {
            var now = _time.UtcNowMs();
            user = new EndUserRecord
            {
                Id = Ids.NewId(_time),
                PlatformId = platformId,
                ExternalId = externalId,
                DisplayName = displayName,
                MetadataJson = metadataJson ?? "{}",
                IsActive = true,
                CreatedAt = now,
                UpdatedAt = now,
            };
            db.EndUsers.Add(user);
            // API.md §4.4: settings.default_budget_usd gives a new user a monthly budget in the same transaction.
            var defaultBudget = await db.Platforms.Where(p => p.Id == platformId).Select(p => p.DefaultBudgetMicros).FirstOrDefaultAsync(cancellationToken);
            if (defaultBudget is { } max)
            {
                BudgetService.AddBudget(db, user, new BudgetSettings(max, BudgetPeriods.Monthly, false, null, null), _time, null);
            }

            await db.SaveChangesAsync(cancellationToken);
        }
        else if (!user.IsActive)
        {
            return new EndUserCreateResult(user, Created: false, Inactive: true, null, null);
        }

        if (rotateKeys)
        {
            await _keys.RevokeEndUserKeysAsync(db, user.Id, keep: null, cancellationToken);
        }
        else if (!created)
        {
            await _keys.RevokeOverflowAsync(db, user.Id, cancellationToken);
        }

        var (key, raw) = _keys.AddKey(db, platformId, ApiKeyType.EndUser, user.Id, null, "inference", null, null);
        await db.SaveChangesAsync(cancellationToken);
        await tx.CommitAsync(cancellationToken);
        if (!created)
        {
            _keys.InvalidateEndUser(user.Id);
        }

        return new EndUserCreateResult(user, created, Inactive: false, key, raw);
    }
}

/// <summary>Result of <see cref="EndUserService.CreateOrGetAsync"/>.</summary>
/// <param name="User">The end user.</param>
/// <param name="Created">True when the user was created (201), false when it existed (200).</param>
/// <param name="Inactive">True when the existing user is inactive: nothing was minted (409 <c>conflict</c>).</param>
/// <param name="Key">The minted key row, or null when inactive.</param>
/// <param name="RawKey">The raw key, shown once, or null when inactive.</param>
public sealed record EndUserCreateResult(EndUserRecord User, bool Created, bool Inactive, ApiKeyRecord? Key, string? RawKey);

/// <summary>The fields of an end-user PATCH (API.md §4.4).</summary>
/// <param name="SetDisplayName">Whether <paramref name="DisplayName"/> was given (it may be null).</param>
/// <param name="DisplayName">New display name or null.</param>
/// <param name="MetadataJson">Replacement metadata object JSON, or null to keep it.</param>
/// <param name="IsActive">New active flag, or null to keep it.</param>
/// <param name="SetToolPolicy">Whether <paramref name="ToolPolicy"/> was given (null restores the default).</param>
/// <param name="ToolPolicy">New policy.</param>
public sealed record EndUserPatch(bool SetDisplayName, string? DisplayName, string? MetadataJson, bool? IsActive, bool SetToolPolicy, ToolPolicy? ToolPolicy);
