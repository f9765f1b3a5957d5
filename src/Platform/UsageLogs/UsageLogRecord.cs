namespace Assistiv.Platform.UsageLogs;

/// <summary>
/// One usage log row (API.md §4.9): an inference call, a Responses call or an MCP tool call. Money columns are micro-USD;
/// the HTTP layer renders them as 6-decimal strings. Prompts and completions are never stored.
/// </summary>
public sealed class UsageLogRecord
{
    /// <summary>UUIDv7 id.</summary>
    public Guid Id { get; set; }

    /// <summary>The <c>x-request-id</c> of the call.</summary>
    public string RequestId { get; set; } = "";

    /// <summary>Owning platform.</summary>
    public Guid PlatformId { get; set; }

    /// <summary>End user, or null for platform-key calls.</summary>
    public Guid? EndUserId { get; set; }

    /// <summary>The key that authenticated the call.</summary>
    public Guid? ApiKeyId { get; set; }

    /// <summary><c>chat.completion</c>, <c>response</c> or <c>mcp_tool</c>.</summary>
    public string RequestType { get; set; } = "";

    /// <summary>Requested model slug.</summary>
    public string? Model { get; set; }

    /// <summary>Provider slug.</summary>
    public string? ProviderId { get; set; }

    /// <summary>LLM config used.</summary>
    public Guid? LlmConfigId { get; set; }

    /// <summary>Upstream model id.</summary>
    public string? ProviderModelId { get; set; }

    /// <summary>Prompt tokens.</summary>
    public int? PromptTokens { get; set; }

    /// <summary>Completion tokens.</summary>
    public int? CompletionTokens { get; set; }

    /// <summary>Total tokens.</summary>
    public int? TotalTokens { get; set; }

    /// <summary>Cached prompt tokens.</summary>
    public int? CachedTokens { get; set; }

    /// <summary>Wall time of the call in milliseconds.</summary>
    public long LatencyMs { get; set; }

    /// <summary>Time to the first streamed token in milliseconds.</summary>
    public long? TimeToFirstTokenMs { get; set; }

    /// <summary>Whether the call streamed.</summary>
    public bool Stream { get; set; }

    /// <summary>Wallet charge in micro-USD (<c>estimated_cost_usd</c>).</summary>
    public long EstimatedCostMicros { get; set; }

    /// <summary>Budget charge in micro-USD (<c>billed_usd</c>).</summary>
    public long BilledMicros { get; set; }

    /// <summary><c>success</c>, <c>error</c>, <c>cancelled</c> or <c>rejected</c>.</summary>
    public string Status { get; set; } = "";

    /// <summary>HTTP status answered, when meaningful.</summary>
    public int? HttpStatus { get; set; }

    /// <summary>Error code (for tool calls the bracketed result code).</summary>
    public string? ErrorCode { get; set; }

    /// <summary>Short error message, never carrying a token.</summary>
    public string? ErrorMessage { get; set; }

    /// <summary><c>reported</c> or <c>estimated</c>; null for tool calls.</summary>
    public string? TokenCountMethod { get; set; }

    /// <summary><c>billed</c>, <c>free_tier</c> or <c>not_billed</c>.</summary>
    public string BillingStatus { get; set; } = "";

    /// <summary>Stored Responses id, if any.</summary>
    public string? ResponseId { get; set; }

    /// <summary>MCP app of a tool call.</summary>
    public string? McpApp { get; set; }

    /// <summary>MCP tool of a tool call.</summary>
    public string? McpTool { get; set; }

    /// <summary>How many routing candidates failed before the one that served.</summary>
    public int FallbackCount { get; set; }

    /// <summary>The request's <c>metadata</c> object as JSON.</summary>
    public string MetadataJson { get; set; } = "{}";

    /// <summary>Creation time.</summary>
    public DateTimeOffset CreatedAt { get; set; }
}
