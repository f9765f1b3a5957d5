namespace Assistiv.Platform.Metering;

/// <summary>MCP tool-call metering settings (API.md §1.3, §8.5), bound from <c>Gateway:Mcp</c>.</summary>
public sealed class McpMeteringOptions
{
    /// <summary>Configuration section.</summary>
    public const string Section = "Gateway:Mcp";

    /// <summary>
    /// <c>Gateway:Mcp:FreeCallsPerMonth</c>: successful tool calls per platform per UTC calendar month that are free
    /// (<c>billing_status: "free_tier"</c>). Default 1000; 0 turns the free tier off. Must not be negative.
    /// </summary>
    public long FreeCallsPerMonth { get; set; } = 1000;
}
