using Assistiv.McpServer.Auth;
using Assistiv.McpServer.Endpoints.OAuth;
using Assistiv.McpServer.Endpoints.Platforms;
using Assistiv.McpServer.Errors;
using Assistiv.OAuthBroker.Connections;
using Assistiv.Platform.Connections;
using Assistiv.Platform.Tenancy;

namespace Assistiv.McpServer.Endpoints.Connections;

/// <summary>
/// Connection routes: management (API.md §4.11, §2.8 rows 30–31) and self-service (§4.10, rows 37–38). Disconnects
/// follow §9.6.
/// </summary>
internal static class ConnectionsEndpoints
{
    /// <summary>Under <c>/v1/platforms/{platformId}</c> (management scope).</summary>
    public static RouteGroupBuilder MapConnections(this RouteGroupBuilder platform)
    {
        platform.MapGet("/mcp/connections", ListAsync);
        platform.MapGet("/end-users/{endUserId}/connections", ListForEndUserAsync);
        platform.MapDelete("/end-users/{endUserId}/connections/{app}", DeleteForEndUserAsync);
        return platform;
    }

    /// <summary>Under <c>/v1/me</c> (end-user keys only).</summary>
    public static RouteGroupBuilder MapMeConnections(this RouteGroupBuilder me)
    {
        me.MapGet("/connections", ListSelfAsync);
        me.MapDelete("/connections/{app}", DeleteSelfAsync);
        return me;
    }

    private static async Task<IResult> ListAsync(HttpContext http, ConnectionService connections, CancellationToken ct)
    {
        var (paging, pagingError) = Paging.From(http.Request);
        if (pagingError is not null)
        {
            return pagingError;
        }

        var q = http.Request.Query;
        string? status = null;
        if (q.TryGetValue("status", out var s))
        {
            status = s.ToString();
            if (status is not (ConnectionStatus.Connected or ConnectionStatus.NeedsReauth))
            {
                return ApiErrors.Validation("status", "'status' must be connected or needs_reauth.");
            }
        }

        Guid? endUserId = null;
        if (q.TryGetValue("end_user_id", out var e))
        {
            // DECISION: a malformed id in a filter is a query rule violation (422), docs/decisions/0045-connection-routes.md.
            if (PlatformEndpoints.ParseId(e.ToString()) is not { } id)
            {
                return ApiErrors.Validation("end_user_id", "'end_user_id' must be a UUID.");
            }

            endUserId = id;
        }

        var app = q.TryGetValue("app", out var a) ? a.ToString() : null;
        var pid = http.RequireKeyPrincipal().PlatformId;
        var (items, total) = await connections.ListAsync(pid, new ConnectionFilter(app, status, endUserId), paging.Page, paging.Limit, ct);
        return Results.Json(paging.Envelope(items.Select(ConnectionDto.From).ToList(), total), OAuthJsonContext.Default.ListEnvelopeConnectionDto);
    }

    private static async Task<IResult> ListForEndUserAsync(HttpContext http, string endUserId, EndUserService endUsers, ConnectionService connections,
        CancellationToken ct)
    {
        var (paging, pagingError) = Paging.From(http.Request);
        if (pagingError is not null)
        {
            return pagingError;
        }

        var pid = http.RequireKeyPrincipal().PlatformId;
        var id = PlatformEndpoints.ParseId(endUserId);
        if (id is null || await endUsers.FindAsync(pid, id.Value, ct) is null)
        {
            return ApiErrors.NotFound("No such end user.");
        }

        var (items, total) = await connections.ListAsync(pid, new ConnectionFilter(null, null, id), paging.Page, paging.Limit, ct);
        return Results.Json(paging.Envelope(items.Select(ConnectionDto.From).ToList(), total), OAuthJsonContext.Default.ListEnvelopeConnectionDto);
    }

    private static async Task<IResult> DeleteForEndUserAsync(HttpContext http, string endUserId, string app, EndUserService endUsers,
        ConnectionService connections, CancellationToken ct)
    {
        var pid = http.RequireKeyPrincipal().PlatformId;
        var id = PlatformEndpoints.ParseId(endUserId);
        if (id is null || await endUsers.FindAsync(pid, id.Value, ct) is null)
        {
            return ApiErrors.NotFound("No such end user.");
        }

        return await connections.DisconnectAsync(pid, id.Value, app, ct)
            ? Results.NoContent()
            : ApiErrors.NotFound("This end user has no connection to that app.");
    }

    private static async Task<IResult> ListSelfAsync(HttpContext http, ConnectionService connections, CancellationToken ct)
    {
        var key = http.RequireKeyPrincipal();
        var items = await connections.ListForSelfAsync(key.PlatformId, key.EndUserId!.Value, ct);
        return Results.Json(new DataEnvelope<SelfConnectionDto>(items.Select(SelfConnectionDto.From).ToList()),
            OAuthJsonContext.Default.DataEnvelopeSelfConnectionDto);
    }

    private static async Task<IResult> DeleteSelfAsync(HttpContext http, string app, ConnectionService connections, CancellationToken ct)
    {
        var key = http.RequireKeyPrincipal();
        return await connections.DisconnectAsync(key.PlatformId, key.EndUserId!.Value, app, ct)
            ? Results.NoContent()
            : ApiErrors.NotFound("You have no connection to that app.");
    }
}
