namespace Assistiv.Connectors.Catalogue;

/// <summary>
/// An app's endpoints for one activation (API.md §9.4), from <see cref="AppDescriptor.ResolveEndpoints"/>.
/// <c>{base}</c> and <c>{client_id}</c> placeholders are left for the OAuth broker.
/// </summary>
/// <param name="AuthorizeUrl">Provider authorize URL.</param>
/// <param name="TokenUrl">Token URL, or <c>inprocess:{name}</c>.</param>
/// <param name="RevokeUrl">Revoke URL, or null.</param>
/// <param name="ApiBaseUrl">API base URL without a trailing slash, or null for in-process apps.</param>
/// <param name="FromActivationSettings">
/// True when the hosts came from an activation setting (GitHub <c>enterprise_base_url</c>): such hosts were supplied
/// through the API, so every request to them goes through the outbound target guard (API.md §1.8).
/// </param>
public sealed record AppEndpoints(string AuthorizeUrl, string TokenUrl, string? RevokeUrl, string? ApiBaseUrl, bool FromActivationSettings);
