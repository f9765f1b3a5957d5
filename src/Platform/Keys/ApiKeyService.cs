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
