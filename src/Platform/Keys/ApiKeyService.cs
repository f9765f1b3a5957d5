using System.Collections.Concurrent;
using Assistiv.Platform.Common;
using Assistiv.Platform.Storage;
using Assistiv.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace Assistiv.Platform.Keys;

/// <summary>
/// Authenticates presented keys (API.md §2.2–2.4) with an in-memory cache in front of the database, and mints, lists and
/// revokes keys (API.md §4.2). Every change drops the affected cache entries before returning, so revocation bites on
/// the very next request of this instance; other instances re-read within <see cref="CachePolicy.EntryLifetime"/> (§2.7).
/// </summary>
public sealed class ApiKeyService
{
    /// <summary>Active end-user keys per user (API.md §4.2): minting one more revokes the oldest.</summary>
    public const int MaxActiveEndUserKeys = 25;

    /// <summary>Active platform keys per platform (API.md §4.2): one more → 409 <c>conflict</c>.</summary>
    public const int MaxActivePlatformKeys = 50;

    private readonly IDbContextFactory<PlatformDbContext> _db;
    private readonly TimeProvider _time;
    private readonly CachePolicy _cachePolicy;
    private readonly ConcurrentDictionary<string, CacheEntry> _cache = new(StringComparer.Ordinal);

    /// <summary>Creates the service.</summary>
    /// <param name="db">Database factory.</param>
    /// <param name="time">Clock.</param>
    /// <param name="cachePolicy">Cache lifetime.</param>
    public ApiKeyService(IDbContextFactory<PlatformDbContext> db, TimeProvider time, CachePolicy cachePolicy)
    {
        _db = db;
        _time = time;
        _cachePolicy = cachePolicy;
    }

    /// <summary>
    /// Authenticates a raw key. A cache hit answers without touching the database; expiry is checked against the clock
    /// on every call.
    /// </summary>
    /// <param name="rawKey">The bearer token as presented (trimmed).</param>
    /// <param name="cancellationToken">Cancels a database read.</param>
    public async ValueTask<KeyLookupResult> AuthenticateAsync(string rawKey, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rawKey);
        if (!ApiKeyFormat.IsWellFormed(rawKey))
        {
            return new KeyLookupResult(KeyLookupStatus.Invalid, null);
        }

        var hash = ApiKeyFormat.Hash(rawKey);
        if (!_cache.TryGetValue(hash, out var entry) || !_cachePolicy.IsFresh(_time, entry.LoadedAt))
        {
            entry = await LoadAsync(hash, cancellationToken);
            if (entry.Status == KeyLookupStatus.Invalid)
            {
                return new KeyLookupResult(KeyLookupStatus.Invalid, null);
            }

            _cache[hash] = entry;
        }

        if (entry.Status != KeyLookupStatus.Ok)
        {
            return new KeyLookupResult(entry.Status, null);
        }

        if (entry.Principal!.ExpiresAt is { } expiresAt && expiresAt <= _time.GetUtcNow())
        {
            return new KeyLookupResult(KeyLookupStatus.Expired, null);
        }

        return new KeyLookupResult(KeyLookupStatus.Ok, entry.Principal);
    }

    /// <summary>Drops every cached entry of a key.</summary>
    /// <param name="keyId">The key id.</param>
    public void InvalidateKey(Guid keyId) => RemoveWhere(static (p, id) => p?.KeyId == id, keyId);

    /// <summary>Drops every cached entry of an end user's keys (deactivation, deletion, policy change).</summary>
    /// <param name="endUserId">The end user.</param>
    public void InvalidateEndUser(Guid endUserId) => RemoveWhere(static (p, id) => p?.EndUserId == id, endUserId);

    /// <summary>Drops every cached entry of a platform's keys.</summary>
    /// <param name="platformId">The platform.</param>
    public void InvalidatePlatform(Guid platformId) => RemoveWhere(static (p, id) => p?.PlatformId == id, platformId);

    /// <summary>
    /// Adds a new key row to <paramref name="db"/> (not saved) and returns the row and the raw key. The caller saves it
    /// in its own transaction and then calls the matching invalidation if it revoked others.
    /// </summary>
    /// <param name="db">The unit of work.</param>
    /// <param name="platformId">The platform.</param>
    /// <param name="type">Key type.</param>
    /// <param name="endUserId">The end user for <see cref="ApiKeyType.EndUser"/>.</param>
    /// <param name="name">Optional name.</param>
    /// <param name="scopes">Scopes as given (comma-joined); end-user keys are always <c>inference</c>.</param>
    /// <param name="expiresAt">Optional expiry.</param>
    /// <param name="toolPolicy">End-user key tool policy, or null for the default.</param>
    public (ApiKeyRecord Row, string RawKey) AddKey(PlatformDbContext db, Guid platformId, ApiKeyType type, Guid? endUserId,
        string? name, string scopes, DateTimeOffset? expiresAt, ToolPolicy? toolPolicy)
    {
        ArgumentNullException.ThrowIfNull(db);
        var raw = ApiKeyFormat.Generate(type);
        var row = new ApiKeyRecord
        {
            Id = Ids.NewId(_time),
            PlatformId = platformId,
            Type = type,
            EndUserId = type == ApiKeyType.EndUser ? endUserId : null,
            KeyHash = ApiKeyFormat.Hash(raw),
            KeyPrefix = ApiKeyFormat.PrefixOf(raw),
            Name = name,
            Scopes = type == ApiKeyType.EndUser ? "inference" : scopes,
            ToolPolicyJson = type == ApiKeyType.EndUser ? ToolPolicyJson.Serialize(toolPolicy) : null,
            IsActive = true,
            ExpiresAt = expiresAt,
            CreatedAt = _time.UtcNowMs(),
        };
        db.ApiKeys.Add(row);
        return (row, raw);
    }

    /// <summary>
    /// Revokes the oldest active keys of an end user so that, with one key about to be added, at most
    /// <see cref="MaxActiveEndUserKeys"/> stay active (API.md §4.2). Runs inside the caller's transaction.
    /// </summary>
    /// <param name="db">The unit of work (in a transaction).</param>
    /// <param name="endUserId">The end user.</param>
    /// <param name="cancellationToken">Cancels the statement.</param>
    /// <returns>The ids revoked.</returns>
    public async Task<IReadOnlyList<Guid>> RevokeOverflowAsync(PlatformDbContext db, Guid endUserId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        var active = await db.ApiKeys.Where(k => k.EndUserId == endUserId && k.IsActive)
            .OrderBy(k => k.CreatedAt).ThenBy(k => k.Id).Select(k => k.Id).ToListAsync(cancellationToken);
        var excess = active.Count - (MaxActiveEndUserKeys - 1);
        if (excess <= 0)
        {
            return [];
        }

        var ids = active.Take(excess).ToList();
        var now = _time.UtcNowMs();
        await db.ApiKeys.Where(k => ids.Contains(k.Id))
            .ExecuteUpdateAsync(s => s.SetProperty(k => k.IsActive, false).SetProperty(k => k.RevokedAt, now), cancellationToken);
        return ids;
    }

    /// <summary>Revokes all active keys of an end user except <paramref name="keep"/> (API.md §4.4 <c>rotate_keys</c>, deletion).</summary>
    /// <param name="db">The unit of work (in a transaction).</param>
    /// <param name="endUserId">The end user.</param>
    /// <param name="keep">A key to leave active, or null.</param>
    /// <param name="cancellationToken">Cancels the statement.</param>
    public async Task RevokeEndUserKeysAsync(PlatformDbContext db, Guid endUserId, Guid? keep, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        var now = _time.UtcNowMs();
        await db.ApiKeys.Where(k => k.EndUserId == endUserId && k.IsActive && (keep == null || k.Id != keep))
            .ExecuteUpdateAsync(s => s.SetProperty(k => k.IsActive, false).SetProperty(k => k.RevokedAt, now), cancellationToken);
    }

    /// <summary>Lists keys of a platform newest first (API.md §4.2).</summary>
    /// <param name="platformId">The platform.</param>
    /// <param name="type">Key type filter.</param>
    /// <param name="endUserId">End-user filter (implies end-user keys), or null.</param>
    /// <param name="isActive">Active filter, or null.</param>
    /// <param name="page">1-based page.</param>
    /// <param name="limit">Page size.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    public async Task<(IReadOnlyList<ApiKeyRecord> Items, int Total)> ListAsync(Guid platformId, ApiKeyType type, Guid? endUserId,
        bool? isActive, int page, int limit, CancellationToken cancellationToken)
    {
        await using var db = await _db.CreateDbContextAsync(cancellationToken);
        var q = db.ApiKeys.AsNoTracking().Where(k => k.PlatformId == platformId && k.Type == type);
        if (endUserId is { } eu)
        {
            q = q.Where(k => k.EndUserId == eu);
        }

        if (isActive is { } active)
        {
            q = q.Where(k => k.IsActive == active);
        }

        var total = await q.CountAsync(cancellationToken);
        var items = await q.OrderByDescending(k => k.CreatedAt).ThenByDescending(k => k.Id)
            .Skip((page - 1) * limit).Take(limit).ToListAsync(cancellationToken);
        return (items, total);
    }

    /// <summary>Reads one key of the platform.</summary>
    /// <param name="platformId">The platform.</param>
    /// <param name="keyId">The key.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    public async Task<ApiKeyRecord?> FindAsync(Guid platformId, Guid keyId, CancellationToken cancellationToken)
    {
        await using var db = await _db.CreateDbContextAsync(cancellationToken);
        return await db.ApiKeys.AsNoTracking().FirstOrDefaultAsync(k => k.Id == keyId && k.PlatformId == platformId, cancellationToken);
    }

    /// <summary>
    /// Mints a platform key through the API (API.md §4.2): 409-worthy when <see cref="MaxActivePlatformKeys"/> are active.
    /// </summary>
    /// <param name="platformId">The platform.</param>
    /// <param name="name">Optional name.</param>
    /// <param name="scopes">Scopes as given, comma-joined.</param>
    /// <param name="expiresAt">Optional expiry.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>The row and raw key, or nulls when the cap is reached.</returns>
    public async Task<(ApiKeyRecord? Row, string? RawKey)> CreatePlatformKeyAsync(Guid platformId, string? name, string scopes,
        DateTimeOffset? expiresAt, CancellationToken cancellationToken)
    {
        await using var db = await _db.CreateDbContextAsync(cancellationToken);
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);
        var active = await db.ApiKeys.CountAsync(k => k.PlatformId == platformId && k.Type == ApiKeyType.Platform && k.IsActive, cancellationToken);
        if (active >= MaxActivePlatformKeys)
        {
            return (null, null);
        }

        var (row, raw) = AddKey(db, platformId, ApiKeyType.Platform, null, name, scopes, expiresAt, null);
        await db.SaveChangesAsync(cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return (row, raw);
    }

    /// <summary>
    /// Mints an end-user key through the API (API.md §4.2): the user's 26th active key revokes its oldest.
    /// </summary>
    /// <param name="platformId">The platform.</param>
    /// <param name="endUserId">The end user (must exist, checked by the caller).</param>
    /// <param name="name">Optional name.</param>
    /// <param name="expiresAt">Optional expiry.</param>
    /// <param name="toolPolicy">Optional tool policy.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    public async Task<(ApiKeyRecord Row, string RawKey)> CreateEndUserKeyAsync(Guid platformId, Guid endUserId, string? name,
        DateTimeOffset? expiresAt, ToolPolicy? toolPolicy, CancellationToken cancellationToken)
    {
        await using var db = await _db.CreateDbContextAsync(cancellationToken);
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);
        var revoked = await RevokeOverflowAsync(db, endUserId, cancellationToken);
        var (row, raw) = AddKey(db, platformId, ApiKeyType.EndUser, endUserId, name, "inference", expiresAt, toolPolicy);
        await db.SaveChangesAsync(cancellationToken);
        await tx.CommitAsync(cancellationToken);
        foreach (var id in revoked)
        {
            InvalidateKey(id);
        }

        return (row, raw);
    }

    /// <summary>Sets an end-user key's tool policy (API.md §4.2 PATCH); null restores the default.</summary>
    /// <param name="platformId">The platform.</param>
    /// <param name="keyId">The key.</param>
    /// <param name="policy">The policy or null.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>The updated row, or null when unknown.</returns>
    public async Task<ApiKeyRecord?> SetToolPolicyAsync(Guid platformId, Guid keyId, ToolPolicy? policy, CancellationToken cancellationToken)
    {
        await using var db = await _db.CreateDbContextAsync(cancellationToken);
        var key = await db.ApiKeys.FirstOrDefaultAsync(k => k.Id == keyId && k.PlatformId == platformId, cancellationToken);
        if (key is null)
        {
            return null;
        }

        key.ToolPolicyJson = ToolPolicyJson.Serialize(policy);
        await db.SaveChangesAsync(cancellationToken);
        InvalidateKey(keyId);
        return key;
    }

    /// <summary>
    /// Revokes a key (API.md §4.2 DELETE). Refuses to revoke the last active platform key with <c>admin</c>.
    /// </summary>
    /// <param name="platformId">The platform.</param>
    /// <param name="keyId">The key.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    public async Task<RevokeOutcome> RevokeAsync(Guid platformId, Guid keyId, CancellationToken cancellationToken)
    {
        await using var db = await _db.CreateDbContextAsync(cancellationToken);
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);
        var key = await db.ApiKeys.FirstOrDefaultAsync(k => k.Id == keyId && k.PlatformId == platformId, cancellationToken);
        if (key is null)
        {
            return RevokeOutcome.NotFound;
        }

        if (!key.IsActive)
        {
            return RevokeOutcome.Revoked;
        }

        if (key.Type == ApiKeyType.Platform && (KeyScopeNames.Parse(key.Scopes) & KeyScopes.Admin) != 0)
        {
            var admins = await db.ApiKeys.Where(k => k.PlatformId == platformId && k.Type == ApiKeyType.Platform && k.IsActive)
                .Select(k => k.Scopes).ToListAsync(cancellationToken);
            if (admins.Count(s => (KeyScopeNames.Parse(s) & KeyScopes.Admin) != 0) <= 1)
            {
                return RevokeOutcome.LastAdmin;
            }
        }

        key.IsActive = false;
        key.RevokedAt = _time.UtcNowMs();
        await db.SaveChangesAsync(cancellationToken);
        await tx.CommitAsync(cancellationToken);
        InvalidateKey(keyId);
        return RevokeOutcome.Revoked;
    }

    private async Task<CacheEntry> LoadAsync(string hash, CancellationToken cancellationToken)
    {
        var loadedAt = _time.GetTimestamp();
        await using var db = await _db.CreateDbContextAsync(cancellationToken);
        var row = await (
            from key in db.ApiKeys.AsNoTracking()
            where key.KeyHash == hash
            join p in db.Platforms.AsNoTracking() on key.PlatformId equals p.Id
            join u in db.EndUsers.AsNoTracking() on key.EndUserId equals u.Id into users
            from u in users.DefaultIfEmpty()
            select new { Key = key, User = u }).FirstOrDefaultAsync(cancellationToken);
        if (row is null)
        {
            return new CacheEntry(KeyLookupStatus.Invalid, null, loadedAt);
        }

        var k = row.Key;
        if (!k.IsActive || (k.Type == ApiKeyType.EndUser && (row.User is null || row.User.DeletedAt is not null)))
        {
            return new CacheEntry(KeyLookupStatus.Revoked, new KeyPrincipalStub(k.Id, k.PlatformId, k.EndUserId).ToPrincipal(), loadedAt);
        }

        var principal = new KeyPrincipal(
            k.Id, k.PlatformId, k.Type, KeyScopeNames.Parse(k.Scopes), k.KeyPrefix, k.ExpiresAt,
            k.EndUserId, row.User?.ExternalId, row.User?.DisplayName, row.User?.IsActive ?? true,
            k.Type == ApiKeyType.EndUser ? ToolPolicyJson.Parse(k.ToolPolicyJson) : null,
            row.User is null ? null : ToolPolicyJson.Parse(row.User.ToolPolicyJson));
        return new CacheEntry(KeyLookupStatus.Ok, principal, loadedAt);
    }

    private void RemoveWhere(Func<KeyPrincipal?, Guid, bool> match, Guid id)
    {
        foreach (var pair in _cache)
        {
            if (match(pair.Value.Principal, id))
            {
                _cache.TryRemove(pair);
            }
        }
    }

    private sealed record CacheEntry(KeyLookupStatus Status, KeyPrincipal? Principal, long LoadedAt);

    // A revoked key's cache entry keeps its ids so that the invalidation helpers can still find it.
    private readonly record struct KeyPrincipalStub(Guid KeyId, Guid PlatformId, Guid? EndUserId)
    {
        public KeyPrincipal ToPrincipal() => new(KeyId, PlatformId, ApiKeyType.Platform, KeyScopes.None, "", null, EndUserId, null, null, false, null, null);
    }
}

/// <summary>Outcome of <see cref="ApiKeyService.RevokeAsync"/>.</summary>
public enum RevokeOutcome
{
    /// <summary>Revoked now or already revoked (204).</summary>
    Revoked,

    /// <summary>Unknown key (404).</summary>
    NotFound,

    /// <summary>The last active admin platform key (409 <c>conflict</c>).</summary>
    LastAdmin,
}
