using System.Net;
using Assistiv.Connectors.Catalogue;
using Assistiv.Connectors.GitHub;
using Assistiv.Connectors.Mock;
using Assistiv.Connectors.Registry;
using Assistiv.Platform.Connections;
using Assistiv.Platform.Metering;
using Assistiv.Platform.Network;
using Assistiv.Platform.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.Hosting;

/// <summary>Registers the connector catalogue, the tool broker and the connectors (DESIGN.md: <c>src/Connectors</c>).</summary>
public static class ConnectorsHostBuilderExtensions
{
    /// <summary>
    /// Adds the <see cref="ConnectorCatalogue"/> (loaded from <c>connectors.json</c> once, validated at start-up), the
    /// <see cref="ToolBroker"/>, the GitHub and mock connectors and their HTTP clients. Uses <c>TryAdd</c> throughout, so a
    /// test that registers its own <see cref="TimeProvider"/> or catalogue first keeps it. The host must also register
    /// platform storage (<c>IDbContextFactory&lt;PlatformDbContext&gt;</c>), the <see cref="IToolCallMeter"/>
    /// (<c>AddPlatform</c> registers the metered one) and the OAuth broker's <see cref="IAccessTokenSource"/> and
    /// <see cref="IConnectLinkIssuer"/>.
    /// </summary>
    /// <param name="builder">The host builder.</param>
    /// <returns>The builder.</returns>
    /// <remarks>
    /// Configuration read (API.md §1.3): <c>Gateway:ConnectorsFile</c>, <c>Gateway:EnableMockApps</c>,
    /// <c>Gateway:Apps:{app}:AuthorizeUrl|TokenUrl|ApiBaseUrl|RevokeUrl</c>, <c>Gateway:Mcp:FreeCallsPerMonth</c>,
    /// <c>Gateway:Network:AllowPrivateTargets</c>. A bad catalogue stops the host at start with every error listed
    /// (<see cref="ConnectorCatalogueException"/>).
    /// </remarks>
    public static IHostApplicationBuilder AddConnectors(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.TryAddSingleton<ToolCallMetrics>();

        var contentRoot = builder.Environment.ContentRootPath;
        services.TryAddSingleton(sp => ConnectorCatalogue.Load(sp.GetRequiredService<Configuration.IConfiguration>(), contentRoot));

        services.AddOptions<OutboundGuardOptions>().BindConfiguration(OutboundGuardOptions.Section);
        services.AddOptions<McpMeteringOptions>().BindConfiguration(McpMeteringOptions.Section)
            .Validate(o => o.FreeCallsPerMonth >= 0, "Gateway:Mcp:FreeCallsPerMonth must be 0 or more (e.g. 1000).")
            .ValidateOnStart();
        // The tool-call meter (free tier, holds, settlement) is the platform's: AddPlatform registers MeteredToolCallMeter.

        // Platform pieces the broker reads; the host's AddPlatform registers the same, TryAdd keeps whichever came first.
        services.TryAddSingleton<CachePolicy>();
        services.TryAddSingleton<McpAppStore>();

        // RemoveAllLoggers: the factory's Trace-level header log redacts its message but carries the raw header values
        // (the user's bearer token) in its structured state, which structured sinks would write out.
        services.AddHttpClient(GitHubConnector.HttpClientName)
            .RemoveAllLoggers()
            .ConfigurePrimaryHttpMessageHandler(static () => new SocketsHttpHandler
            {
                // Octokit follows redirects itself (and drops Authorization on a host change).
                AllowAutoRedirect = false,
                UseCookies = false,
                AutomaticDecompression = DecompressionMethods.All,
                ConnectTimeout = TimeSpan.FromSeconds(10),
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            });
        services.AddHttpClient(GitHubConnector.GuardedHttpClientName)
            .RemoveAllLoggers()
            .ConfigurePrimaryHttpMessageHandler(static sp =>
            {
                var handler = OutboundTargetGuard.CreateHandler(sp.GetRequiredService<IOptions<OutboundGuardOptions>>().Value.AllowPrivateTargets);
                handler.AutomaticDecompression = DecompressionMethods.All;
                return handler;
            });

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConnector, GitHubConnector>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConnector, MockConnector>());
        services.TryAddSingleton(sp => new ConnectorRegistry(sp.GetServices<IConnector>(), sp.GetRequiredService<ConnectorCatalogue>()));
        services.TryAddSingleton<PendingSettlements>();
        services.TryAddSingleton(sp => new ToolBroker(
            sp.GetRequiredService<ConnectorCatalogue>(),
            sp.GetRequiredService<ConnectorRegistry>(),
            sp.GetRequiredService<McpAppStore>(),
            sp.GetRequiredService<IAccessTokenSource>(),
            sp.GetRequiredService<IConnectLinkIssuer>(),
            sp.GetRequiredService<IToolCallMeter>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ToolCallMetrics>(),
            sp.GetRequiredService<ILogger<ToolBroker>>(),
            sp.GetRequiredService<PendingSettlements>()));

        services.AddHostedService<ConnectorCatalogueStartupCheck>();
        return builder;
    }
}
