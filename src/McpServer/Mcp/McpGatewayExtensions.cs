using System.Reflection;
using Assistiv.McpServer.Auth;
using Assistiv.OAuthBroker;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using ModelContextProtocol.AspNetCore;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Assistiv.McpServer.Mcp;

/// <summary>
/// Registration and mapping of the MCP endpoint <c>/mcp</c> and <c>/mcp/{app}</c> (API.md §8) on
/// <c>ModelContextProtocol.AspNetCore</c> 2.4.0, with the gateway's HTTP deviations as middleware around <c>MapMcp</c>.
/// </summary>
internal static class McpGatewayExtensions
{
    public const string ServerName = "assistiv-gateway";
    public const string ServerTitle = "AI Gateway tool broker";

    public static WebApplicationBuilder AddMcpGateway(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<McpGatewayOptions>()
            .Configure<IConfiguration>(McpGatewayOptions.Bind)
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<McpGatewayOptions>, McpGatewayOptionsValidator>());
        services.Configure<JsonOptions>(o => o.SerializerOptions.TypeInfoResolverChain.Add(McpJsonContext.Default));

        services.AddHttpContextAccessor();
        services.TryAddSingleton<McpOriginPolicy>();
        services.TryAddSingleton<McpSessionRegistry>();
        // API.md §8.6, §9.2 step 8: changes reach open sessions (in process; across instances through PostgreSQL).
        services.TryAddSingleton<McpChangeDispatcher>();
        services.AddHostedService(static sp => sp.GetRequiredService<McpChangeDispatcher>());
        services.TryAddSingleton<PostgresMcpChangeListener>();
        services.AddHostedService(static sp => sp.GetRequiredService<PostgresMcpChangeListener>());
        services.Replace(ServiceDescriptor.Singleton<IConnectionEvents, McpConnectionEvents>());
        services.TryAddSingleton<McpRequestState>();
        services.TryAddSingleton<McpToolInvoker>();
        services.TryAddSingleton<McpToolSets>();
        // The connector catalogue and tool broker (AddConnectors) behind the MCP layer's seam.
        services.TryAddSingleton<IMcpToolBackend, CatalogueToolBackend>();

        services.AddMcpServer(o =>
            {
                o.ServerInfo = ServerInfo;
                // Declared so that tools/list and tools/call exist even for a user who sees no tool.
                o.Capabilities = new ServerCapabilities { Tools = new ToolsCapability() };
            })
            .WithHttpTransport(static _ => { });
        services.AddOptions<HttpServerTransportOptions>()
            .Configure<IOptions<McpGatewayOptions>, McpSessionRegistry, TimeProvider>(ConfigureTransport);
        return builder;
    }

    /// <summary>Before routing: Origin check, CORS, Content-Type capture (API.md §8.2, §1.6).</summary>
    public static IApplicationBuilder UseMcpGatewayEdge(this IApplicationBuilder app) => app.UseMiddleware<McpEdgeMiddleware>();

    /// <summary>After authorization and body limits: 415, app 404, tool scope, Accept and session-id rules (API.md §8.2).</summary>
    public static IApplicationBuilder UseMcpGatewayRules(this IApplicationBuilder app) =>
        app.UseMiddleware<McpToolListTriggerMiddleware>().UseMiddleware<McpRequestMiddleware>();

    public static WebApplication MapMcpGateway(this WebApplication app)
    {
        app.MapMcp("/mcp").RequireAuthorization(GatewayAuth.EndUser).WithMetadata(McpEndpointMetadata.Instance);
        app.MapMcp("/mcp/{app}").RequireAuthorization(GatewayAuth.EndUser).WithMetadata(McpEndpointMetadata.Instance);
        return app;
    }

    private static Implementation ServerInfo { get; } = new()
    {
        Name = ServerName,
        Title = ServerTitle,
        Version = typeof(McpGatewayExtensions).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.1.0",
    };

    private static void ConfigureTransport(HttpServerTransportOptions transport, IOptions<McpGatewayOptions> gateway, McpSessionRegistry sessions, TimeProvider time)
    {
        var mode = gateway.Value.SessionMode;
        transport.SessionMode = mode == McpSessionMode.Stateless ? HttpServerSessionMode.Stateless : HttpServerSessionMode.StatefulForInitializeClients;
        transport.TimeProvider = time;
        transport.ConfigureSessionOptions = (http, options, _) =>
        {
            var scope = http.Features.Get<McpRequestScope>() ?? throw new InvalidOperationException("The MCP request scope is missing; McpRequestMiddleware did not run.");
            options.ServerInfo = ServerInfo;
            options.ServerInstructions = scope.Tools.Instructions;
            // A request served statelessly shares the list's collection; a session gets its own, since the SDK subscribes
            // to its change event for list_changed (API.md §8.6).
            var stateless = mode == McpSessionMode.Stateless
                || McpProtocol.IsPerRequestEra(http.Request.Headers[McpProtocol.ProtocolVersionHeader].ToString());
            options.ToolCollection = stateless ? scope.Tools.Shared : scope.Tools.NewCollection();
            return Task.CompletedTask;
        };

        if (mode != McpSessionMode.Stateless)
        {
#pragma warning disable MCPEXP002 // RunSessionHandler is experimental; it is the one hook that sees a session begin and end.
            transport.RunSessionHandler = async (http, server, cancellationToken) =>
            {
                var id = server.SessionId;
                if (string.IsNullOrEmpty(id))
                {
                    await server.RunAsync(cancellationToken);
                    return;
                }

                var scope = http.Features.Get<McpRequestScope>() ?? throw new InvalidOperationException("The MCP request scope is missing; McpRequestMiddleware did not run.");
                var tools = server.ServerOptions.ToolCollection as McpSessionToolCollection
                    ?? throw new InvalidOperationException("A session's tool collection is not a McpSessionToolCollection.");
                sessions.Add(new McpSession(id, scope.AppFilter, scope.Key.PlatformId, scope.Key.EndUserId!.Value, scope.Key.KeyId, server, tools));
                try
                {
                    await server.RunAsync(cancellationToken);
                }
                finally
                {
                    sessions.Remove(id);
                }
            };
#pragma warning restore MCPEXP002
        }
    }
}
