using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Assistiv.McpServer.Observability;

/// <summary>
/// The HTTP meter of API.md §1.5: <c>gateway_http_requests_total{route,method,status}</c> and the histogram
/// <c>gateway_http_request_duration_seconds{route,method,status}</c>. Labels are bounded by construction: <c>route</c>
/// is the matched endpoint's route pattern (never a raw path, id, key or query), <c>method</c> one of the standard
/// methods or <c>OTHER</c>, <c>status</c> the numeric status code (docs/decisions/0081-metrics-labels.md).
/// </summary>
internal sealed class GatewayHttpMetrics
{
    public const string MeterName = "Assistiv.Gateway";

    public const string RequestsName = "gateway_http_requests";

    public const string DurationName = "gateway_http_request_duration";

    /// <summary>The route label of a request that no endpoint served (preflights and refusals before routing, 404s).</summary>
    public const string UnmatchedRoute = "unmatched";

    // ASP.NET Core's http.server.request.duration boundaries, plus 30 s and 60 s for MCP calls and long SSE answers.
    private static readonly double[] s_buckets = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 30, 60];

    private readonly Counter<long> _requests;
    private readonly Histogram<double> _duration;

    public GatewayHttpMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _requests = meter.CreateCounter<long>(RequestsName, description: "HTTP requests served, by route pattern, method and status.");
        _duration = meter.CreateHistogram(DurationName, unit: "s", description: "HTTP request duration, by route pattern, method and status.",
            tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = s_buckets });
    }

    public void Record(string route, string method, int status, double seconds)
    {
        var tags = new TagList
        {
            { "route", route },
            { "method", method },
            { "status", StatusLabel(status) },
        };
        _requests.Add(1, tags);
        _duration.Record(seconds, tags);
    }

    /// <summary>The method label: the standard methods by name, anything else <c>OTHER</c> (a client picks the method).</summary>
    public static string MethodLabel(string method) => method switch
    {
        _ when HttpMethods.IsGet(method) => "GET",
        _ when HttpMethods.IsPost(method) => "POST",
        _ when HttpMethods.IsPut(method) => "PUT",
        _ when HttpMethods.IsPatch(method) => "PATCH",
        _ when HttpMethods.IsDelete(method) => "DELETE",
        _ when HttpMethods.IsOptions(method) => "OPTIONS",
        _ when HttpMethods.IsHead(method) => "HEAD",
        _ => "OTHER",
    };

    private static string StatusLabel(int status) => status switch
    {
        200 => "200",
        201 => "201",
        204 => "204",
        302 => "302",
        400 => "400",
        401 => "401",
        403 => "403",
        404 => "404",
        405 => "405",
        _ => status.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
