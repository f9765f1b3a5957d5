using System.Text.Json.Nodes;

namespace Assistiv.Connectors.Registry;

/// <summary>What the tool broker answers to one <c>tools/call</c> (API.md §8.5).</summary>
public abstract record ToolCallOutcome
{
    private protected ToolCallOutcome()
    {
    }

    /// <summary>
    /// The tool is unknown, hidden by policy, of an app that is not activated, or of another app on <c>/mcp/{app}</c>:
    /// the MCP layer answers JSON-RPC <c>-32602</c>; nothing was logged.
    /// </summary>
    public sealed record UnknownTool(string Name) : ToolCallOutcome;

    /// <summary>A tool result (success or an <c>isError</c> result whose text starts with <c>[code]</c>).</summary>
    /// <param name="Text">The single text content block (compact JSON on success, <c>[code] cause</c> on error).</param>
    /// <param name="StructuredContent">The <c>structuredContent</c> object for tools with an <c>outputSchema</c>, else null.</param>
    /// <param name="IsError">The result's <c>isError</c>.</param>
    /// <param name="ErrorCode">The bracketed code of an error result (e.g. <c>upstream_not_found</c>), else null.</param>
    public sealed record Completed(string Text, JsonObject? StructuredContent, bool IsError, string? ErrorCode) : ToolCallOutcome;

    /// <summary>
    /// The app is not connected for this user, or needs re-authorization. <see cref="Message"/> is the exact text of
    /// API.md §8.5 (<c>[not_connected] GitHub is not connected for this user. Open this link to connect it, then retry:
    /// &lt;url&gt;</c>), link included; the MCP layer uses it as the tool result text or as the elicitation message.
    /// </summary>
    /// <param name="App">The app id.</param>
    /// <param name="Code"><c>not_connected</c> or <c>needs_reauth</c>.</param>
    /// <param name="ConnectUrl">The single-use connect link.</param>
    /// <param name="Message">The full text, link included.</param>
    public sealed record ConnectRequired(string App, string Code, Uri ConnectUrl, string Message) : ToolCallOutcome;
}
