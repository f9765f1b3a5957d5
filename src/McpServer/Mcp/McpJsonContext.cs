using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Assistiv.McpServer.Mcp;

/// <summary>Source-generated JSON for the MCP layer's own payloads (snake_case, like the gateway's wire names).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(McpRequestStatePayload))]
[JsonSerializable(typeof(JsonObject))]
internal sealed partial class McpJsonContext : JsonSerializerContext
{
}
