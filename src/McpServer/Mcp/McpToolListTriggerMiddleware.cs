using Assistiv.McpServer.Auth;

namespace Assistiv.McpServer.Mcp;

/// <summary>
/// Publishes an <see cref="McpChange"/> after a management request that changes some users' listed tools succeeded
/// (API.md §8.6: app activation and deactivation, tool-policy changes at the three levels of §8.7). It reads the
/// endpoint routing chose, by route pattern and method, so the routes' handlers stay unaware of MCP sessions; the
/// platform is the authenticated key's (docs/decisions/0083-mcp-session-notifications.md).
/// </summary>
internal sealed class McpToolListTriggerMiddleware(RequestDelegate next, McpChangeDispatcher dispatcher)
{
    private const string Platform = "/v1/platforms/{platformId}";

    public async Task InvokeAsync(HttpContext context)
    {
        await next(context);
        if (!dispatcher.Enabled || context.Response.StatusCode is < 200 or > 299
            || context.GetEndpoint() is not RouteEndpoint { RoutePattern.RawText: { } pattern }
            || context.GetKeyPrincipal() is not { } key)
        {
            return;
        }

        var change = Classify(context.Request.Method, pattern.TrimEnd('/'), key.PlatformId, context.Request.RouteValues);
        if (change is not null)
        {
            dispatcher.Publish(change);
        }
    }

    internal static McpChange? Classify(string method, string pattern, Guid platformId, RouteValueDictionary routeValues)
    {
        if (HttpMethods.IsPatch(method))
        {
            return pattern switch
            {
                Platform => McpChange.Platform(platformId),
                Platform + "/end-users/{endUserId}" when Id(routeValues, "endUserId") is { } endUser => McpChange.EndUser(platformId, endUser),
                Platform + "/api-keys/{keyId}" when Id(routeValues, "keyId") is { } keyId => McpChange.Key(platformId, keyId),
                _ => null,
            };
        }

        return (HttpMethods.IsPost(method) && pattern == Platform + "/mcp/apps") || (HttpMethods.IsDelete(method) && pattern == Platform + "/mcp/apps/{app}")
            ? McpChange.Platform(platformId)
            : null;
    }

    private static Guid? Id(RouteValueDictionary values, string name) =>
        values.TryGetValue(name, out var value) && Guid.TryParse(value as string, out var id) ? id : null;
}
