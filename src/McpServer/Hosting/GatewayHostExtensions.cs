using Assistiv.McpServer.Auth;
using Assistiv.McpServer.Endpoints.Platforms;
using Assistiv.McpServer.Endpoints.OAuth;
using Assistiv.McpServer.Errors;
using Assistiv.McpServer.Idempotency;
using Assistiv.McpServer.Json;
using Assistiv.McpServer.Mcp;
using Assistiv.McpServer.Observability;
using Assistiv.Platform.Keys;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Configuration.Memory;

namespace Assistiv.McpServer.Hosting;

/// <summary>Host composition: authentication, error shape, JSON, and the middleware order of STYLE.md §2.8.</summary>
internal static class GatewayHostExtensions
{
    /// <summary>
    /// Logging levels that apply when no configuration source names them (decisions 0076, 0086). Without them the host logs
    /// every SQL statement, routing step and MCP SDK handler call at Information: about 30 console lines per
    /// <c>tools/call</c>, measured at roughly 0.9 ms of CPU per call in bench/README.md. ASP.NET's two request lines per
    /// request are off too: the gateway writes one of its own (<see cref="Observability.HttpMetricsMiddleware"/>).
    /// </summary>
    internal static readonly IReadOnlyDictionary<string, string?> LoggingDefaults = new Dictionary<string, string?>(StringComparer.Ordinal)
    {
        ["Logging:LogLevel:Default"] = "Information",
        ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
        ["Logging:LogLevel:Microsoft.EntityFrameworkCore"] = "Warning",
        // The SDK's handler-failure lines quote client input verbatim (a tools/call name with line breaks or a key in it):
        // the gateway logs its own tool failures, so the SDK logs only what is critical (decision 0086).
        ["Logging:LogLevel:ModelContextProtocol"] = "Critical",
        // ASP.NET's authentication base class logs "not authenticated / challenged / forbidden" at Information for every
        // refused key; the request line already says 401 or 403.
        ["Logging:LogLevel:Assistiv.McpServer.Auth.ApiKeyAuthenticationHandler"] = "Warning",
    };

    public static WebApplicationBuilder AddGatewayHost(this WebApplicationBuilder builder)
    {
        // Below every other source, so appsettings, environment variables (Logging__LogLevel__…) and the command line win.
        builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource { InitialData = LoggingDefaults });
        var services = builder.Services;
        var urls = builder.Configuration["Gateway:ListenUrls"];
        if (string.IsNullOrWhiteSpace(builder.Configuration[WebHostDefaults.ServerUrlsKey]))
        {
            builder.WebHost.UseUrls(string.IsNullOrWhiteSpace(urls) ? "http://127.0.0.1:8080" : urls);
        }

        // The inference limit is the largest; the middleware narrows it per route family (API.md §12).
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = BodySizeLimitMiddleware.InferenceLimit);

        services.Configure<JsonOptions>(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, GatewayJsonContext.Default));
        services.Configure<JsonOptions>(o =>
        {
            o.SerializerOptions.TypeInfoResolverChain.Add(LlmConfigsJsonContext.Default);
            o.SerializerOptions.TypeInfoResolverChain.Add(RateLimitsJsonContext.Default);
            o.SerializerOptions.TypeInfoResolverChain.Add(LogsJsonContext.Default);
            o.SerializerOptions.TypeInfoResolverChain.Add(Endpoints.Platforms.BudgetsJsonContext.Default);
        });
        services.Configure<JsonOptions>(o => o.SerializerOptions.TypeInfoResolverChain.Add(OAuthJsonContext.Default));
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.AddExceptionHandler<GatewayExceptionHandler>();
        services.AddSensitiveQueryLogRedaction();
        services.AddProblemDetails();

        services.AddAuthentication(GatewayAuth.Scheme)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(GatewayAuth.Scheme, null);
        services.AddSingleton<IAuthorizationHandler, GatewayAccessHandler>();
        services.AddAuthorizationBuilder()
            .AddPolicy(GatewayAuth.PlatformManagement, p => p.RequireAuthenticatedUser().AddRequirements(new GatewayAccessRequirement(true, false, KeyScopes.Management)))
            .AddPolicy(GatewayAuth.PlatformAdmin, p => p.RequireAuthenticatedUser().AddRequirements(new GatewayAccessRequirement(true, false, KeyScopes.Admin)))
            .AddPolicy(GatewayAuth.EndUser, p => p.RequireAuthenticatedUser().AddRequirements(new GatewayAccessRequirement(false, true, KeyScopes.None)))
            .AddPolicy(GatewayAuth.AnyInference, p => p.RequireAuthenticatedUser().AddRequirements(new GatewayAccessRequirement(true, true, KeyScopes.Inference)));
        return builder;
    }

    /// <summary>Composes the inner projects' services (connectors, OAuth broker, MCP).</summary>
    public static WebApplicationBuilder AddGatewayServices(this WebApplicationBuilder builder)
    {
        // IAccessTokenSource, IConnectLinkIssuer and IConnectionRevoker come from AddOAuthBroker() (Program.cs).
        builder.AddConnectors();
        builder.Services.AddSingleton<Endpoints.Platforms.IToolNames, CatalogueToolNames>();
        builder.AddInference();
        return builder;
    }

    public static WebApplication UseGatewayPipeline(this WebApplication app)
    {
        app.UseMiddleware<RequestIdMiddleware>();
        app.UseGatewayHttpMetrics();
        app.UseExceptionHandler();
        app.UseStatusCodePages(WriteEmptyStatusAsync);
        // API.md §2.6, §8.2: the /mcp* Origin check runs before routing answers 405 and before authentication; §1.6: so do
        // the CORS preflights of the browser routes.
        app.UseMcpGatewayEdge();
        app.UseMiddleware<BrowserCorsMiddleware>();
        app.UseRouting();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseMiddleware<BodySizeLimitMiddleware>();
        app.UseMiddleware<SettledReadsMiddleware>();
        // API.md §2.6: idempotency after the key, scope and body-size checks, before the handler parses JSON.
        app.UseMiddleware<IdempotencyMiddleware>();
        app.UseMcpGatewayRules();
        return app;
    }

    /// <summary>Adds the envelope to bodiless 4xx/5xx answers from routing and the framework (404, 405, …).</summary>
    private static Task WriteEmptyStatusAsync(StatusCodeContext context)
    {
        var http = context.HttpContext;
        var status = http.Response.StatusCode;
        ApiErrorResult error = status switch
        {
            401 => http.GetAuthFailure() ?? ApiErrors.MissingApiKey(),
            403 => http.GetAuthFailure() ?? ApiErrors.Forbidden("Forbidden."),
            404 => ApiErrors.NotFound("No such route."),
            405 => ApiErrors.MethodNotAllowed(http.Response.Headers.Allow.ToString() is { Length: > 0 } allow ? allow : null),
            413 => ApiErrors.PayloadTooLarge(),
            415 => ApiErrors.UnsupportedMediaType(),
            >= 500 => ApiErrors.Internal(),
            _ => new ApiErrorResult(status, "invalid_request_error", "invalid_request", "The request was rejected."),
        };
        return error.ExecuteAsync(http);
    }

    private sealed class CatalogueToolNames(Assistiv.Connectors.Catalogue.ConnectorCatalogue catalogue) : Endpoints.Platforms.IToolNames
    {
        public bool IsTool(string name) => catalogue.ToolsByName.ContainsKey(name);

        public bool IsApp(string app) => catalogue.AppsById.ContainsKey(app);
    }
}
