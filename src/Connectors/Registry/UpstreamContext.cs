using Assistiv.Connectors.Catalogue;
using Assistiv.Platform.Connections;

namespace Assistiv.Connectors.Registry;

/// <summary>What a connector needs for one upstream attempt. Never log it: it carries the access token.</summary>
/// <param name="Connection">The end user's connection.</param>
/// <param name="AccessToken">The bearer token for this attempt (a retry after refresh carries the new one).</param>
/// <param name="ConnectionSettings">Per-connection settings from the OAuth broker (Zendesk subdomain, Zoho api_domain).</param>
/// <param name="Activation">The platform's activation of the app (settings such as <c>enterprise_base_url</c>).</param>
/// <param name="App">The catalogue app.</param>
internal sealed record UpstreamContext(
    ConnectionRef Connection,
    string AccessToken,
    IReadOnlyDictionary<string, string> ConnectionSettings,
    McpAppActivation Activation,
    AppDescriptor App);
