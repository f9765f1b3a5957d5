using System.Net;
using Assistiv.Connectors.Catalogue;
using Assistiv.Connectors.Registry;
using Assistiv.OAuthBroker;
using Assistiv.OAuthBroker.Connect;
using Assistiv.OAuthBroker.Connections;
using Assistiv.OAuthBroker.Providers;
using Assistiv.OAuthBroker.Refresh;
using Assistiv.OAuthBroker.Revocation;
using Assistiv.OAuthBroker.Tokens;
using Assistiv.OAuthBroker.Vault;
using Assistiv.Platform.Connections;
using Assistiv.Platform.Hosting;
using Assistiv.Platform.Network;
using Assistiv.Platform.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.Hosting;

/// <summary>Registration of the OAuth broker (DESIGN.md: <c>src/OAuthBroker</c>).</summary>
public static class OAuthBrokerHostBuilderExtensions
{
    /// <summary>
    /// Adds the OAuth broker: <see cref="IAccessTokenSource"/> (token vault, refresh single flight), <see cref="IConnectLinkIssuer"/>,
    /// <see cref="IConnectionRevoker"/>, and the services the host's routes call — <see cref="OAuthConnectService"/>
    /// (<c>/oauth/authorize</c>), <see cref="OAuthCallbackService"/> (<c>/oauth/callback</c>) and
    /// <see cref="ConnectionService"/> (connection routes). A no-op <see cref="IConnectionEvents"/> is registered with
    /// <c>TryAdd</c> for the MCP layer to replace. The host must also call <c>AddPlatform()</c>.
    /// </summary>
    /// <param name="builder">The host builder.</param>
    /// <returns>The builder.</returns>
    /// <remarks>
    /// Configuration read: <c>Gateway:OAuth:RefreshSkewSeconds</c> (default 300), <c>Gateway:PublicBaseUrl</c>,
    /// <c>Gateway:Network:AllowPrivateTargets</c>, and through the connector catalogue (registered here too, with
    /// <c>TryAdd</c>) <c>Gateway:ConnectorsFile</c>, <c>Gateway:Apps:{app}:*</c> and <c>Gateway:EnableMockApps</c>.
    /// </remarks>
    public static IHostApplicationBuilder AddOAuthBroker(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.TryAddSingleton<RefreshMetrics>();
        services.AddOptions<OAuthOptions>().BindConfiguration(OAuthOptions.Section)
            .Validate(o => o.RefreshSkewSeconds is >= 0 and <= 86_400,
                "Gateway:OAuth:RefreshSkewSeconds must be between 0 and 86400 seconds (e.g. 300).")
            .ValidateOnStart();

        // The same catalogue registration as AddConnectors(); TryAdd keeps whichever came first.
        var contentRoot = builder.Environment.ContentRootPath;
        services.TryAddSingleton(sp => ConnectorCatalogue.Load(sp.GetRequiredService<IConfiguration>(), contentRoot));
        services.AddOptions<OutboundGuardOptions>().BindConfiguration(OutboundGuardOptions.Section);

        // No retries: a refresh token is single use at most providers, so a replayed refresh would lose the grant.
        // RemoveAllLoggers: the factory's header logging would carry Authorization values (client secrets in Basic,
        // users' bearer tokens) in its structured state.
        services.AddHttpClient(TokenEndpointClient.HttpClientName)
            .RemoveAllLoggers()
            .ConfigurePrimaryHttpMessageHandler(static () => Configure(new SocketsHttpHandler()));
        // Hosts supplied through the API (GitHub Enterprise) pass the outbound target guard on every connection (§1.8).
        services.AddHttpClient(TokenEndpointClient.GuardedHttpClientName)
            .RemoveAllLoggers()
            .ConfigurePrimaryHttpMessageHandler(static sp =>
            {
                var handler = OutboundTargetGuard.CreateHandler(sp.GetRequiredService<IOptions<OutboundGuardOptions>>().Value.AllowPrivateTargets);
                handler.AutomaticDecompression = DecompressionMethods.All;
                return handler;
            });

        services.TryAddSingleton<IProviderDirectory, CatalogueProviderDirectory>();
        services.TryAddSingleton<TokenVault>();
        services.TryAddSingleton<TokenEndpointClient>();
        services.TryAddSingleton<AccountLabelFetcher>();
        services.TryAddSingleton<ProviderRevoker>();
        services.TryAddSingleton<AccessTokenSource>();
        services.TryAddSingleton<IAccessTokenSource>(static sp => sp.GetRequiredService<AccessTokenSource>());
        services.TryAddSingleton<IConnectLinkIssuer, ConnectLinkIssuer>();
        services.TryAddSingleton<IConnectionEvents, NoConnectionEvents>();
        services.TryAddSingleton<ConnectionRevoker>();
        services.TryAddSingleton<IConnectionRevoker>(static sp => sp.GetRequiredService<ConnectionRevoker>());
        services.TryAddSingleton<OAuthPurgeService>();
        services.AddHostedService(static sp => sp.GetRequiredService<OAuthPurgeService>());
        services.TryAddSingleton(static sp => new OAuthConnectService(
            sp.GetRequiredService<IDbContextFactory<PlatformDbContext>>(), sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<McpAppStore>(), sp.GetRequiredService<IProviderDirectory>(), sp.GetRequiredService<TokenVault>(),
            sp.GetRequiredService<IOptions<GatewayOptions>>(), sp.GetRequiredService<ILogger<OAuthConnectService>>()));
        services.TryAddSingleton(static sp => new OAuthCallbackService(
            sp.GetRequiredService<IDbContextFactory<PlatformDbContext>>(), sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<McpAppStore>(), sp.GetRequiredService<IProviderDirectory>(), sp.GetRequiredService<TokenVault>(),
            sp.GetRequiredService<TokenEndpointClient>(), sp.GetRequiredService<AccountLabelFetcher>(), sp.GetRequiredService<ProviderRevoker>(),
            sp.GetRequiredService<AccessTokenSource>(), sp.GetRequiredService<IConnectionEvents>(),
            sp.GetRequiredService<IOptions<GatewayOptions>>(), sp.GetRequiredService<ILogger<OAuthCallbackService>>()));
        services.TryAddSingleton(static sp => new ConnectionService(
            sp.GetRequiredService<IDbContextFactory<PlatformDbContext>>(), sp.GetRequiredService<McpAppStore>(),
            sp.GetRequiredService<IProviderDirectory>(), sp.GetRequiredService<IConnectLinkIssuer>(), sp.GetRequiredService<ConnectionRevoker>()));
        return builder;
    }

    /// <summary>
    /// Provider calls never follow redirects (API.md §1.8) and never keep cookies; pooled connections are recycled so DNS
    /// changes are seen.
    /// </summary>
    private static SocketsHttpHandler Configure(SocketsHttpHandler handler)
    {
        handler.AllowAutoRedirect = false;
        handler.UseCookies = false;
        handler.AutomaticDecompression = DecompressionMethods.All;
        handler.ConnectTimeout = TimeSpan.FromSeconds(10);
        handler.PooledConnectionLifetime = TimeSpan.FromMinutes(5);
        return handler;
    }
}
