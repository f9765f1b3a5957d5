namespace Assistiv.Platform.Holds;

/// <summary>
/// An open reservation (API.md §5.6) on the wallet and, when the end user has an active budget, on that budget. The row
/// exists only while the hold is open: settlement and release delete it in the transaction that books the outcome.
/// </summary>
public sealed class HoldRecord
{
    /// <summary>UUIDv7 id.</summary>
    public Guid Id { get; set; }

    /// <summary>The platform.</summary>
    public Guid PlatformId { get; set; }

    /// <summary>The platform's wallet.</summary>
    public Guid WalletId { get; set; }

    /// <summary>The budget held against, or null (no budget, or the budget was deactivated meanwhile).</summary>
    public Guid? BudgetId { get; set; }

    /// <summary>The end user, or null for platform-key calls.</summary>
    public Guid? EndUserId { get; set; }

    /// <summary>The key that made the call.</summary>
    public Guid? ApiKeyId { get; set; }

    /// <summary>The <c>x-request-id</c> of the call.</summary>
    public string RequestId { get; set; } = "";

    /// <summary>Usage-log request type of the call (<c>chat.completion</c>, <c>response</c>, <c>mcp_tool</c>).</summary>
    public string RequestType { get; set; } = "";

    /// <summary>Model slug of an inference call.</summary>
    public string? Model { get; set; }

    /// <summary>App of a tool call.</summary>
    public string? McpApp { get; set; }

    /// <summary>Tool of a tool call.</summary>
    public string? McpTool { get; set; }

    /// <summary>Amount held on the wallet, micro-USD.</summary>
    public long WalletMicros { get; set; }

    /// <summary>Amount held on the budget (with markup), micro-USD; 0 when <see cref="BudgetId"/> is null.</summary>
    public long BudgetMicros { get; set; }

    /// <summary><c>Gateway:InstanceId</c> of the instance that made the hold (start-up release, §5.6).</summary>
    public string InstanceId { get; set; } = "";

    /// <summary>Creation time (the sweeper releases holds older than the total timeout + 60 s).</summary>
    public DateTimeOffset CreatedAt { get; set; }
}
