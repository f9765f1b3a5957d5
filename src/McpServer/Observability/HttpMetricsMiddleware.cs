using System.Collections.Concurrent;

namespace Assistiv.McpServer.Observability;

/// <summary>
/// Measures every request for <see cref="GatewayHttpMetrics"/>. It runs before routing and reads the endpoint that
/// routing chose once the request is done, so the <c>route</c> label is the endpoint's route pattern
/// (<c>/v1/platforms/{platformId}/end-users/{endUserId}</c>), never the raw path.
/// </summary>
internal sealed class HttpMetricsMiddleware(RequestDelegate next, GatewayHttpMetrics metrics, TimeProvider time)
{
    // Route patterns are a fixed set: each label is built once.
    private static readonly ConcurrentDictionary<string, string> s_labels = new(StringComparer.Ordinal);

    public async Task InvokeAsync(HttpContext context)
    {
        var started = time.GetTimestamp();
        var escaped = false;
        try
        {
            await next(context);
        }
        catch
        {
            // Only what the exception handler let through (a failure after the response started): the server answers 500
            // or drops the connection.
            escaped = true;
            throw;
        }
        finally
        {
            var route = context.GetEndpoint() is RouteEndpoint { RoutePattern.RawText: { Length: > 0 } pattern } ? RouteLabel(pattern) : GatewayHttpMetrics.UnmatchedRoute;
            var status = escaped ? StatusCodes.Status500InternalServerError : context.Response.StatusCode;
            metrics.Record(route, GatewayHttpMetrics.MethodLabel(context.Request.Method), status, time.GetElapsedTime(started).TotalSeconds);
        }
    }

    /// <summary>A group's own route (<c>MapGet("")</c> under <c>/v1/platforms/{platformId}</c>) ends in <c>/</c>; the label
    /// drops it, so it reads like the route the contract names.</summary>
    private static string RouteLabel(string pattern) =>
        pattern.Length > 1 && pattern[^1] == '/' ? s_labels.GetOrAdd(pattern, static p => p.TrimEnd('/')) : pattern;
}
