using System.Text.Json.Serialization;
using Assistiv.McpServer.Endpoints.Health;
using Assistiv.McpServer.Endpoints.Me;
using Assistiv.McpServer.Endpoints.Platforms;
using Assistiv.McpServer.Errors;

namespace Assistiv.McpServer.Json;

/// <summary>
/// The host's source-generated JSON context (STYLE.md §4): snake_case names, nulls written (they are part of the
/// contract, API.md §0.1), timestamps as RFC 3339 UTC with milliseconds.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    Converters = [typeof(UtcTimestampConverter)])]
[JsonSerializable(typeof(ErrorEnvelope))]
[JsonSerializable(typeof(HealthResponse))]
[JsonSerializable(typeof(ReadyResponse))]
[JsonSerializable(typeof(PlatformDto))]
[JsonSerializable(typeof(ApiKeyDto))]
[JsonSerializable(typeof(ApiKeyCreatedDto))]
[JsonSerializable(typeof(ListEnvelope<ApiKeyDto>))]
[JsonSerializable(typeof(EndUserDto))]
[JsonSerializable(typeof(EndUserCreatedDto))]
[JsonSerializable(typeof(ListEnvelope<EndUserDto>))]
[JsonSerializable(typeof(McpAppDto))]
[JsonSerializable(typeof(McpAppDetailDto))]
[JsonSerializable(typeof(DataEnvelope<McpAppDto>))]
[JsonSerializable(typeof(MeDto))]
[JsonSerializable(typeof(McpConfigDto))]
internal sealed partial class GatewayJsonContext : JsonSerializerContext
{
}
