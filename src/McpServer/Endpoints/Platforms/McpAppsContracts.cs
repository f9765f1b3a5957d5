using System.Text.Json;
using System.Text.Json.Serialization;

namespace Assistiv.McpServer.Endpoints.Platforms;

/// <summary>API.md §4.11 app object.</summary>
internal sealed record McpAppDto(string App, string Name, bool Activated, int ToolCount, IReadOnlyList<string> Scopes,
    IReadOnlyList<string> DefaultScopes, bool Pkce, string? ClientId, string RedirectUri, string? RedirectBaseUrl,
    JsonElement Settings, int ConnectedUsers, DateTimeOffset? ActivatedAt, DateTimeOffset? UpdatedAt);

/// <summary>API.md §4.11 <c>GET P/mcp/apps/{app}</c>: the app object plus its tools.</summary>
internal sealed record McpAppDetailDto(string App, string Name, bool Activated, int ToolCount, IReadOnlyList<string> Scopes,
    IReadOnlyList<string> DefaultScopes, bool Pkce, string? ClientId, string RedirectUri, string? RedirectBaseUrl,
    JsonElement Settings, int ConnectedUsers, DateTimeOffset? ActivatedAt, DateTimeOffset? UpdatedAt, IReadOnlyList<McpToolDto> Tools);

/// <summary>A tool as listed by the app detail route (MCP field names inside <c>annotations</c>).</summary>
internal sealed record McpToolDto(string Name, string Title, string Description, McpToolAnnotationsDto Annotations);

/// <summary>MCP tool annotations; names keep MCP's camelCase (API.md §0.1).</summary>
internal sealed record McpToolAnnotationsDto(
    [property: JsonPropertyName("title")] string Title,
    [property: JsonPropertyName("readOnlyHint")] bool ReadOnlyHint,
    [property: JsonPropertyName("destructiveHint")] bool DestructiveHint,
    [property: JsonPropertyName("idempotentHint")] bool IdempotentHint,
    [property: JsonPropertyName("openWorldHint")] bool OpenWorldHint);
