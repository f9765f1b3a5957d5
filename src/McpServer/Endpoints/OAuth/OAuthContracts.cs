namespace Assistiv.McpServer.Endpoints.OAuth;

/// <summary>API.md §9.1: the JSON form of <c>GET /oauth/authorize</c> (<c>Accept: application/json</c>).</summary>
internal sealed record AuthorizeUrlDto(string Url, DateTimeOffset StateExpiresAt);
