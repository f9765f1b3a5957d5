using Assistiv.McpServer.Auth;
using Assistiv.McpServer.Errors;
using Assistiv.McpServer.Json;
using Assistiv.Platform.RateLimits;
using Assistiv.Platform.Tenancy;

namespace Assistiv.McpServer.Endpoints.Platforms;

/// <summary>
/// API.md §4.8 rate-limit configuration: the platform default (<c>GET</c> management, <c>PUT</c> admin) and per-end-user
/// overrides (<c>GET/PUT/DELETE</c>, plus the §4.13 aliases <c>POST</c> ≡ <c>PUT</c> and <c>PATCH</c> = merge).
/// </summary>
internal static class RateLimitsEndpoints
{
    public static RouteGroupBuilder MapRateLimits(this RouteGroupBuilder platform)
    {
        platform.MapGet("/rate-limits", GetDefaultAsync);
        platform.MapPut("/rate-limits", PutDefaultAsync).RequireAuthorization(GatewayAuth.PlatformAdmin);
        platform.MapGet("/end-users/{endUserId}/rate-limits", GetOverrideAsync);
        platform.MapPut("/end-users/{endUserId}/rate-limits", ReplaceOverrideAsync);
        platform.MapPost("/end-users/{endUserId}/rate-limits", ReplaceOverrideAsync);
        platform.MapPatch("/end-users/{endUserId}/rate-limits", MergeOverrideAsync);
        platform.MapDelete("/end-users/{endUserId}/rate-limits", DeleteOverrideAsync);
        return platform;
    }

    private static async Task<IResult> GetDefaultAsync(HttpContext http, RateLimitService limits, CancellationToken ct)
    {
        var stored = await limits.GetPlatformDefaultAsync(http.RequireKeyPrincipal().PlatformId, ct);
        return Results.Json(RateLimitsDto.From(stored), RateLimitsJsonContext.Default.RateLimitsDto);
    }

    private static async Task<IResult> PutDefaultAsync(HttpContext http, RateLimitService limits, CancellationToken ct)
    {
        var (body, error) = await JsonBody.ReadObjectAsync(http.Request, ct);
        if (error is not null)
        {
            return error;
        }

        var f = new FieldReader(body);
        var (set, _) = RateLimitsReader.Read(f, body);
        if (f.Error is not null)
        {
            return f.Error;
        }

        var stored = await limits.SetPlatformDefaultAsync(http.RequireKeyPrincipal().PlatformId, set, ct);
        return Results.Json(RateLimitsDto.From(stored), RateLimitsJsonContext.Default.RateLimitsDto);
    }

    private static async Task<IResult> GetOverrideAsync(HttpContext http, string endUserId, EndUserService endUsers, RateLimitService limits, CancellationToken ct)
    {
        var pid = http.RequireKeyPrincipal().PlatformId;
        var id = PlatformEndpoints.ParseId(endUserId);
        if (id is null || await endUsers.FindAsync(pid, id.Value, ct) is null)
        {
            return ApiErrors.NotFound("No such end user.");
        }

        return await DescribeAsync(pid, id.Value, limits, ct);
    }

    private static Task<IResult> ReplaceOverrideAsync(HttpContext http, string endUserId, EndUserService endUsers, RateLimitService limits, CancellationToken ct) =>
        SetOverrideAsync(http, endUserId, endUsers, limits, merge: false, ct);

    private static Task<IResult> MergeOverrideAsync(HttpContext http, string endUserId, EndUserService endUsers, RateLimitService limits, CancellationToken ct) =>
        SetOverrideAsync(http, endUserId, endUsers, limits, merge: true, ct);

    private static async Task<IResult> SetOverrideAsync(HttpContext http, string endUserId, EndUserService endUsers, RateLimitService limits,
        bool merge, CancellationToken ct)
    {
        // API.md §2.6: JSON (400) → validation (422) → resource lookup (404).
        var (body, error) = await JsonBody.ReadObjectAsync(http.Request, ct);
        if (error is not null)
        {
            return error;
        }

        var f = new FieldReader(body);
        var (set, given) = RateLimitsReader.Read(f, body);
        if (f.Error is not null)
        {
            return f.Error;
        }

        var pid = http.RequireKeyPrincipal().PlatformId;
        var id = PlatformEndpoints.ParseId(endUserId);
        if (id is null || await endUsers.FindAsync(pid, id.Value, ct) is null)
        {
            return ApiErrors.NotFound("No such end user.");
        }

        await limits.SetOverrideAsync(pid, id.Value, set, merge, given, ct);
        return await DescribeAsync(pid, id.Value, limits, ct);
    }

    private static async Task<IResult> DeleteOverrideAsync(HttpContext http, string endUserId, EndUserService endUsers, RateLimitService limits, CancellationToken ct)
    {
        var pid = http.RequireKeyPrincipal().PlatformId;
        var id = PlatformEndpoints.ParseId(endUserId);
        if (id is null || await endUsers.FindAsync(pid, id.Value, ct) is null)
        {
            return ApiErrors.NotFound("No such end user.");
        }

        // API.md §4.8: 204 whether or not an override existed.
        await limits.DeleteOverrideAsync(pid, id.Value, ct);
        return Results.NoContent();
    }

    private static async Task<IResult> DescribeAsync(Guid platformId, Guid endUserId, RateLimitService limits, CancellationToken ct)
    {
        var (stored, effective) = await limits.ResolveAsync(platformId, endUserId, ct);
        var dto = new EndUserRateLimitsDto(endUserId, stored is null ? null : RateLimitsDto.From(stored), EffectiveRateLimitsDto.From(effective));
        return Results.Json(dto, RateLimitsJsonContext.Default.EndUserRateLimitsDto);
    }
}
