using Microsoft.Extensions.Configuration;

namespace Assistiv.Connectors.Catalogue;

/// <summary>What configuration changes in the catalogue (API.md §1.3): mock apps and per-app URL overrides.</summary>
internal sealed record CatalogueLoadOptions(bool EnableMockApps, IReadOnlyDictionary<string, AppUrlOverrides> Overrides)
{
    public static CatalogueLoadOptions Default { get; } = new(false, new Dictionary<string, AppUrlOverrides>());

    public static CatalogueLoadOptions From(IConfiguration? configuration)
    {
        if (configuration is null)
        {
            return Default;
        }

        var enableMock = configuration.GetValue("Gateway:EnableMockApps", false);
        var overrides = new Dictionary<string, AppUrlOverrides>(StringComparer.Ordinal);
        foreach (var app in configuration.GetSection("Gateway:Apps").GetChildren())
        {
            overrides[app.Key] = new AppUrlOverrides(
                Value(app, "AuthorizeUrl"), Value(app, "TokenUrl"), Value(app, "ApiBaseUrl"), Value(app, "RevokeUrl"));
        }

        return new CatalogueLoadOptions(enableMock, overrides);

        static string? Value(IConfigurationSection app, string key) =>
            string.IsNullOrWhiteSpace(app[key]) ? null : app[key]!.Trim();
    }
}

/// <summary><c>Gateway:Apps:{app}:AuthorizeUrl|TokenUrl|ApiBaseUrl|RevokeUrl</c> (tests point them at WireMock).</summary>
internal sealed record AppUrlOverrides(string? AuthorizeUrl, string? TokenUrl, string? ApiBaseUrl, string? RevokeUrl);
