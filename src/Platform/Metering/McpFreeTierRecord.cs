namespace Assistiv.Platform.Metering;

/// <summary>
/// The MCP free-tier counter of one platform for one UTC calendar month (API.md §8.5): a call claims a slot while
/// <c>SettledFree + ClaimedFree &lt; FreeCallsPerMonth</c>; success moves it to settled, failure returns it.
/// </summary>
public sealed class McpFreeTierRecord
{
    /// <summary>The platform.</summary>
    public Guid PlatformId { get; set; }

    /// <summary>UTC month as <c>yyyy-MM</c>.</summary>
    public string Month { get; set; } = "";

    /// <summary>Successful free calls.</summary>
    public long SettledFree { get; set; }

    /// <summary>Free slots claimed by calls in flight.</summary>
    public long ClaimedFree { get; set; }
}
