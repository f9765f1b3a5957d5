using System.Diagnostics.Metrics;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Assistiv.Connectors.Registry;
using Assistiv.McpServer.Auth;
using Assistiv.OAuthBroker.Refresh;
using Assistiv.McpServer.Errors;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;

namespace Assistiv.McpServer.Observability;

/// <summary>
/// <c>GET /metrics</c> (API.md §1.5, §2.8 row 46): Prometheus text format 0.0.4 written by the OpenTelemetry Prometheus
/// exporter from the gateway's <see cref="System.Diagnostics.Metrics"/> meters (HTTP here, tool calls in Connectors,
/// refreshes in the OAuth broker). A family appears once the feature that feeds it exists: only these meters are
/// exported (docs/decisions/0080-metrics-exporter.md).
/// </summary>
internal static class MetricsEndpoint
{
    public const string Path = "/metrics";

    public static WebApplicationBuilder AddGatewayMetrics(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<MetricsOptions>().BindConfiguration(MetricsOptions.Section);
        services.AddMetrics();
        services.AddSingleton<GatewayHttpMetrics>();
        services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(GatewayHttpMetrics.MeterName, ToolCallMetrics.MeterName, RefreshMetrics.MeterName)
            .AddPrometheusExporter(o =>
            {
                // Each scrape reads the meters now: a cached answer would hide the requests just made.
                o.ScrapeResponseCacheDurationMilliseconds = 0;
                // The families of API.md §1.5 and nothing else: no target_info, no otel_scope_* labels.
                o.TargetInfoEnabled = false;
                o.ScopeInfoEnabled = false;
            }));
        // The SDK listens to meters by name process-wide; only the meters made by this host's IMeterFactory are its own
        // (tests run several hosts in one process).
        services.ConfigureOpenTelemetryMeterProvider(static (sp, metrics) =>
        {
            var own = sp.GetRequiredService<IMeterFactory>();
            metrics.AddView(instrument => ReferenceEquals(instrument.Meter.Scope, own) ? null : MetricStreamConfiguration.Drop);
        });
        return builder;
    }

    /// <summary>Measures every request; runs first so that refusals before routing are counted too.</summary>
    public static IApplicationBuilder UseGatewayHttpMetrics(this IApplicationBuilder app) => app.UseMiddleware<HttpMetricsMiddleware>();

    public static WebApplication MapGatewayMetrics(this WebApplication app)
    {
        app.MapPrometheusScrapingEndpoint(Path, meterProvider: null, configureBranchedPipeline: static branch => branch.Use(GateAsync), optionsName: null)
            .WithMetadata(new HttpMethodMetadata([HttpMethods.Get]));
        return app;
    }

    /// <summary>
    /// API.md §1.5: with a token, exactly <c>Bearer &lt;token&gt;</c> or 401 <c>invalid_api_key</c> (gateway keys and a
    /// missing header included); without one, loopback clients only, others 404 whatever they send.
    /// </summary>
    private static Task GateAsync(HttpContext context, RequestDelegate next)
    {
        var token = context.RequestServices.GetRequiredService<IOptions<MetricsOptions>>().Value.BearerToken;
        if (!string.IsNullOrEmpty(token))
        {
            return Matches(context.Request.Headers.Authorization.ToString(), token)
                ? next(context)
                : ApiErrors.InvalidApiKey().ExecuteAsync(context);
        }

        return context.Connection.RemoteIpAddress is { } remote && IPAddress.IsLoopback(remote)
            ? next(context)
            : ApiErrors.NotFound("No such route.").ExecuteAsync(context);
    }

    private static bool Matches(string header, string token)
    {
        // The scheme is read as for keys (API.md §2.3); the token must be exactly the configured one, compared in constant
        // time so that a caller learns nothing about how much of it was right.
        var given = ApiKeyAuthenticationHandler.ReadBearer(header);
        return given is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), Encoding.UTF8.GetBytes(token));
    }
}
