using Assistiv.Platform.Common;

namespace Assistiv.McpServer.Hosting;

/// <summary>
/// First middleware: stamps <c>TraceIdentifier = "req_" + ULID</c> and sends <c>x-request-id</c> and
/// <c>X-Assistiv-Api-Version: 0.1.0</c> on every response, 302, SSE and MCP included (API.md §0.3).
/// </summary>
internal sealed class RequestIdMiddleware(RequestDelegate next, TimeProvider time)
{
    public const string ApiVersion = "0.1.0";

    public Task InvokeAsync(HttpContext context)
    {
        var id = Ids.NewRequestId(time);
        context.TraceIdentifier = id;
        var headers = context.Response.Headers;
        headers["x-request-id"] = id;
        headers["X-Assistiv-Api-Version"] = ApiVersion;
        // Response.Clear() (exception handler) drops headers; put them back just before the response starts.
        context.Response.OnStarting(static state =>
        {
            var ctx = (HttpContext)state;
            ctx.Response.Headers["x-request-id"] = ctx.TraceIdentifier;
            ctx.Response.Headers["X-Assistiv-Api-Version"] = ApiVersion;
            return Task.CompletedTask;
        }, context);
        return next(context);
    }
}
