using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;
using Assistiv.Platform.Connections;
using Assistiv.Platform.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Assistiv.OAuthBroker.Providers;

/// <summary>
/// The providers of API.md §9.3–9.4 for <c>github</c> and <c>mock</c>, with the <c>Gateway:Apps:{app}:*</c> overrides of
/// §1.3. Used until the connector catalogue supplies the descriptors (see <c>CatalogueProviderDirectory</c>).
/// </summary>
internal sealed class BuiltInProviderDirectory : IProviderDirectory
{
    private const string EnterpriseSetting = "enterprise_base_url";

    private readonly FrozenDictionary<string, ProviderDescriptor> _providers;
    private readonly string _baseUrl;

    public BuiltInProviderDirectory(IConfiguration configuration, IOptions<GatewayOptions> gateway)
    {
        _baseUrl = gateway.Value.BaseUrl;
        var providers = new Dictionary<string, ProviderDescriptor>(StringComparer.Ordinal)
        {
            ["github"] = Override(configuration, new ProviderDescriptor(
                "github", "GitHub",
                "https://github.com/login/oauth/authorize",
                "https://github.com/login/oauth/access_token",
                "{api}/applications/{client_id}/token", "DELETE",
                "https://api.github.com",
                "scope", " ", ["repo", "read:user", "gist", "workflow"], Pkce: true,
                FrozenDictionary<string, string>.Empty)),
        };
        if (gateway.Value.EnableMockApps)
        {
            providers["mock"] = new ProviderDescriptor(
                "mock", "Mock", "{base}/oauth/mock/authorize", ProviderDescriptor.InProcessPrefix + "mock", null, null, null,
                "scope", " ", ["mock.read"], Pkce: true, FrozenDictionary<string, string>.Empty);
        }

        _providers = providers.ToFrozenDictionary(StringComparer.Ordinal);
    }

    public bool TryGet(string app, [NotNullWhen(true)] out ProviderDescriptor? provider) => _providers.TryGetValue(app, out provider);

    public ProviderEndpoints Resolve(ProviderDescriptor provider, McpAppActivation? activation)
    {
        var authorize = provider.AuthorizeUrl;
        var token = provider.TokenUrl;
        var api = provider.ApiBaseUrl;
        var guarded = false;
        if (provider.App == "github" && activation?.Settings.TryGetValue(EnterpriseSetting, out var enterprise) == true
            && !string.IsNullOrWhiteSpace(enterprise))
        {
            // API.md §9.4: with enterprise_base_url E, OAuth lives at E/login/oauth/… and the API at E/api/v3.
            var root = enterprise.Trim().TrimEnd('/');
            authorize = root + "/login/oauth/authorize";
            token = root + "/login/oauth/access_token";
            api = root + "/api/v3";
            guarded = true;
        }

        var revoke = provider.RevokeUrl;
        if (revoke is not null && api is not null)
        {
            revoke = revoke.Replace("{api}", api, StringComparison.Ordinal);
        }

        return new ProviderEndpoints(Fill(authorize), Fill(token), revoke is null ? null : Fill(revoke), api, guarded);
    }

    private string Fill(string url) => url.Replace("{base}", _baseUrl, StringComparison.Ordinal);

    private static ProviderDescriptor Override(IConfiguration configuration, ProviderDescriptor d)
    {
        var section = configuration.GetSection("Gateway:Apps:" + d.App);
        return d with
        {
            AuthorizeUrl = section["AuthorizeUrl"] ?? d.AuthorizeUrl,
            TokenUrl = section["TokenUrl"] ?? d.TokenUrl,
            ApiBaseUrl = section["ApiBaseUrl"]?.TrimEnd('/') ?? d.ApiBaseUrl,
            RevokeUrl = section["RevokeUrl"] ?? d.RevokeUrl,
        };
    }
}
