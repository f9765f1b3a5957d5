using Assistiv.Platform.Tenancy;

namespace Assistiv.Connectors.Registry;

/// <summary>Who calls a tool, and what they may see (API.md §8.5, §8.7).</summary>
/// <param name="PlatformId">The caller's platform.</param>
/// <param name="EndUserId">The end user the tool runs as.</param>
/// <param name="ApiKeyId">The key that authenticated the call.</param>
/// <param name="RequestId">The <c>x-request-id</c> of the HTTP request (log rows carry it).</param>
/// <param name="Policies">
/// The platform's, the end user's and the key's tool policies; the effective policy is their intersection.
/// </param>
/// <param name="AppFilter">For <c>/mcp/{app}</c>: only that app's tools are visible; null for <c>/mcp</c>.</param>
/// <param name="ElicitationId">
/// When the MCP layer will answer a missing connection with URL elicitation, the id that goes into the connect link and
/// the OAuth state (API.md §9.1); otherwise null.
/// </param>
public sealed record ToolCallContext(
    Guid PlatformId,
    Guid EndUserId,
    Guid ApiKeyId,
    string RequestId,
    IReadOnlyList<ToolPolicy> Policies,
    string? AppFilter,
    string? ElicitationId = null);
