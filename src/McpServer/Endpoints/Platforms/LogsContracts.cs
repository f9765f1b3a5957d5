using System.Text.Json;
using System.Text.Json.Serialization;
using Assistiv.McpServer.Json;
using Assistiv.Platform.UsageLogs;

namespace Assistiv.McpServer.Endpoints.Platforms;

/// <summary>
/// API.md §4.9 log row. Cost fields are decimal strings with exactly 6 decimals; <c>model</c> and <c>model_id</c> are both
/// the requested slug; prompts and completions are never stored.
/// </summary>
internal sealed record UsageLogDto(
    Guid Id,
    string RequestId,
    Guid PlatformId,
    Guid? EndUserId,
    Guid? ApiKeyId,
    string RequestType,
    string? Model,
    string? ModelId,
    string? ProviderId,
    Guid? LlmConfigId,
    string? ProviderModelId,
    int? PromptTokens,
    int? CompletionTokens,
    int? TotalTokens,
    int? CachedTokens,
    long LatencyMs,
    long? TimeToFirstTokenMs,
    bool Stream,
    string EstimatedCostUsd,
    string BilledUsd,
    string Status,
    int? HttpStatus,
    string? ErrorCode,
    string? ErrorMessage,
    string? TokenCountMethod,
    string BillingStatus,
    string? ResponseId,
    string? McpApp,
    string? McpTool,
    int FallbackCount,
    JsonElement Metadata,
    DateTimeOffset CreatedAt)
{
    public static UsageLogDto From(UsageLogRecord l) => new(l.Id, l.RequestId, l.PlatformId, l.EndUserId, l.ApiKeyId, l.RequestType,
        l.Model, l.Model, l.ProviderId, l.LlmConfigId, l.ProviderModelId, l.PromptTokens, l.CompletionTokens, l.TotalTokens, l.CachedTokens,
        l.LatencyMs, l.TimeToFirstTokenMs, l.Stream, new MicroUsd(l.EstimatedCostMicros).ToString(), new MicroUsd(l.BilledMicros).ToString(),
        l.Status, l.HttpStatus, l.ErrorCode, l.ErrorMessage, l.TokenCountMethod, l.BillingStatus, l.ResponseId, l.McpApp, l.McpTool,
        l.FallbackCount, ParseMetadata(l.MetadataJson), l.CreatedAt);

    private static JsonElement ParseMetadata(string json)
    {
        using var doc = JsonDocument.Parse(string.IsNullOrEmpty(json) ? "{}" : json);
        return doc.RootElement.Clone();
    }
}

/// <summary>Source-generated JSON for the log DTOs (same conventions as <see cref="GatewayJsonContext"/>).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    Converters = [typeof(UtcTimestampConverter)])]
[JsonSerializable(typeof(UsageLogDto))]
[JsonSerializable(typeof(ListEnvelope<UsageLogDto>))]
internal sealed partial class LogsJsonContext : JsonSerializerContext
{
}
