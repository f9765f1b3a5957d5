using Microsoft.Net.Http.Headers;

namespace Assistiv.McpServer.Hosting;

/// <summary>
/// The one definition of the CORS answers of API.md §1.6, shared by the browser routes (<see cref="BrowserCorsMiddleware"/>)
/// and <c>/mcp*</c> (<c>McpEdgeMiddleware</c>): the allowed request headers, the exposed response headers and how a
/// preflight and a real response carry them. Management routes never call it.
/// </summary>
internal static class CorsHeaders
{
    /// <summary>API.md §1.6: the request headers a browser may send.</summary>
    public const string AllowedHeaders = "Authorization, Content-Type, Idempotency-Key, X-Assistiv-Platform-Id, Mcp-Session-Id, MCP-Protocol-Version, Last-Event-ID";

    /// <summary>
    /// API.md §1.6: the response headers a browser may read. §1.6 names <c>x-ratelimit-*</c>; Access-Control-Expose-Headers
    /// takes names, not patterns, so the §7.4 names are listed.
    /// </summary>
    public const string ExposedHeaders = "x-request-id, X-Assistiv-Api-Version, Retry-After, x-ratelimit-limit-requests, x-ratelimit-remaining-requests, " +
        "x-ratelimit-reset-requests, x-ratelimit-limit-tokens, x-ratelimit-remaining-tokens, x-ratelimit-reset-tokens, x-ratelimit-limit-requests-day, " +
        "x-ratelimit-remaining-requests-day, x-ratelimit-reset-requests-day, Mcp-Session-Id, x-assistiv-provider";

    /// <summary>How long a browser may cache a preflight answer, in seconds.</summary>
    public const string MaxAgeSeconds = "600";

    /// <summary>A CORS preflight: <c>OPTIONS</c> with <c>Access-Control-Request-Method</c> (Fetch standard).</summary>
    public static bool IsPreflight(HttpRequest request) =>
        HttpMethods.IsOptions(request.Method) && request.Headers.ContainsKey(HeaderNames.AccessControlRequestMethod);

    /// <summary>Answers a preflight with 204 and the allowed methods and headers.</summary>
    /// <param name="context">The request.</param>
    /// <param name="allowOrigin">The <c>Access-Control-Allow-Origin</c> value (<c>*</c> or the checked origin).</param>
    /// <param name="methods">The <c>Access-Control-Allow-Methods</c> value.</param>
    public static Task AnswerPreflight(HttpContext context, string allowOrigin, string methods)
    {
        var headers = context.Response.Headers;
        context.Response.StatusCode = StatusCodes.Status204NoContent;
        headers.AccessControlAllowOrigin = allowOrigin;
        headers.AccessControlAllowMethods = methods;
        headers.AccessControlAllowHeaders = AllowedHeaders;
        headers.AccessControlMaxAge = MaxAgeSeconds;
        VaryOnOrigin(headers, allowOrigin);
        return Task.CompletedTask;
    }

    /// <summary>Adds <c>Access-Control-Allow-Origin</c> and <c>Access-Control-Expose-Headers</c> to the response when it starts.</summary>
    /// <param name="context">The request.</param>
    /// <param name="allowOrigin">The <c>Access-Control-Allow-Origin</c> value (<c>*</c> or the checked origin).</param>
    public static void OnResponse(HttpContext context, string allowOrigin) =>
        context.Response.OnStarting(static state =>
        {
            var (ctx, allowed) = ((HttpContext, string))state;
            var headers = ctx.Response.Headers;
            headers.AccessControlAllowOrigin = allowed;
            headers.AccessControlExposeHeaders = ExposedHeaders;
            VaryOnOrigin(headers, allowed);
            return Task.CompletedTask;
        }, (context, allowOrigin));

    // An echoed origin makes the answer depend on Origin; "*" does not.
    private static void VaryOnOrigin(IHeaderDictionary headers, string allowOrigin)
    {
        if (allowOrigin != "*")
        {
            headers.Append(HeaderNames.Vary, HeaderNames.Origin);
        }
    }
}
