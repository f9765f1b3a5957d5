using Assistiv.McpServer.Auth;
using Assistiv.McpServer.Endpoints.Connections;
using Assistiv.McpServer.Endpoints.Me;
using Assistiv.McpServer.Endpoints.Platforms;
using Assistiv.McpServer.Idempotency;

namespace Assistiv.McpServer.Endpoints;

/// <summary>Maps the REST families: platform management (API.md §4) and self-service (§4.10).</summary>
internal static class GatewayEndpoints
{
    public static WebApplication MapPlatformsApi(this WebApplication app)
    {
        var platform = app.MapGroup("/v1/platforms/{platformId}").RequireAuthorization(GatewayAuth.PlatformManagement)
            .WithMetadata(IdempotentRouteMetadata.Applies);
        platform.MapPlatform();
        platform.MapApiKeys();
        platform.MapEndUsers();
        platform.MapBootstrap();
        platform.MapLlmConfigs();
        platform.MapRateLimits();
        platform.MapLogs();
        platform.MapBudgets();
        platform.MapWallet();
        platform.MapMcpApps();
        platform.MapConnections();
        return app;
    }

    public static WebApplication MapMeApi(this WebApplication app)
    {
        var me = app.MapGroup("/v1/me").RequireAuthorization(GatewayAuth.EndUser);
        me.MapMe();
        me.MapMeRateLimits();
        me.MapMeLogs();
        me.MapMeBudget();
        me.MapMeConnections();
        return app;
    }
}
