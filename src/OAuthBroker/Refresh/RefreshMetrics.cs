using System.Diagnostics.Metrics;

namespace Assistiv.OAuthBroker.Refresh;

/// <summary>
/// The refresh path's meter: <c>gateway_oauth_refresh_total{app,result}</c> (API.md §1.5), one count per refresh flight
/// that needed a new token (a flight that finds a token another flight stored counts nothing). <c>result</c>:
/// <c>success</c>, <c>needs_reauth</c> (terminal refresh error, §9.5) or <c>upstream_unavailable</c> (transient failure)
/// (docs/decisions/0081-metrics-labels.md).
/// </summary>
public sealed class RefreshMetrics
{
    /// <summary>The meter's name (<see cref="Meter.Name"/>); the host's exporter subscribes to it.</summary>
    public const string MeterName = "Assistiv.OAuthBroker";

    /// <summary>The instrument name; the Prometheus exporter adds <c>_total</c>.</summary>
    public const string RefreshName = "gateway_oauth_refresh";

    private readonly Counter<long> _refreshes;

    /// <summary>Creates the meter through the host's <see cref="IMeterFactory"/>.</summary>
    /// <param name="meters">The meter factory (<c>AddMetrics()</c>).</param>
    public RefreshMetrics(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        var meter = meters.Create(MeterName);
        _refreshes = meter.CreateCounter<long>(RefreshName, description: "OAuth token refreshes, by app and result (API.md §9.5).");
    }

    internal void Success(string app) => Record(app, "success");

    internal void NeedsReauth(string app) => Record(app, "needs_reauth");

    internal void Transient(string app) => Record(app, "upstream_unavailable");

    private void Record(string app, string result) =>
        _refreshes.Add(1, new KeyValuePair<string, object?>("app", app), new KeyValuePair<string, object?>("result", result));
}
