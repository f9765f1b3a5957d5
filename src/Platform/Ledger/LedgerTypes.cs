namespace Assistiv.Platform.Ledger;

/// <summary>Ledger row types and directions (API.md §4.6, §4.7, §5.2).</summary>
public static class LedgerTypes
{
    /// <summary>Budget create: <c>max</c> := amount.</summary>
    public const string OpeningBalance = "opening_balance";

    /// <summary><c>POST E/budget/topup</c>.</summary>
    public const string Topup = "topup";

    /// <summary><c>POST E/budget/debit</c>.</summary>
    public const string Debit = "debit";

    /// <summary>Settlement of one model call.</summary>
    public const string Inference = "inference";

    /// <summary>Settlement of one paid tool call.</summary>
    public const string McpTool = "mcp_tool";

    /// <summary>PATCH <c>is_suspended</c> false → true.</summary>
    public const string Suspend = "suspend";

    /// <summary>PATCH <c>is_suspended</c> true → false.</summary>
    public const string Unsuspend = "unsuspend";

    /// <summary>Period boundary (API.md §5.3).</summary>
    public const string PeriodReset = "period_reset";

    /// <summary>PATCH <c>max_usd</c>.</summary>
    public const string Adjustment = "adjustment";

    /// <summary>Wallet top-up.</summary>
    public const string WalletTopUp = "top_up";

    /// <summary>Wallet charge of a model call.</summary>
    public const string LlmUsage = "llm_usage";

    /// <summary>Wallet charge of a paid tool call.</summary>
    public const string McpUsage = "mcp_usage";

    /// <summary><c>remaining</c> (budget) or <c>balance</c> (wallet) rose.</summary>
    public const string Credit = "credit";

    /// <summary>It fell.</summary>
    public const string DebitDirection = "debit";

    /// <summary>Unchanged.</summary>
    public const string None = "none";

    /// <summary>Every budget ledger type, for the <c>type</c> filter (API.md §4.6).</summary>
    public static readonly IReadOnlyList<string> BudgetTypes =
        [OpeningBalance, Topup, Debit, Inference, McpTool, Suspend, Unsuspend, PeriodReset, Adjustment];

    /// <summary>Every wallet ledger type, for the <c>type</c> filter (API.md §4.7).</summary>
    public static readonly IReadOnlyList<string> WalletTypes =
        [WalletTopUp, LlmUsage, McpUsage, "agent_usage", "refund", Adjustment];

    /// <summary>The direction of a change of <c>remaining</c> or <c>balance</c>.</summary>
    /// <param name="delta">New minus old, micro-USD.</param>
    public static string DirectionOf(long delta) => delta > 0 ? Credit : delta < 0 ? DebitDirection : None;
}
