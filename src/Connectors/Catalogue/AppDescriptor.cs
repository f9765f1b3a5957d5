using System.Collections.Frozen;
using System.Text.Json;

namespace Assistiv.Connectors.Catalogue;

/// <summary>
/// One app of <c>connectors.json</c> (API.md §8.3, §9.4): display name, OAuth descriptor, API base URL, the activation
/// settings it accepts, and its tools in list order. Immutable; built once at start-up.
/// </summary>
public sealed class AppDescriptor
{
    private readonly FrozenDictionary<string, SettingEndpoints> _settingEndpoints;

    internal AppDescriptor(
        string id,
        string name,
        bool mockOnly,
        string? apiBaseUrl,
        OAuthDescriptor oauth,
        JsonElement settingsSchema,
        IReadOnlyList<string> settingKeys,
        FrozenDictionary<string, SettingEndpoints> settingEndpoints)
    {
        Id = id;
        Name = name;
        MockOnly = mockOnly;
        ApiBaseUrl = apiBaseUrl;
        OAuth = oauth;
        SettingsSchema = settingsSchema;
        SettingKeys = settingKeys;
        _settingEndpoints = settingEndpoints;
    }

    /// <summary>App id (<c>github</c>, <c>mock</c>, …); the prefix of every tool name and the <c>{app}</c> of <c>/mcp/{app}</c>.</summary>
    public string Id { get; }

    /// <summary>Display name, e.g. <c>GitHub</c> (used in connect messages, API.md §8.5).</summary>
    public string Name { get; }

    /// <summary>True for apps that exist only with <c>Gateway:EnableMockApps=true</c>.</summary>
    public bool MockOnly { get; }

    /// <summary>
    /// API base URL without a trailing slash, after any <c>Gateway:Apps:{app}:ApiBaseUrl</c> override (default for
    /// GitHub <c>https://api.github.com</c>); null for apps served in process.
    /// </summary>
    public string? ApiBaseUrl { get; }

    /// <summary>The OAuth settings the OAuth broker uses.</summary>
    public OAuthDescriptor OAuth { get; }

    /// <summary>JSON Schema of the activation's <c>settings</c> object (API.md §4.11); root <c>additionalProperties: false</c>.</summary>
    public JsonElement SettingsSchema { get; }

    /// <summary>The activation <c>settings</c> keys the app accepts (GitHub: <c>enterprise_base_url</c>).</summary>
    public IReadOnlyList<string> SettingKeys { get; }

    /// <summary>The app's tools in list order (API.md §8.3 table order).</summary>
    public IReadOnlyList<ToolDescriptor> Tools { get; internal set; } = [];

    /// <summary>Position of the app in <see cref="ConnectorCatalogue.Apps"/> (alphabetical).</summary>
    public int Index { get; internal set; }

    internal UInt128 ToolMask { get; set; }

    /// <summary>
    /// Resolves the app's endpoints for an activation's <c>settings</c> (API.md §9.4): a setting with endpoint
    /// templates (GitHub <c>enterprise_base_url</c> E → <c>E/login/oauth/…</c> and API <c>E/api/v3</c>) wins over the
    /// defaults and their configuration overrides; <c>{api}</c> and <c>{setting}</c> placeholders are filled.
    /// </summary>
    /// <param name="activationSettings">The activation's settings (string values), or null.</param>
    public AppEndpoints ResolveEndpoints(IReadOnlyDictionary<string, string>? activationSettings)
    {
        var authorize = OAuth.AuthorizeUrl;
        var token = OAuth.TokenUrl;
        var api = ApiBaseUrl;
        var fromSettings = false;
        if (activationSettings is not null)
        {
            foreach (var (key, templates) in _settingEndpoints)
            {
                if (!activationSettings.TryGetValue(key, out var value) || string.IsNullOrWhiteSpace(value))
                {
                    continue;
                }

                var root = value.Trim().TrimEnd('/');
                var placeholder = "{" + key + "}";
                authorize = templates.AuthorizeUrl?.Replace(placeholder, root, StringComparison.Ordinal) ?? authorize;
                token = templates.TokenUrl?.Replace(placeholder, root, StringComparison.Ordinal) ?? token;
                api = templates.ApiBaseUrl?.Replace(placeholder, root, StringComparison.Ordinal) ?? api;
                fromSettings = true;
                break;
            }
        }

        var revoke = OAuth.RevokeUrl;
        if (revoke is not null && api is not null)
        {
            revoke = revoke.Replace("{api}", api, StringComparison.Ordinal);
        }

        return new AppEndpoints(authorize, token, revoke, api?.TrimEnd('/'), fromSettings);
    }

    /// <inheritdoc/>
    public override string ToString() => Id;

    internal sealed record SettingEndpoints(string? AuthorizeUrl, string? TokenUrl, string? ApiBaseUrl);
}
