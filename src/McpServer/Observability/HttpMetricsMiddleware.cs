using System.Collections.Concurrent;

namespace Assistiv.McpServer.Observability;

/// <summary>
/// Measures every request for <see cref="GatewayHttpMetrics"/> and writes its one request line (category
/// <c>Assistiv.McpServer.Requests</c>, Information; decision 0086). It runs before routing and reads the endpoint that
/// routing chose once the request is done, so the <c>route</c> label and the logged route are the endpoint's route
/// pattern (<c>/v1/platforms/{platformId}/end-users/{endUserId}</c>), never the raw path or query, which may carry what
/// a client should not have sent.
/// </summary>
internal sealed partial class HttpMetricsMiddleware(RequestDelegate next, GatewayHttpMetrics metrics, TimeProvider time, ILoggerFactory loggers)
{
    /// <summary>The request lines' category.</summary>
    public const string LogCategory = "Assistiv.McpServer.Requests";

    private readonly ILogger _requests = loggers.CreateLogger(LogCategory);

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
            var method = GatewayHttpMetrics.MethodLabel(context.Request.Method);
            var elapsed = time.GetElapsedTime(started);
            metrics.Record(route, method, status, elapsed.TotalSeconds);
            LogRequest(_requests, method, route, status, elapsed.TotalMilliseconds, context.TraceIdentifier);
        }
    }

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "{Method} {Route} answered {StatusCode} in {ElapsedMs:0.0} ms ({RequestId}).")]
    private static partial void LogRequest(ILogger logger, string method, string route, int statusCode, double elapsedMs, string requestId);

    /// <summary>A group's own route (<c>MapGet("")</c> under <c>/v1/platforms/{platformId}</c>) ends in <c>/</c>; the label
    /// drops it, so it reads like the route the contract names.</summary>
    private static string RouteLabel(string pattern) =>
        pattern.Length > 1 && pattern[^1] == '/' ? s_labels.GetOrAdd(pattern, static p => p.TrimEnd('/')) : pattern;
}
