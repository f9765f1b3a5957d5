namespace Assistiv.McpServer.Observability;

/// <summary><c>Gateway:Metrics</c> (API.md §1.3, §1.5).</summary>
internal sealed class MetricsOptions
{
    public const string Section = "Gateway:Metrics";

    /// <summary>
    /// <c>Gateway:Metrics:BearerToken</c>: when set, <c>GET /metrics</c> requires exactly <c>Authorization: Bearer</c>
    /// this token; unset, only loopback clients get it.
    /// </summary>
    public string? BearerToken { get; set; }
}
