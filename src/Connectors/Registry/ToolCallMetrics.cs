using System.Diagnostics.Metrics;

namespace Assistiv.Connectors.Registry;

/// <summary>
/// The tool broker's meter: <c>gateway_mcp_tool_calls_total{app,result}</c> (API.md §1.5), one count per
/// <c>tools/call</c> of a known, visible tool (the calls that write an <c>mcp_tool</c> log row, §8.5). <c>app</c> is a
/// catalogue app id; <c>result</c> is <c>success</c> or a bracketed code of the closed list below, so the label set stays
/// bounded whatever an upstream answers (docs/decisions/0081-metrics-labels.md).
/// </summary>
public sealed class ToolCallMetrics
{
    /// <summary>The meter's name (<see cref="Meter.Name"/>); the host's exporter subscribes to it.</summary>
    public const string MeterName = "Assistiv.Connectors";

    /// <summary>The instrument name; the Prometheus exporter adds <c>_total</c>.</summary>
    public const string ToolCallsName = "gateway_mcp_tool_calls";

    /// <summary>Results other than these codes are counted as <c>error</c>.</summary>
    private static readonly HashSet<string> s_codes = new(StringComparer.Ordinal)
    {
        "invalid_arguments", "not_connected", "needs_reauth", "budget_suspended", "budget_exhausted", "wallet_insufficient",
        "upstream_forbidden", "upstream_not_found", "upstream_rejected", "upstream_rate_limited", "upstream_unavailable",
        "upstream_timeout", "cancelled", "internal_error",
    };

    private readonly Counter<long> _calls;

    /// <summary>Creates the meter through the host's <see cref="IMeterFactory"/>.</summary>
    /// <param name="meters">The meter factory (<c>AddMetrics()</c>).</param>
    public ToolCallMetrics(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        var meter = meters.Create(MeterName);
        _calls = meter.CreateCounter<long>(ToolCallsName, description: "MCP tools/call of a known, visible tool, by app and result (API.md §8.5).");
    }

    /// <summary>Counts one finished call.</summary>
    /// <param name="app">The catalogue app id.</param>
    /// <param name="success">Whether the call succeeded.</param>
    /// <param name="errorCode">The bracketed code of a failed call (e.g. <c>upstream_not_found</c>).</param>
    public void Record(string app, bool success, string? errorCode)
    {
        var result = success ? "success" : errorCode is not null && s_codes.Contains(errorCode) ? errorCode : "error";
        _calls.Add(1, new KeyValuePair<string, object?>("app", app), new KeyValuePair<string, object?>("result", result));
    }
}
