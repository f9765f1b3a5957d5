using Assistiv.McpServer.Errors;
using Assistiv.Platform.Keys;
using Microsoft.AspNetCore.Authorization;

namespace Assistiv.McpServer.Auth;

/// <summary>
/// One requirement per route family, checked in the order of API.md §2.6: key type (403 <c>wrong_key_type</c>) → end
/// user inactive (403 <c>forbidden</c>) → platform match of the <c>{platformId}</c> route value and of
/// <c>X-Assistiv-Platform-Id</c> (403 <c>forbidden</c>) → scope (403 <c>forbidden</c>).
/// </summary>
/// <param name="AllowPlatformKey">Whether <c>sk-plat_</c> keys may use the route.</param>
/// <param name="AllowEndUserKey">Whether <c>sk-eu_</c> keys may use the route.</param>
/// <param name="Scope">The scope a platform key needs.</param>
internal sealed record GatewayAccessRequirement(bool AllowPlatformKey, bool AllowEndUserKey, KeyScopes Scope) : IAuthorizationRequirement;

internal sealed class GatewayAccessHandler : AuthorizationHandler<GatewayAccessRequirement>
{
    public const string PlatformHeader = "X-Assistiv-Platform-Id";

    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, GatewayAccessRequirement requirement)
    {
        if (context.Resource is not HttpContext http || http.GetKeyPrincipal() is not { } key)
        {
            return Task.CompletedTask;
        }

        var failure = Check(http, key, requirement);
        if (failure is null)
        {
            context.Succeed(requirement);
        }
        else
        {
            http.SetAuthFailure(failure);
            context.Fail();
        }

        return Task.CompletedTask;
    }

    internal static ApiErrorResult? Check(HttpContext http, KeyPrincipal key, GatewayAccessRequirement requirement)
    {
        var isPlatform = key.Type == ApiKeyType.Platform;
        if (isPlatform && !requirement.AllowPlatformKey)
        {
            return ApiErrors.WrongKeyType("This route needs an end-user key (sk-eu_…), not a platform key.");
        }

        if (!isPlatform && !requirement.AllowEndUserKey)
        {
            return ApiErrors.WrongKeyType("This route needs a platform key (sk-plat_…), not an end-user key.");
        }

        if (!isPlatform && !key.EndUserIsActive)
        {
            return ApiErrors.Forbidden("This end user is deactivated.");
        }

        if (http.Request.RouteValues.TryGetValue("platformId", out var routePid)
            && (!Guid.TryParse(routePid as string, out var pid) || pid != key.PlatformId))
        {
            return ApiErrors.Forbidden("This key belongs to another platform.");
        }

        if (http.Request.Headers.TryGetValue(PlatformHeader, out var header)
            && (!Guid.TryParse(header.ToString(), out var hid) || hid != key.PlatformId))
        {
            return ApiErrors.Forbidden($"{PlatformHeader} does not match the key's platform.");
        }

        if (isPlatform && (key.Scopes & requirement.Scope) != requirement.Scope)
        {
            return ApiErrors.Forbidden($"This key lacks the '{ScopeName(requirement.Scope)}' scope.");
        }

        return null;
    }

    private static string ScopeName(KeyScopes scope) => scope switch
    {
        KeyScopes.Admin => "admin",
        KeyScopes.Inference => "inference",
        _ => "management",
    };
}
