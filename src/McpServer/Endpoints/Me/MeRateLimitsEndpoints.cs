using Assistiv.McpServer.Auth;
using Assistiv.McpServer.Endpoints.Platforms;
using Assistiv.Platform.RateLimits;

namespace Assistiv.McpServer.Endpoints.Me;

/// <summary>API.md §4.10 <c>GET /v1/me/rate-limits</c>: the caller's effective limits, their sources and what remains.</summary>
internal static class MeRateLimitsEndpoints
{
    public static RouteGroupBuilder MapMeRateLimits(this RouteGroupBuilder me)
    {
        me.MapGet("/rate-limits", GetAsync);
        return me;
    }

    private static async Task<IResult> GetAsync(HttpContext http, RateLimitService limits, CancellationToken ct)
    {
        var key = http.RequireKeyPrincipal();
        var (_, effective) = await limits.ResolveAsync(key.PlatformId, key.EndUserId!.Value, ct);
        var l = effective.Limits;
        // TODO(inference): remaining = limit − units counted in the window (§7.4); nothing is counted before inference
        // exists, so it is the limit itself (null when unlimited), as API.md §4.10 states.
        var dto = new MeRateLimitsDto(l.RpmLimit, l.TpmLimit, l.RpdLimit, effective.Resolution,
            new RateLimitSourcesDto(effective.RpmSource, effective.TpmSource, effective.RpdSource),
            new RateLimitRemainingDto(l.RpmLimit, l.TpmLimit, l.RpdLimit));
        return Results.Json(dto, RateLimitsJsonContext.Default.MeRateLimitsDto);
    }
}
