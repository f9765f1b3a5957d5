using Assistiv.McpServer.Auth;
using Assistiv.McpServer.Errors;
using Assistiv.McpServer.Endpoints.Platforms;
using Assistiv.Platform.Budgets;
using Assistiv.Platform.Ledger;

namespace Assistiv.McpServer.Endpoints.Me;

/// <summary>API.md §4.10: <c>GET /v1/me/budget</c> (also while suspended) and <c>GET /v1/me/budget/transactions</c>.</summary>
internal static class MeBudgetEndpoints
{
    public static RouteGroupBuilder MapMeBudget(this RouteGroupBuilder me)
    {
        me.MapGet("/budget", GetAsync);
        me.MapGet("/budget/transactions", TransactionsAsync);
        return me;
    }

    private static async Task<IResult> GetAsync(HttpContext http, BudgetService budgets, CancellationToken ct)
    {
        var key = http.RequireKeyPrincipal();
        var budget = await budgets.GetActiveAsync(key.PlatformId, key.EndUserId!.Value, http.TraceIdentifier, ct);
        return budget is null ? ApiErrors.NoActiveBudget() : Results.Json(BudgetDto.From(budget), BudgetsJsonContext.Default.BudgetDto);
    }

    private static async Task<IResult> TransactionsAsync(HttpContext http, BudgetService budgets, CancellationToken ct)
    {
        if (http.Request.Query.ContainsKey("budget_id"))
        {
            // API.md §4.10: the caller reads only its active budget's ledger.
            return ApiErrors.Validation("budget_id", "'budget_id' is not accepted on /v1/me/budget/transactions.");
        }

        var (query, queryError) = LedgerQueryReader.Read(http.Request, LedgerTypes.BudgetTypes);
        if (queryError is not null)
        {
            return queryError;
        }

        var key = http.RequireKeyPrincipal();
        var budget = await budgets.GetActiveAsync(key.PlatformId, key.EndUserId!.Value, http.TraceIdentifier, ct);
        return budget is null ? ApiErrors.NoActiveBudget() : await BudgetsEndpoints.TransactionsPageAsync(budgets, budget.Id, query!, ct);
    }
}
