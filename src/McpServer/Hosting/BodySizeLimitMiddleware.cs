using Assistiv.McpServer.Errors;
using Microsoft.AspNetCore.Http.Features;

namespace Assistiv.McpServer.Hosting;

/// <summary>
/// Body limits per route family (API.md §12): 1 MiB for management, self-service and OAuth, 4 MiB for MCP, 10 MiB for
/// inference. Placed after authorization (API.md §2.6: body size is checked after the key checks). A declared
/// <c>Content-Length</c> over the limit answers 413 at once; a chunked body that grows past it fails when read.
/// </summary>
internal sealed class BodySizeLimitMiddleware(RequestDelegate next)
{
    public const long ManagementLimit = 1024 * 1024;
    public const long McpLimit = 4 * 1024 * 1024;
    public const long InferenceLimit = 10 * 1024 * 1024;

    public Task InvokeAsync(HttpContext context)
    {
        var path = context.Request.Path;
        var limit = path.StartsWithSegments("/mcp") ? McpLimit
            : path.StartsWithSegments("/v1/chat") || path.StartsWithSegments("/v1/responses") ? InferenceLimit
            : ManagementLimit;
        if (context.Request.ContentLength > limit)
        {
            return ApiErrors.PayloadTooLarge().ExecuteAsync(context);
        }

        var feature = context.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (feature is { IsReadOnly: false })
        {
            feature.MaxRequestBodySize = limit;
        }

        return next(context);
    }
}
