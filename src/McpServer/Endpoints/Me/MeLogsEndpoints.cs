using Assistiv.McpServer.Auth;
using Assistiv.McpServer.Endpoints.Platforms;
using Assistiv.Platform.UsageLogs;

namespace Assistiv.McpServer.Endpoints.Me;

/// <summary>
/// API.md §4.10 <c>GET /v1/me/logs</c>: §4.9 restricted to the caller's end user; an <c>end_user_id</c> filter → 422.
/// </summary>
internal static class MeLogsEndpoints
{
    public static RouteGroupBuilder MapMeLogs(this RouteGroupBuilder me)
    {
        me.MapGet("/logs", ListAsync);
        return me;
    }

    private static async Task<IResult> ListAsync(HttpContext http, UsageLogQueryService logs, CancellationToken ct)
    {
        var key = http.RequireKeyPrincipal();
        var (request, error) = LogsRequest.FromQuery(http.Request.Query, allowEndUser: false);
        if (error is not null)
        {
            return error;
        }

        var own = request! with { Filter = request.Filter with { EndUserId = key.EndUserId } };
        return await LogsEndpoints.RespondAsync(key.PlatformId, own, logs, ct);
    }
}
