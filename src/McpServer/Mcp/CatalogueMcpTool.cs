using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Assistiv.McpServer.Mcp;

/// <summary>
/// One catalogue tool as the SDK sees it: its <see cref="Tool"/> is built once from <c>connectors.json</c> metadata
/// (name, title, description, inputSchema, outputSchema, annotations; no SDK-generated schema, API.md §8.3) and reused
/// by every request; a call goes to the broker through <see cref="McpToolInvoker"/>.
/// </summary>
internal sealed class CatalogueMcpTool : McpServerTool
{
    private readonly McpToolInvoker _invoker;

    public CatalogueMcpTool(McpToolInfo info, McpToolInvoker invoker)
    {
        Info = info;
        _invoker = invoker;
        ProtocolTool = new Tool
        {
            Name = info.Name,
            Title = info.Title,
            Description = info.Description,
            InputSchema = info.InputSchema,
            OutputSchema = info.OutputSchema,
            Annotations = new ToolAnnotations
            {
                Title = info.Title,
                ReadOnlyHint = info.ReadOnly,
                DestructiveHint = info.Destructive,
                IdempotentHint = info.Idempotent,
                OpenWorldHint = info.OpenWorld,
            },
        };
    }

    public McpToolInfo Info { get; }

    public override Tool ProtocolTool { get; }

    public override IReadOnlyList<object> Metadata => [];

    public override ValueTask<CallToolResult> InvokeAsync(RequestContext<CallToolRequestParams> request, CancellationToken cancellationToken) =>
        _invoker.InvokeAsync(Info, request, cancellationToken);
}
