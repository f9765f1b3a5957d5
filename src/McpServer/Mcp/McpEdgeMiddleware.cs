using Assistiv.McpServer.Errors;
using Assistiv.McpServer.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Assistiv.McpServer.Mcp;

/// <summary>
/// The <c>/mcp*</c> rules that must run before routing and authentication (API.md §2.6, §8.2, §1.6):
/// <list type="number">
/// <item>Origin (DNS rebinding): a present, not allowed <c>Origin</c> → 403 <c>forbidden</c>, every method, any key.</item>
/// <item>CORS: preflights from allowed origins are answered here; other responses to them expose the §1.6 headers.</item>
/// <item>Content-Type: routing would answer 415 with no body before authentication (the SDK endpoint declares
/// <c>application/json</c>). The original value is kept for <see cref="McpRequestMiddleware"/>, which applies the rule
/// after the end-user check, and the request continues as <c>application/json</c>.</item>
/// </list>
/// </summary>
internal sealed class McpEdgeMiddleware(RequestDelegate next, McpOriginPolicy origins, IOptions<McpGatewayOptions> options)
{
    private readonly string _allowedMethods = options.Value.SessionMode == McpSessionMode.Stateless ? "POST" : "POST, GET, DELETE";

    public Task InvokeAsync(HttpContext context)
    {
        if (!context.Request.Path.StartsWithSegments("/mcp"))
        {
            return next(context);
        }

        var request = context.Request;
        var originValues = request.Headers.Origin;
        if (originValues.Count > 0)
        {
            var origin = originValues.Count == 1 ? originValues[0] : null;
            if (origin is null || !origins.IsAllowed(origin))
            {
                return ApiErrors.Forbidden("This Origin may not use the MCP endpoint (API.md §8.2); allow it in Gateway:Mcp:AllowedOrigins.").ExecuteAsync(context);
            }

            if (CorsHeaders.IsPreflight(request))
            {
                return CorsHeaders.AnswerPreflight(context, origin, _allowedMethods);
            }

            CorsHeaders.OnResponse(context, origin);
        }

        if (HttpMethods.IsPost(request.Method))
        {
            var contentType = request.ContentType;
            if (!IsJson(contentType))
            {
                context.Features.Set(new McpOriginalContentType(contentType));
                request.ContentType = "application/json";
            }
        }

        return next(context);
    }

    /// <summary>API.md §8.2: <c>application/json</c>, parameters such as <c>charset</c> allowed.</summary>
    internal static bool IsJson(string? contentType) =>
        contentType is not null && MediaTypeHeaderValue.TryParse(contentType, out var media)
        && media.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase);
}

/// <summary>The <c>Content-Type</c> a POST to <c>/mcp*</c> arrived with, when it was not <c>application/json</c> (null = absent).</summary>
internal sealed record McpOriginalContentType(string? Value);
