using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Assistiv.McpServer.Json;
using Assistiv.Platform.LlmConfigs;

namespace Assistiv.McpServer.Endpoints.Platforms;

/// <summary>
/// API.md §4.3 llm-config object. The provider key is never returned, only <c>api_key_hint</c>; <c>provider_id</c>
/// equals <c>provider</c> (the catalogue uses slugs as ids).
/// </summary>
internal sealed record LlmConfigDto(Guid Id, Guid PlatformId, string Provider, string ProviderId, string Name, string? BaseUrl,
    int Priority, bool IsDefault, bool IsActive, IReadOnlyList<LlmConfigModelDto>? Models, string? ApiKeyHint,
    LlmConfigErrorDto? LastError, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static LlmConfigDto From(LlmConfigRecord c) => new(c.Id, c.PlatformId, c.Provider, c.Provider, c.Name, c.BaseUrl, c.Priority,
        c.IsDefault, c.IsActive, LlmConfigService.ParseModels(c.ModelsJson)?.Select(m => new LlmConfigModelDto(m.Slug, m.ProviderModelId)).ToList(),
        c.ApiKeyHint, LlmConfigErrorDto.Parse(c.LastErrorJson), c.CreatedAt, c.UpdatedAt);
}

/// <summary>One entry of <c>models</c>: the slug and the upstream id override (null = the catalogue route's).</summary>
internal sealed record LlmConfigModelDto(string Slug, string? ProviderModelId);

/// <summary><c>last_error</c>: the last upstream failure seen at inference time.</summary>
internal sealed record LlmConfigErrorDto(string Code, string Message, DateTimeOffset At)
{
    /// <summary>Reads the stored <c>{"code","message","at"}</c> JSON; null when none (or unreadable).</summary>
    public static LlmConfigErrorDto? Parse(string? json)
    {
        if (string.IsNullOrEmpty(json))
        {
            return null;
        }

        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        return root.TryGetProperty("code", out var code) && root.TryGetProperty("message", out var message) && root.TryGetProperty("at", out var at)
            && DateTimeOffset.TryParse(at.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal, out var when)
            ? new LlmConfigErrorDto(code.GetString() ?? "", message.GetString() ?? "", when)
            : null;
    }
}

/// <summary>Source-generated JSON for the llm-config DTOs (same conventions as <see cref="GatewayJsonContext"/>).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    Converters = [typeof(UtcTimestampConverter)])]
[JsonSerializable(typeof(LlmConfigDto))]
[JsonSerializable(typeof(ListEnvelope<LlmConfigDto>))]
internal sealed partial class LlmConfigsJsonContext : JsonSerializerContext
{
}
