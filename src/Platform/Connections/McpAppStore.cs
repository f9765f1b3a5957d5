using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Text.Json;
using Assistiv.Platform.Storage;
using Microsoft.EntityFrameworkCore;

namespace Assistiv.Platform.Connections;

/// <summary>
/// Reads and writes MCP app activations (API.md §4.11) and caches each platform's set in memory for the tool path
/// (<see cref="CachePolicy"/>). Callers that change an activation go through this store so the cache is dropped
/// before the response is sent.
/// </summary>
public sealed class McpAppStore
{
    private readonly IDbContextFactory<PlatformDbContext> _db;
    private readonly TimeProvider _time;
    private readonly CachePolicy _cachePolicy;
    private readonly ConcurrentDictionary<Guid, Entry> _cache = new();

    /// <summary>Creates the store.</summary>
    /// <param name="db">Database factory.</param>
    /// <param name="time">Clock.</param>
    /// <param name="cachePolicy">Cache lifetime.</param>
    public McpAppStore(IDbContextFactory<PlatformDbContext> db, TimeProvider time, CachePolicy cachePolicy)
    {
        _db = db;
        _time = time;
        _cachePolicy = cachePolicy;
    }

    /// <summary>The platform's activated apps keyed by app id (a cache hit does not touch the database).</summary>
    /// <param name="platformId">The platform.</param>
    /// <param name="cancellationToken">Cancels a database read.</param>
    public async ValueTask<IReadOnlyDictionary<string, McpAppActivation>> GetActivatedAsync(Guid platformId, CancellationToken cancellationToken)
    {
        if (_cache.TryGetValue(platformId, out var entry) && _cachePolicy.IsFresh(_time, entry.LoadedAt))
        {
            return entry.Apps;
        }

        var loadedAt = _time.GetTimestamp();
        await using var db = await _db.CreateDbContextAsync(cancellationToken);
        var rows = await db.McpApps.AsNoTracking().Where(a => a.PlatformId == platformId).ToListAsync(cancellationToken);
        var apps = rows.Select(ToActivation).ToFrozenDictionary(a => a.App, StringComparer.Ordinal);
        _cache[platformId] = new Entry(apps, loadedAt);
        return apps;
    }

    /// <summary>Drops the platform's cached set; call before answering any request that changed it.</summary>
    /// <param name="platformId">The platform.</param>
    public void Invalidate(Guid platformId) => _cache.TryRemove(platformId, out _);

    /// <summary>Maps a row to its snapshot.</summary>
    /// <param name="row">The stored row.</param>
    public static McpAppActivation ToActivation(McpAppRecord row)
    {
        ArgumentNullException.ThrowIfNull(row);
        IReadOnlyList<string>? scopes = row.ScopesJson is null ? null : JsonSerializer.Deserialize<string[]>(row.ScopesJson);
        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        using (var doc = JsonDocument.Parse(row.SettingsJson))
        {
            foreach (var p in doc.RootElement.EnumerateObject())
            {
                settings[p.Name] = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText();
            }
        }

        return new McpAppActivation(row.Id, row.PlatformId, row.App, row.ClientId, row.ClientSecretProtected,
            row.RedirectBaseUrl, scopes, settings, row.ActivatedAt, row.UpdatedAt);
    }

    private sealed record Entry(IReadOnlyDictionary<string, McpAppActivation> Apps, long LoadedAt);
}
