using System.Collections.Concurrent;
using Assistiv.Platform.Common;
using Assistiv.Platform.Keys;
using Assistiv.Platform.Storage;
using Assistiv.Platform.Wallet;
using Microsoft.EntityFrameworkCore;

namespace Assistiv.Platform.Tenancy;

/// <summary>Creates, reads and changes platforms (API.md §3.3, §4.1); caches each platform's tool policy for the tool path.</summary>
public sealed class PlatformService
{
    private readonly IDbContextFactory<PlatformDbContext> _db;
    private readonly TimeProvider _time;
    private readonly ApiKeyService _keys;
    private readonly CachePolicy _cachePolicy;
    private readonly ConcurrentDictionary<Guid, (ToolPolicy Policy, long LoadedAt)> _policyCache = new();

    /// <summary>Creates the service.</summary>
    /// <param name="db">Database factory.</param>
    /// <param name="time">Clock.</param>
    /// <param name="keys">Key service.</param>
    /// <param name="cachePolicy">Cache lifetime.</param>
    public PlatformService(IDbContextFactory<PlatformDbContext> db, TimeProvider time, ApiKeyService keys, CachePolicy cachePolicy)
    {
        _db = db;
        _time = time;
        _keys = keys;
        _cachePolicy = cachePolicy;
    }

    /// <summary>Whether any platform exists (the CLI's <c>init</c> refuses then).</summary>
    /// <param name="cancellationToken">Cancels the read.</param>
    public async Task<bool> AnyAsync(CancellationToken cancellationToken)
    {
        await using var db = await _db.CreateDbContextAsync(cancellationToken);
        return await db.Platforms.AnyAsync(cancellationToken);
    }

    /// <summary>
    /// Creates a platform and one platform key with all three scopes, in one transaction (API.md §3.3). The slug defaults
    /// to <see cref="Slugs.FromName"/>, suffixed <c>-2</c>, <c>-3</c>… when taken.
    /// </summary>
    /// <param name="name">Display name.</param>
    /// <param name="slug">Explicit slug, or null.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>The platform, its key row and the raw key (shown once).</returns>
    /// <exception cref="ArgumentException">The name or slug breaks the §12 rules, or an explicit slug is taken.</exception>
    public Task<(PlatformRecord Platform, ApiKeyRecord Key, string RawKey)> CreateAsync(string name, string? slug, CancellationToken cancellationToken) =>
        CreateAsync(name, slug, 0, cancellationToken);

    /// <summary>
    /// Creates a platform, its wallet with a balance of <paramref name="walletMicros"/> (one <c>top_up</c> row when above
    /// zero; CLI <c>--wallet-usd</c>, API.md §3.3, §4.7) and one platform key with all three scopes, in one transaction.
    /// </summary>
    /// <param name="name">Display name.</param>
    /// <param name="slug">Explicit slug, or null.</param>
    /// <param name="walletMicros">Initial wallet balance in micro-USD, ≥ 0.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>The platform, its key row and the raw key (shown once).</returns>
    /// <exception cref="ArgumentException">The name or slug breaks the §12 rules, or an explicit slug is taken.</exception>
    public async Task<(PlatformRecord Platform, ApiKeyRecord Key, string RawKey)> CreateAsync(string name, string? slug, long walletMicros,
        CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(walletMicros);
        name = (name ?? "").Trim();
        if (name.Length is < 1 or > 100)
        {
            throw new ArgumentException("The name must be 1-100 characters.", nameof(name));
        }

        if (slug is not null && !Slugs.IsValid(slug))
        {
            throw new ArgumentException("The slug must match ^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$.", nameof(slug));
        }

        await using var db = await _db.CreateDbContextAsync(cancellationToken);
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);
        var finalSlug = slug ?? await FreeSlugAsync(db, Slugs.FromName(name), cancellationToken);
        if (slug is not null && await db.Platforms.AnyAsync(p => p.Slug == slug, cancellationToken))
        {
            throw new ArgumentException($"The slug '{slug}' is taken.", nameof(slug));
        }

        var now = _time.UtcNowMs();
        var platform = new PlatformRecord { Id = Ids.NewId(_time), Name = name, Slug = finalSlug, CreatedAt = now, UpdatedAt = now };
        db.Platforms.Add(platform);
        WalletLedger.AddNewWallet(db, platform.Id, walletMicros, _time);
        var (key, raw) = _keys.AddKey(db, platform.Id, ApiKeyType.Platform, null, null, "admin,management,inference", null, null);
        await db.SaveChangesAsync(cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return (platform, key, raw);
    }

    /// <summary>Lists all platforms, oldest first.</summary>
    /// <param name="cancellationToken">Cancels the read.</param>
    public async Task<IReadOnlyList<PlatformRecord>> ListAsync(CancellationToken cancellationToken)
    {
        await using var db = await _db.CreateDbContextAsync(cancellationToken);
        return await db.Platforms.AsNoTracking().OrderBy(p => p.CreatedAt).ThenBy(p => p.Id).ToListAsync(cancellationToken);
    }

    /// <summary>Reads one platform.</summary>
    /// <param name="platformId">The platform.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    public async Task<PlatformRecord?> FindAsync(Guid platformId, CancellationToken cancellationToken)
    {
        await using var db = await _db.CreateDbContextAsync(cancellationToken);
        return await db.Platforms.AsNoTracking().FirstOrDefaultAsync(p => p.Id == platformId, cancellationToken);
    }

    /// <summary>The platform's tool policy (API.md §8.7), cached.</summary>
    /// <param name="platformId">The platform.</param>
    /// <param name="cancellationToken">Cancels a database read.</param>
    public async ValueTask<ToolPolicy> GetToolPolicyAsync(Guid platformId, CancellationToken cancellationToken)
    {
        if (_policyCache.TryGetValue(platformId, out var hit) && _cachePolicy.IsFresh(_time, hit.LoadedAt))
        {
            return hit.Policy;
        }

        var loadedAt = _time.GetTimestamp();
        var platform = await FindAsync(platformId, cancellationToken);
        var policy = ToolPolicyJson.Parse(platform?.ToolPolicyJson);
        _policyCache[platformId] = (policy, loadedAt);
        return policy;
    }

    /// <summary>Drops the cached tool policy of a platform (call after a PATCH).</summary>
    /// <param name="platformId">The platform.</param>
    public void InvalidatePolicy(Guid platformId) => _policyCache.TryRemove(platformId, out _);

    /// <summary>
    /// Applies a PATCH of API.md §4.1: only given fields change; <c>settings</c> keys are merged (null = default).
    /// </summary>
    /// <param name="platformId">The platform.</param>
    /// <param name="patch">The changes.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>The platform, null when unknown, or <c>SlugTaken</c>.</returns>
    public async Task<(PlatformRecord? Platform, bool SlugTaken)> PatchAsync(Guid platformId, PlatformPatch patch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(patch);
        await using var db = await _db.CreateDbContextAsync(cancellationToken);
        var platform = await db.Platforms.FirstOrDefaultAsync(p => p.Id == platformId, cancellationToken);
        if (platform is null)
        {
            return (null, false);
        }

        if (patch.Slug is not null && patch.Slug != platform.Slug
            && await db.Platforms.AnyAsync(p => p.Slug == patch.Slug && p.Id != platformId, cancellationToken))
        {
            return (platform, true);
        }

        platform.Name = patch.Name ?? platform.Name;
        platform.Slug = patch.Slug ?? platform.Slug;
        if (patch.SetDefaultBudget)
        {
            platform.DefaultBudgetMicros = patch.DefaultBudgetMicros;
        }

        if (patch.SetMarkup)
        {
            platform.MarkupPercentage = patch.MarkupPercentage ?? 0;
        }

        if (patch.SetToolPolicy)
        {
            platform.ToolPolicyJson = ToolPolicyJson.Serialize(patch.ToolPolicy);
        }

        platform.UpdatedAt = _time.UtcNowMs();
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (DbErrors.IsUniqueViolation(ex))
        {
            return (platform, true);
        }

        InvalidatePolicy(platformId);
        return (platform, false);
    }

    private static async Task<string> FreeSlugAsync(PlatformDbContext db, string baseSlug, CancellationToken cancellationToken)
    {
        var taken = await db.Platforms.Where(p => p.Slug == baseSlug || p.Slug.StartsWith(baseSlug + "-"))
            .Select(p => p.Slug).ToListAsync(cancellationToken);
        var set = taken.ToHashSet(StringComparer.Ordinal);
        if (!set.Contains(baseSlug))
        {
            return baseSlug;
        }

        for (var n = 2; ; n++)
        {
            var candidate = $"{baseSlug}-{n}";
            if (!set.Contains(candidate))
            {
                return candidate;
            }
        }
    }
}

/// <summary>The fields of a platform PATCH (API.md §4.1); <c>Set*</c> flags tell a given null from an absent field.</summary>
/// <param name="Name">New name or null.</param>
/// <param name="Slug">New slug or null.</param>
/// <param name="SetDefaultBudget">Whether <paramref name="DefaultBudgetMicros"/> was given.</param>
/// <param name="DefaultBudgetMicros"><c>settings.default_budget_usd</c> in micro-USD, null = default (none).</param>
/// <param name="SetMarkup">Whether <paramref name="MarkupPercentage"/> was given.</param>
/// <param name="MarkupPercentage"><c>settings.markup_percentage</c>, null = default (0).</param>
/// <param name="SetToolPolicy">Whether <paramref name="ToolPolicy"/> was given.</param>
/// <param name="ToolPolicy"><c>settings.tool_policy</c>, null = default.</param>
public sealed record PlatformPatch(string? Name, string? Slug, bool SetDefaultBudget, long? DefaultBudgetMicros,
    bool SetMarkup, decimal? MarkupPercentage, bool SetToolPolicy, ToolPolicy? ToolPolicy);
