using System.Runtime.CompilerServices;
using System.Text.Json;
using Assistiv.Connectors.Catalogue;
using Assistiv.Connectors.Registry;
using Assistiv.Platform.Connections;
using Assistiv.Platform.Tenancy;

namespace Assistiv.McpServer.Mcp;

/// <summary>
/// The MCP layer's backend over the real <see cref="ConnectorCatalogue"/> (the only schema source, API.md §8.3), the
/// visibility function (API.md §8.4, §8.7) and the <see cref="ToolBroker"/> pipeline (API.md §8.5).
/// </summary>
internal sealed class CatalogueToolBackend : IMcpToolBackend
{
    private readonly ConnectorCatalogue _catalogue;
    private readonly Lazy<ToolBroker> _broker;
    private readonly McpToolInfo[] _byIndex;
    private readonly ConditionalWeakTable<IReadOnlyList<ToolDescriptor>, McpToolInfo[]> _lists = new();

    public CatalogueToolBackend(ConnectorCatalogue catalogue, IServiceProvider services)
    {
        _catalogue = catalogue;
        // Resolved on the first call: the broker needs the OAuth broker's token source and link issuer, which listing
        // tools (and the host's start) does not.
        _broker = new Lazy<ToolBroker>(services.GetRequiredService<ToolBroker>);
        _byIndex = new McpToolInfo[_catalogue.Tools.Count];
        foreach (var tool in _catalogue.Tools)
        {
            var hints = tool.Annotations;
            _byIndex[tool.Index] = new McpToolInfo(tool.Name, tool.App, tool.Title, tool.Description, tool.InputSchema, tool.OutputSchema,
                hints.ReadOnly, hints.Destructive, hints.Idempotent, hints.OpenWorld);
        }

        Tools = _byIndex;
    }

    public IReadOnlyList<McpToolInfo> Tools { get; }

    public bool IsApp(string app) => _catalogue.TryGetApp(app, out _);

    public string AppName(string app) => _catalogue.TryGetApp(app, out var descriptor) ? descriptor.Name : app;

    public IReadOnlyList<McpToolInfo> GetVisibleTools(IReadOnlyDictionary<string, McpAppActivation> activatedApps, IReadOnlyList<ToolPolicy> policies, string? appFilter)
    {
        // The visibility function returns one shared list per visible set; mapping it once keeps the hot path allocation-free.
        var visible = ToolVisibility.GetVisibleTools(_catalogue, activatedApps, policies, appFilter);
        return _lists.GetValue(visible, Map);
    }

    public ValueTask<ToolCallOutcome> CallAsync(ToolCallContext context, string toolName, JsonElement? arguments, CancellationToken cancellationToken) =>
        _broker.Value.CallAsync(context, toolName, arguments, cancellationToken);

    private McpToolInfo[] Map(IReadOnlyList<ToolDescriptor> visible)
    {
        var mapped = new McpToolInfo[visible.Count];
        for (var i = 0; i < mapped.Length; i++)
        {
            mapped[i] = _byIndex[visible[i].Index];
        }

        return mapped;
    }
}
