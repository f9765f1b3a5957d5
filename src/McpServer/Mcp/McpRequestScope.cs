using Assistiv.Platform.Keys;
using Assistiv.Platform.Tenancy;

namespace Assistiv.McpServer.Mcp;

/// <summary>
/// What one authenticated <c>/mcp*</c> request may see, resolved once per request by <see cref="McpRequestMiddleware"/>
/// from cached lookups and read by the session options callback and the tools.
/// </summary>
internal sealed class McpRequestScope(KeyPrincipal key, IReadOnlyList<ToolPolicy> policies, string? appFilter, McpToolSet tools)
{
    public KeyPrincipal Key { get; } = key;

    /// <summary>The platform's, the end user's and the key's tool policies (API.md §8.7).</summary>
    public IReadOnlyList<ToolPolicy> Policies { get; } = policies;

    /// <summary>The <c>{app}</c> of <c>/mcp/{app}</c>, or null for <c>/mcp</c>.</summary>
    public string? AppFilter { get; } = appFilter;

    public McpToolSet Tools { get; } = tools;
}
