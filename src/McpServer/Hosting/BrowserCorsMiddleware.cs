namespace Assistiv.McpServer.Hosting;

/// <summary>
/// CORS for the routes usable with <c>sk-eu_</c> keys from a browser other than <c>/mcp*</c> (API.md §1.6):
/// <c>/v1/me*</c> and the inference paths <c>/v1/chat/completions</c>, <c>/v1/responses*</c>, <c>/v1/models*</c>
/// (matched by path, whether or not their endpoints exist yet). Any origin, no credentials: a preflight is answered here,
/// before routing and authentication, with <c>Access-Control-Allow-Origin: *</c>; a real request with <c>Origin</c> gets
/// the same origin value and the exposed headers. Management routes are not matched and carry no CORS header.
/// </summary>
internal sealed class BrowserCorsMiddleware(RequestDelegate next)
{
    // Every method those routes use: GET (me, models, stored responses), POST (inference), DELETE (me/connections).
    private const string Methods = "GET, POST, DELETE";

    public Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        if (!request.Headers.ContainsKey(Microsoft.Net.Http.Headers.HeaderNames.Origin) || !IsBrowserRoute(request.Path))
        {
            return next(context);
        }

        if (CorsHeaders.IsPreflight(request))
        {
            return CorsHeaders.AnswerPreflight(context, "*", Methods);
        }

        CorsHeaders.OnResponse(context, "*");
        return next(context);
    }

    /// <summary>API.md §1.6: <c>/v1/chat/completions</c>, <c>/v1/responses*</c>, <c>/v1/models*</c>, <c>/v1/me*</c>.</summary>
    internal static bool IsBrowserRoute(PathString path) =>
        path.StartsWithSegments("/v1/me", StringComparison.OrdinalIgnoreCase)
        || path.StartsWithSegments("/v1/chat/completions", StringComparison.OrdinalIgnoreCase)
        || path.StartsWithSegments("/v1/responses", StringComparison.OrdinalIgnoreCase)
        || path.StartsWithSegments("/v1/models", StringComparison.OrdinalIgnoreCase);
}
