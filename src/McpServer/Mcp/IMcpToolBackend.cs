using System.Text.Json;
using Assistiv.Connectors.Registry;
using Assistiv.Platform.Connections;
using Assistiv.Platform.Tenancy;

namespace Assistiv.McpServer.Mcp;

/// <summary>
/// What the MCP layer needs from the connector catalogue and the tool broker: the catalogue's tool metadata (the only
/// schema source, API.md §8.3), the visible tools of a request (API.md §8.1, §8.4, §8.7), and the call pipeline
/// (API.md §8.5). A seam so the transport can be tested with a fake catalogue.
/// </summary>
internal interface IMcpToolBackend
{
    /// <summary>Every catalogue tool in list order (apps alphabetically, then catalogue order).</summary>
    IReadOnlyList<McpToolInfo> Tools { get; }

    /// <summary>Whether the catalogue knows this app id.</summary>
    bool IsApp(string app);

    /// <summary>The app's display name (e.g. <c>GitHub</c>), or the id when unknown.</summary>
    string AppName(string app);

    /// <summary>
    /// The tools the request sees, in list order. For equal inputs the same list instance should come back, because the
    /// MCP layer caches its per-list objects by reference.
    /// </summary>
    IReadOnlyList<McpToolInfo> GetVisibleTools(IReadOnlyDictionary<string, McpAppActivation> activatedApps, IReadOnlyList<ToolPolicy> policies, string? appFilter);

    /// <summary>Runs one <c>tools/call</c> through the broker pipeline.</summary>
    ValueTask<ToolCallOutcome> CallAsync(ToolCallContext context, string toolName, JsonElement? arguments, CancellationToken cancellationToken);
}

/// <summary>The catalogue metadata of one tool, as <c>tools/list</c> shows it for every protocol version (API.md §8.3).</summary>
internal sealed record McpToolInfo(
    string Name,
    string App,
    string Title,
    string Description,
    JsonElement InputSchema,
    JsonElement? OutputSchema,
    bool ReadOnly,
    bool Destructive,
    bool Idempotent,
    bool OpenWorld);
