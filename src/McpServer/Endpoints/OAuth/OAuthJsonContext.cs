using System.Text.Json.Serialization;
using Assistiv.McpServer.Endpoints.Connections;
using Assistiv.McpServer.Endpoints.Platforms;
using Assistiv.McpServer.Json;

namespace Assistiv.McpServer.Endpoints.OAuth;

/// <summary>
/// Source-generated JSON of the OAuth and connection routes, with the host's conventions (snake_case, nulls written,
/// RFC 3339 UTC timestamps with milliseconds; API.md §0.1).
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    Converters = [typeof(UtcTimestampConverter)])]
[JsonSerializable(typeof(AuthorizeUrlDto))]
[JsonSerializable(typeof(ConnectionDto))]
[JsonSerializable(typeof(ListEnvelope<ConnectionDto>))]
[JsonSerializable(typeof(DataEnvelope<SelfConnectionDto>))]
internal sealed partial class OAuthJsonContext : JsonSerializerContext
{
}
