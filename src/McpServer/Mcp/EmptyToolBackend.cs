using System.Text.Json;
using Assistiv.Connectors.Registry;
using Assistiv.Platform.Connections;
using Assistiv.Platform.Tenancy;

namespace Assistiv.McpServer.Mcp;

/// <summary>A catalogue with no apps: the MCP endpoint runs, lists nothing and knows no tool.</summary>
internal sealed class EmptyToolBackend : IMcpToolBackend
{
    private static readonly McpToolInfo[] s_none = [];

    public IReadOnlyList<McpToolInfo> Tools => s_none;

    public bool IsApp(string app) => false;

    public string AppName(string app) => app;

    public IReadOnlyList<McpToolInfo> GetVisibleTools(IReadOnlyDictionary<string, McpAppActivation> activatedApps, IReadOnlyList<ToolPolicy> policies, string? appFilter) => s_none;

    public ValueTask<ToolCallOutcome> CallAsync(ToolCallContext context, string toolName, JsonElement? arguments, CancellationToken cancellationToken) =>
        ValueTask.FromResult<ToolCallOutcome>(new ToolCallOutcome.UnknownTool(toolName));
}
