using Assistiv.OAuthBroker.Connections;

namespace Assistiv.McpServer.Endpoints.Connections;

/// <summary>The connection object of API.md §4.11 (never tokens).</summary>
internal sealed record ConnectionDto(
    Guid Id,
    Guid PlatformId,
    Guid EndUserId,
    string App,
    string Status,
    string? AccountLabel,
    IReadOnlyList<string> GrantedScopes,
    IReadOnlyDictionary<string, string> Settings,
    DateTimeOffset ConnectedAt,
    DateTimeOffset? TokenExpiresAt,
    DateTimeOffset? LastRefreshedAt,
    DateTimeOffset? LastUsedAt,
    ConnectionErrorDto? LastError)
{
    public static ConnectionDto From(ConnectionView v) => new(v.Id, v.PlatformId, v.EndUserId, v.App, v.Status, v.AccountLabel, v.GrantedScopes,
        v.Settings, v.ConnectedAt, v.TokenExpiresAt, v.LastRefreshedAt, v.LastUsedAt,
        v.LastError is { } e ? new ConnectionErrorDto(e.Code, e.Message, e.At) : null);
}

/// <summary><c>last_error</c>: <c>{"code","message","at"}</c>.</summary>
internal sealed record ConnectionErrorDto(string Code, string Message, DateTimeOffset At);

/// <summary>One entry of <c>GET /v1/me/connections</c> (API.md §4.10).</summary>
internal sealed record SelfConnectionDto(
    string App,
    string Name,
    string Status,
    string? AccountLabel,
    IReadOnlyList<string>? GrantedScopes,
    DateTimeOffset? ConnectedAt,
    DateTimeOffset? LastUsedAt,
    string ConnectUrl)
{
    public static SelfConnectionDto From(SelfConnectionView v) =>
        new(v.App, v.Name, v.Status, v.AccountLabel, v.GrantedScopes, v.ConnectedAt, v.LastUsedAt, v.ConnectUrl.AbsoluteUri);
}
