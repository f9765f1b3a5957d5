using Assistiv.McpServer.Auth;
using Assistiv.McpServer.Idempotency;
using Assistiv.McpServer.Json;
using Assistiv.Platform.UsageLogs;

namespace Assistiv.McpServer.Endpoints.Platforms;

/// <summary>
/// API.md §4.9 <c>GET P/logs</c> (cursor) and its §4.13 alias <c>POST P/logs/search</c> with the filters in a JSON body
/// (a read: <c>Idempotency-Key</c> is ignored).
/// </summary>
internal static class LogsEndpoints
{
    public static RouteGroupBuilder MapLogs(this RouteGroupBuilder platform)
    {
        platform.MapGet("/logs", ListAsync);
        platform.MapPost("/logs/search", SearchAsync).WithMetadata(IdempotentRouteMetadata.Ignored);
        return platform;
    }

    private static async Task<IResult> ListAsync(HttpContext http, UsageLogQueryService logs, CancellationToken ct)
    {
        var (request, error) = LogsRequest.FromQuery(http.Request.Query, allowEndUser: true);
        return error ?? await RespondAsync(http.RequireKeyPrincipal().PlatformId, request!, logs, ct);
    }

    private static async Task<IResult> SearchAsync(HttpContext http, UsageLogQueryService logs, CancellationToken ct)
    {
        var (body, bodyError) = await JsonBody.ReadObjectAsync(http.Request, ct);
        if (bodyError is not null)
        {
            return bodyError;
        }

        var (request, error) = LogsRequest.FromBody(body);
        return error ?? await RespondAsync(http.RequireKeyPrincipal().PlatformId, request!, logs, ct);
    }

    /// <summary>Runs the search and writes the §0.2 envelope (shared with <c>/v1/me/logs</c>).</summary>
    public static async Task<IResult> RespondAsync(Guid platformId, LogsRequest request, UsageLogQueryService logs, CancellationToken ct)
    {
        var page = await logs.SearchAsync(platformId, request.Filter, request.Page, request.Limit, request.Cursor, ct);
        var items = new List<UsageLogDto>(page.Items.Count);
        foreach (var row in page.Items)
        {
            items.Add(UsageLogDto.From(row));
        }

        return Results.Json(request.Envelope(items, page), LogsJsonContext.Default.ListEnvelopeUsageLogDto);
    }
}
