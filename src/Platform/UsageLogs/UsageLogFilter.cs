namespace Assistiv.Platform.UsageLogs;

/// <summary>
/// Filters of a log search (API.md §4.9), all optional and combined with AND. Ids are resolved within the caller's
/// platform, so another platform's ids match nothing (API.md §2.6).
/// </summary>
/// <param name="EndUserId">Exact end user (also a deleted one's old id).</param>
/// <param name="Model">Exact model slug.</param>
/// <param name="Since">Inclusive lower bound of <c>created_at</c>.</param>
/// <param name="Until">Exclusive upper bound of <c>created_at</c>.</param>
/// <param name="RequestType"><c>chat.completion</c>, <c>response</c> or <c>mcp_tool</c>.</param>
/// <param name="Status"><c>success</c>, <c>error</c>, <c>cancelled</c> or <c>rejected</c>.</param>
/// <param name="RequestId">Exact <c>request_id</c>.</param>
public sealed record UsageLogFilter(
    Guid? EndUserId = null,
    string? Model = null,
    DateTimeOffset? Since = null,
    DateTimeOffset? Until = null,
    string? RequestType = null,
    string? Status = null,
    string? RequestId = null)
{
    /// <summary>The <c>request_type</c> values (API.md §4.9).</summary>
    public static IReadOnlyList<string> RequestTypes { get; } = ["chat.completion", "response", "mcp_tool"];

    /// <summary>The <c>status</c> values (API.md §4.9).</summary>
    public static IReadOnlyList<string> Statuses { get; } = ["success", "error", "cancelled", "rejected"];
}
