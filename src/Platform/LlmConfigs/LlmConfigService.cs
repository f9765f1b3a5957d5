using System.Text.Json;
using Assistiv.Platform.Common;
using Assistiv.Platform.Secrets;
using Assistiv.Platform.Storage;
using Microsoft.EntityFrameworkCore;

namespace Assistiv.Platform.LlmConfigs;

/// <summary>
/// LLM provider configs of a platform (API.md §4.3): create with the key encrypted at rest, list, delete. No upstream
/// call is made at creation; failures surface at inference time in <c>last_error</c>.
/// </summary>
public sealed class LlmConfigService
{
    /// <summary>Configs per platform (API.md §12): one more → 409 <c>conflict</c>.</summary>
    public const int MaxPerPlatform = 50;

    private readonly IDbContextFactory<PlatformDbContext> _db;
    private readonly TimeProvider _time;
    private readonly SecretProtector _protector;

    /// <summary>Creates the service.</summary>
    /// <param name="db">Database factory.</param>
    /// <param name="time">Clock.</param>
    /// <param name="protector">Encrypts provider keys (<see cref="SecretPurposes.LlmConfigApiKey"/>).</param>
    public LlmConfigService(IDbContextFactory<PlatformDbContext> db, TimeProvider time, SecretProtector protector)
    {
        _db = db;
        _time = time;
        _protector = protector;
    }

    /// <summary>
    /// Stores a config (fields validated by the caller). Returns null when the platform already has
    /// <see cref="MaxPerPlatform"/> configs.
    /// </summary>
    /// <param name="platformId">The platform.</param>
    /// <param name="create">The validated fields.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    public async Task<LlmConfigRecord?> CreateAsync(Guid platformId, LlmConfigCreate create, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(create);
        await using var db = await _db.CreateDbContextAsync(cancellationToken);
        // One transaction (SQLite: BEGIN IMMEDIATE) so two concurrent creates cannot both pass the cap.
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);
        if (!db.IsSqlite)
        {
            // PostgreSQL: serialize creates of one platform on its row.
            await db.Database.ExecuteSqlInterpolatedAsync($"SELECT 1 FROM platforms WHERE id = {platformId} FOR UPDATE", cancellationToken);
        }

        if (await db.LlmConfigs.CountAsync(c => c.PlatformId == platformId, cancellationToken) >= MaxPerPlatform)
        {
            return null;
        }

        var now = _time.UtcNowMs();
        var row = new LlmConfigRecord
        {
            Id = Ids.NewId(_time),
            PlatformId = platformId,
            Provider = create.Provider,
            Name = create.Name,
            BaseUrl = create.BaseUrl,
            Priority = create.Priority,
            IsDefault = create.IsDefault,
            IsActive = create.IsActive,
            ModelsJson = SerializeModels(create.Models),
            ApiKeyProtected = create.ApiKey is null ? null : _protector.Protect(SecretPurposes.LlmConfigApiKey, create.ApiKey),
            ApiKeyHint = Hint(create.ApiKey),
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.LlmConfigs.Add(row);
        await db.SaveChangesAsync(cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return row;
    }

    /// <summary>Lists configs newest first (API.md §0.2).</summary>
    /// <param name="platformId">The platform.</param>
    /// <param name="page">1-based page.</param>
    /// <param name="limit">Page size.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    public async Task<(IReadOnlyList<LlmConfigRecord> Items, int Total)> ListAsync(Guid platformId, int page, int limit, CancellationToken cancellationToken)
    {
        await using var db = await _db.CreateDbContextAsync(cancellationToken);
        var q = db.LlmConfigs.AsNoTracking().Where(c => c.PlatformId == platformId);
        var total = await q.CountAsync(cancellationToken);
        var items = await q.OrderByDescending(c => c.CreatedAt).ThenByDescending(c => c.Id)
            .Skip((page - 1) * limit).Take(limit).ToListAsync(cancellationToken);
        return (items, total);
    }

    /// <summary>The platform's active configs, for routing (API.md §6.4 orders them).</summary>
    /// <param name="platformId">The platform.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    public async Task<IReadOnlyList<LlmConfigRecord>> ListActiveAsync(Guid platformId, CancellationToken cancellationToken)
    {
        await using var db = await _db.CreateDbContextAsync(cancellationToken);
        return await db.LlmConfigs.AsNoTracking().Where(c => c.PlatformId == platformId && c.IsActive)
            .OrderBy(c => c.Priority).ThenByDescending(c => c.IsDefault).ThenBy(c => c.CreatedAt).ThenBy(c => c.Id)
            .ToListAsync(cancellationToken);
    }

    /// <summary>Deletes a config; false when the platform has no such config. Calls already using it finish.</summary>
    /// <param name="platformId">The platform.</param>
    /// <param name="configId">The config.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    public async Task<bool> DeleteAsync(Guid platformId, Guid configId, CancellationToken cancellationToken)
    {
        await using var db = await _db.CreateDbContextAsync(cancellationToken);
        return await db.LlmConfigs.Where(c => c.Id == configId && c.PlatformId == platformId).ExecuteDeleteAsync(cancellationToken) == 1;
    }

    /// <summary>Decrypts a config's provider key (for the provider adapter only; never logged or returned).</summary>
    /// <param name="config">A stored config.</param>
    /// <returns>The key, or null when the config has none.</returns>
    public string? RevealApiKey(LlmConfigRecord config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return config.ApiKeyProtected is null ? null : _protector.Unprotect(SecretPurposes.LlmConfigApiKey, config.ApiKeyProtected);
    }

    /// <summary>Parses <see cref="LlmConfigRecord.ModelsJson"/>; null for no filter.</summary>
    /// <param name="json">The stored JSON.</param>
    public static IReadOnlyList<LlmConfigModel>? ParseModels(string? json)
    {
        if (string.IsNullOrEmpty(json))
        {
            return null;
        }

        using var doc = JsonDocument.Parse(json);
        var list = new List<LlmConfigModel>();
        foreach (var item in doc.RootElement.EnumerateArray())
        {
            var pmid = item.TryGetProperty("provider_model_id", out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;
            list.Add(new LlmConfigModel(item.GetProperty("slug").GetString()!, pmid));
        }

        return list;
    }

    /// <summary>API.md §3.2: at most a hint, <c>"…"</c> + the last 4 characters; keys shorter than 8 show only <c>"…"</c>.</summary>
    /// <param name="apiKey">The raw key, or null.</param>
    public static string? Hint(string? apiKey) => apiKey switch
    {
        null => null,
        { Length: < 8 } => "…",
        _ => "…" + apiKey[^4..],
    };

    private static string? SerializeModels(IReadOnlyList<LlmConfigModel>? models)
    {
        if (models is null)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            foreach (var m in models)
            {
                writer.WriteStartObject();
                writer.WriteString("slug", m.Slug);
                if (m.ProviderModelId is null)
                {
                    writer.WriteNull("provider_model_id");
                }
                else
                {
                    writer.WriteString("provider_model_id", m.ProviderModelId);
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }
}

/// <summary>The validated fields of <c>POST P/llm-configs</c> (API.md §4.3).</summary>
/// <param name="Provider">Provider slug.</param>
/// <param name="ApiKey">The provider key, or null (<c>mock</c> only).</param>
/// <param name="BaseUrl">Base URL override or null.</param>
/// <param name="Name">Display name.</param>
/// <param name="Priority">0–1000.</param>
/// <param name="IsDefault">Default flag.</param>
/// <param name="IsActive">Active flag.</param>
/// <param name="Models">Model filter, or null.</param>
public sealed record LlmConfigCreate(string Provider, string? ApiKey, string? BaseUrl, string Name, int Priority, bool IsDefault,
    bool IsActive, IReadOnlyList<LlmConfigModel>? Models);
