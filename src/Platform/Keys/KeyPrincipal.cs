using Assistiv.Platform.Tenancy;

namespace Assistiv.Platform.Keys;

/// <summary>
/// The identity behind an authenticated key (API.md §2.2): what every later check needs, cached in memory so that the
/// hot path does not read the database (STYLE.md §4).
/// </summary>
/// <param name="KeyId">The key's id.</param>
/// <param name="PlatformId">The key's platform.</param>
/// <param name="Type">Platform or end-user key.</param>
/// <param name="Scopes">Effective scopes (<c>admin</c> implies <c>management</c>).</param>
/// <param name="KeyPrefix">The key's <c>key_prefix</c>.</param>
/// <param name="ExpiresAt">Expiry, or null.</param>
/// <param name="EndUserId">The end user of an <c>sk-eu_</c> key.</param>
/// <param name="ExternalId">The end user's <c>external_id</c>.</param>
/// <param name="DisplayName">The end user's display name.</param>
/// <param name="EndUserIsActive">False when the end user is deactivated (403 <c>forbidden</c>).</param>
/// <param name="KeyToolPolicy">The key's tool policy (end-user keys), or null.</param>
/// <param name="EndUserToolPolicy">The end user's tool policy, or null.</param>
public sealed record KeyPrincipal(
    Guid KeyId,
    Guid PlatformId,
    ApiKeyType Type,
    KeyScopes Scopes,
    string KeyPrefix,
    DateTimeOffset? ExpiresAt,
    Guid? EndUserId,
    string? ExternalId,
    string? DisplayName,
    bool EndUserIsActive,
    ToolPolicy? KeyToolPolicy,
    ToolPolicy? EndUserToolPolicy);
