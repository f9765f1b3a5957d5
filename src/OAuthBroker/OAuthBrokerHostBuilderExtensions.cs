using System.Net;
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
using Assistiv.Platform.Storage;
using Microsoft.EntityFrameworkCore;
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
    /// <remarks>Configuration read: <c>Gateway:OAuth:RefreshSkewSeconds</c> (default 300), <c>Gateway:Apps:{app}:*</c>, <c>Gateway:PublicBaseUrl</c>, <c>Gateway:EnableMockApps</c>.</remarks>
    public static IHostApplicationBuilder AddOAuthBroker(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<OAuthOptions>().BindConfiguration(OAuthOptions.Section)
            .Validate(o => o.RefreshSkewSeconds is >= 0 and <= 86_400,
                "Gateway:OAuth:RefreshSkewSeconds must be between 0 and 86400 seconds (e.g. 300).")
            .ValidateOnStart();

        // No retries: a refresh token is single use at most providers, so a replayed refresh would lose the grant.
        services.AddHttpClient(TokenEndpointClient.HttpClientName).ConfigurePrimaryHttpMessageHandler(static () => NewHandler());
        services.AddHttpClient(TokenEndpointClient.GuardedHttpClientName).ConfigurePrimaryHttpMessageHandler(static () => NewHandler());

        services.TryAddSingleton<IProviderDirectory, BuiltInProviderDirectory>();
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
    private static SocketsHttpHandler NewHandler() => new()
    {
        AllowAutoRedirect = false,
        UseCookies = false,
        AutomaticDecompression = DecompressionMethods.All,
        ConnectTimeout = TimeSpan.FromSeconds(10),
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
    };
}
