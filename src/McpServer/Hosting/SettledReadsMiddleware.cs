using Assistiv.Platform.Metering;

namespace Assistiv.McpServer.Hosting;

/// <summary>
/// Read-your-writes for tool calls (decision 0085): a tool call's settlement (usage-log row, charge, outbox rows) finishes
/// after its answer, so every request outside <c>/mcp</c> (platform API, <c>/v1/me</c>, inference) first waits for the
/// settlements pending when it arrives. Nothing to wait for is the usual case and costs one volatile read. MCP requests
/// do not wait: their money order is kept by the money layer itself (<see cref="PendingSettlements"/>).
/// </summary>
internal sealed class SettledReadsMiddleware(RequestDelegate next, PendingSettlements settlements)
{
    public Task InvokeAsync(HttpContext context) =>
        settlements.Count == 0 || context.Request.Path.StartsWithSegments("/mcp")
            ? next(context)
            : WaitThenAsync(context);

    private async Task WaitThenAsync(HttpContext context)
    {
        await settlements.WhenSettledAsync(context.RequestAborted);
        await next(context);
    }
}
