using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;
using Assistiv.Connectors.Catalogue;
using Assistiv.Platform.Connections;
using Assistiv.Platform.Hosting;
using Microsoft.Extensions.Options;

namespace Assistiv.OAuthBroker.Providers;

/// <summary>
/// The providers of <c>connectors.json</c> (API.md §9.4), with the catalogue's <c>Gateway:Apps:{app}:*</c> overrides and
/// mock-app switch already applied. Endpoints per activation come from <see cref="AppDescriptor.ResolveEndpoints"/>
/// (GitHub Enterprise hosts from <c>enterprise_base_url</c>); <c>{base}</c> is filled here.
/// </summary>
internal sealed class CatalogueProviderDirectory : IProviderDirectory
{
    private readonly ConnectorCatalogue _catalogue;
    private readonly FrozenDictionary<string, ProviderDescriptor> _providers;
    private readonly string _baseUrl;

    public CatalogueProviderDirectory(ConnectorCatalogue catalogue, IOptions<GatewayOptions> gateway)
    {
        _catalogue = catalogue;
        _baseUrl = gateway.Value.BaseUrl;
        _providers = catalogue.Apps.ToFrozenDictionary(a => a.Id, ToDescriptor, StringComparer.Ordinal);
    }

    public bool TryGet(string app, [NotNullWhen(true)] out ProviderDescriptor? provider) => _providers.TryGetValue(app, out provider);

    public ProviderEndpoints Resolve(ProviderDescriptor provider, McpAppActivation? activation)
    {
        var e = _catalogue.AppsById[provider.App].ResolveEndpoints(activation?.Settings);
        return new ProviderEndpoints(Fill(e.AuthorizeUrl), Fill(e.TokenUrl), e.RevokeUrl is null ? null : Fill(e.RevokeUrl), e.ApiBaseUrl,
            e.FromActivationSettings);
    }

    private string Fill(string url) => url.Replace("{base}", _baseUrl, StringComparison.Ordinal);

    private static ProviderDescriptor ToDescriptor(AppDescriptor app)
    {
        var o = app.OAuth;
        return new ProviderDescriptor(app.Id, app.Name, o.AuthorizeUrl, o.TokenUrl, o.RevokeUrl, o.RevokeMethod, app.ApiBaseUrl,
            o.ScopeParameter, o.ScopeSeparator, o.DefaultScopes, o.Pkce, o.ExtraAuthorizeParams);
    }
}
