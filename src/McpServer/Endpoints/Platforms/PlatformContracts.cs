using System.Text.Json;
using Assistiv.McpServer.Json;
using Assistiv.Platform.Keys;
using Assistiv.Platform.Tenancy;

namespace Assistiv.McpServer.Endpoints.Platforms;

/// <summary>API.md §4.1 platform object.</summary>
internal sealed record PlatformDto(Guid Id, string Name, string Slug, PlatformSettingsDto Settings, bool IsActive, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static PlatformDto From(PlatformRecord p) => new(p.Id, p.Name, p.Slug,
        new PlatformSettingsDto(MicroUsd.From(p.DefaultBudgetMicros), p.MarkupPercentage / 1.000000000000000000000000000000000m, ToolPolicyJson.Parse(p.ToolPolicyJson)),
        p.IsActive, p.CreatedAt, p.UpdatedAt);
}

internal sealed record PlatformSettingsDto(MicroUsd? DefaultBudgetUsd, decimal MarkupPercentage, ToolPolicy ToolPolicy);

/// <summary>API.md §4.2 key object.</summary>
internal sealed record ApiKeyDto(Guid Id, Guid PlatformId, string Type, Guid? EndUserId, string KeyPrefix, string? Name,
    IReadOnlyList<string> Scopes, ToolPolicy? ToolPolicy, bool IsActive, DateTimeOffset? LastUsedAt, DateTimeOffset? ExpiresAt,
    DateTimeOffset? RevokedAt, DateTimeOffset CreatedAt)
{
    public static ApiKeyDto From(ApiKeyRecord k) => new(k.Id, k.PlatformId, k.Type == ApiKeyType.Platform ? "platform" : "end_user",
        k.EndUserId, k.KeyPrefix, k.Name, KeyScopeNames.Split(k.Scopes),
        k.Type == ApiKeyType.EndUser ? ToolPolicyJson.Parse(k.ToolPolicyJson) : null,
        k.IsActive, k.LastUsedAt, k.ExpiresAt, k.RevokedAt, k.CreatedAt);
}

/// <summary>API.md §4.2 creation response: the key object plus <c>raw_key</c> (shown once).</summary>
internal sealed record ApiKeyCreatedDto(Guid Id, Guid PlatformId, string Type, Guid? EndUserId, string KeyPrefix, string? Name,
    IReadOnlyList<string> Scopes, ToolPolicy? ToolPolicy, bool IsActive, DateTimeOffset? LastUsedAt, DateTimeOffset? ExpiresAt,
    DateTimeOffset? RevokedAt, DateTimeOffset CreatedAt, string RawKey)
{
    public static ApiKeyCreatedDto From(ApiKeyRecord k, string raw)
    {
        var d = ApiKeyDto.From(k);
        return new(d.Id, d.PlatformId, d.Type, d.EndUserId, d.KeyPrefix, d.Name, d.Scopes, d.ToolPolicy, d.IsActive,
            d.LastUsedAt, d.ExpiresAt, d.RevokedAt, d.CreatedAt, raw);
    }
}

/// <summary>API.md §4.4 end-user object.</summary>
internal sealed record EndUserDto(Guid Id, Guid PlatformId, string ExternalId, string? DisplayName, JsonElement Metadata,
    ToolPolicy ToolPolicy, bool IsActive, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static EndUserDto From(EndUserRecord u) => new(u.Id, u.PlatformId, u.ExternalId, u.DisplayName,
        JsonDocument.Parse(u.MetadataJson).RootElement.Clone(), ToolPolicyJson.Parse(u.ToolPolicyJson), u.IsActive, u.CreatedAt, u.UpdatedAt);
}

/// <summary>API.md §4.4 create response: the end user plus its fresh key.</summary>
internal sealed record EndUserCreatedDto(Guid Id, Guid PlatformId, string ExternalId, string? DisplayName, JsonElement Metadata,
    ToolPolicy ToolPolicy, bool IsActive, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, EndUserKeyDto ApiKey)
{
    public static EndUserCreatedDto From(EndUserRecord u, ApiKeyRecord k, string raw)
    {
        var d = EndUserDto.From(u);
        return new(d.Id, d.PlatformId, d.ExternalId, d.DisplayName, d.Metadata, d.ToolPolicy, d.IsActive, d.CreatedAt, d.UpdatedAt,
            new EndUserKeyDto(k.Id, k.KeyPrefix, raw, KeyScopeNames.Split(k.Scopes), k.ExpiresAt, k.CreatedAt));
    }
}

internal sealed record EndUserKeyDto(Guid Id, string KeyPrefix, string RawKey, IReadOnlyList<string> Scopes, DateTimeOffset? ExpiresAt, DateTimeOffset CreatedAt);
