using System.Globalization;
using Assistiv.McpServer.Auth;
using Assistiv.McpServer.Errors;
using Assistiv.McpServer.Json;
using Assistiv.Platform.Budgets;
using Assistiv.Platform.Ledger;
using Assistiv.Platform.Tenancy;

namespace Assistiv.McpServer.Endpoints.Platforms;

/// <summary>
/// API.md §4.6 budgets under <c>P/end-users/{euid}/budget</c> and the §4.13 <c>GET E/wallet</c> alias. Order of checks
/// (§2.6): body (400) → validation (422) → end user (404 <c>not_found</c>) → budget (404 <c>no_active_budget</c>).
/// </summary>
internal static class BudgetsEndpoints
{
    public static RouteGroupBuilder MapBudgets(this RouteGroupBuilder platform)
    {
        var budget = platform.MapGroup("/end-users/{endUserId}/budget");
        budget.MapPost("", CreateAsync);
        budget.MapGet("", GetAsync);
        budget.MapPatch("", PatchAsync);
        budget.MapDelete("", DeleteAsync);
        budget.MapPost("/topup", TopupAsync);
        budget.MapPost("/debit", DebitAsync);
        budget.MapGet("/transactions", TransactionsAsync);
        platform.MapGet("/end-users/{endUserId}/wallet", EndUserWalletAsync);
        return platform;
    }

    private static async Task<IResult> CreateAsync(HttpContext http, string endUserId, BudgetService budgets, CancellationToken ct)
    {
        var (body, error) = await JsonBody.ReadObjectAsync(http.Request, ct);
        if (error is not null)
        {
            return error;
        }

        var f = new FieldReader(body);
        var max = f.Money("max_usd", required: true);
        var period = ReadPeriod(f) ?? BudgetPeriods.OneTime;
        var auto = f.Bool("auto_replenish") ?? false;
        var replenish = f.Money("replenish_amount", allowNull: true);
        var threshold = f.Money("low_balance_threshold", allowZero: true, allowNull: true);
        if (f.Error is null && auto && period == BudgetPeriods.OneTime)
        {
            f.Fail("auto_replenish", "'auto_replenish' needs a daily or monthly period.");
        }

        if (f.Error is null && auto && replenish is null)
        {
            f.Fail("replenish_amount", "'replenish_amount' is required with 'auto_replenish'.");
        }

        if (f.Error is not null)
        {
            return f.Error;
        }

        var pid = http.RequireKeyPrincipal().PlatformId;
        var id = PlatformEndpoints.ParseId(endUserId);
        if (id is null)
        {
            return ApiErrors.NotFound("No such end user.");
        }

        var result = await budgets.CreateAsync(pid, id.Value, new BudgetSettings(max!.Value, period, auto, replenish, threshold), http.TraceIdentifier, ct);
        return result.Outcome switch
        {
            BudgetOutcome.Ok => Results.Json(BudgetDto.From(result.Budget!), BudgetsJsonContext.Default.BudgetDto, statusCode: 201),
            BudgetOutcome.Exists => ApiErrors.BudgetExists(),
            _ => ApiErrors.NotFound("No such end user."),
        };
    }

    private static async Task<IResult> GetAsync(HttpContext http, string endUserId, EndUserService endUsers, BudgetService budgets, CancellationToken ct)
    {
        var (user, notFound) = await FindEndUserAsync(http, endUserId, endUsers, ct);
        if (notFound is not null)
        {
            return notFound;
        }

        var budget = await budgets.GetActiveAsync(user!.PlatformId, user.Id, http.TraceIdentifier, ct);
        return budget is null ? ApiErrors.NoActiveBudget() : Results.Json(BudgetDto.From(budget), BudgetsJsonContext.Default.BudgetDto);
    }

    private static async Task<IResult> PatchAsync(HttpContext http, string endUserId, EndUserService endUsers, BudgetService budgets, CancellationToken ct)
    {
        var (body, error) = await JsonBody.ReadObjectAsync(http.Request, ct);
        if (error is not null)
        {
            return error;
        }

        var f = new FieldReader(body);
        var patch = new BudgetPatch
        {
            MaxMicros = f.Money("max_usd", allowZero: true),
            Period = ReadPeriod(f),
            AutoReplenish = f.Bool("auto_replenish"),
            SetReplenish = f.Has("replenish_amount"),
            ReplenishMicros = f.Money("replenish_amount", allowNull: true),
            SetThreshold = f.Has("low_balance_threshold"),
            LowBalanceThresholdMicros = f.Money("low_balance_threshold", allowZero: true, allowNull: true),
            IsSuspended = f.Bool("is_suspended"),
        };
        if (f.Error is not null)
        {
            return f.Error;
        }

        var (user, notFound) = await FindEndUserAsync(http, endUserId, endUsers, ct);
        if (notFound is not null)
        {
            return notFound;
        }

        var result = await budgets.PatchAsync(user!.PlatformId, user.Id, patch, http.TraceIdentifier, ct);
        return result.Outcome switch
        {
            BudgetOutcome.Ok => Results.Json(BudgetDto.From(result.Budget!), BudgetsJsonContext.Default.BudgetDto),
            BudgetOutcome.Invalid => ApiErrors.Validation(result.Param, result.Message!),
            _ => ApiErrors.NoActiveBudget(),
        };
    }

    private static async Task<IResult> DeleteAsync(HttpContext http, string endUserId, EndUserService endUsers, BudgetService budgets, CancellationToken ct)
    {
        var (user, notFound) = await FindEndUserAsync(http, endUserId, endUsers, ct);
        if (notFound is not null)
        {
            return notFound;
        }

        return await budgets.DeactivateAsync(user!.PlatformId, user.Id, ct) ? Results.NoContent() : ApiErrors.NoActiveBudget();
    }

    private static Task<IResult> TopupAsync(HttpContext http, string endUserId, EndUserService endUsers, BudgetService budgets, CancellationToken ct) =>
        ChangeAsync(http, endUserId, endUsers, budgets, debit: false, ct);

    private static Task<IResult> DebitAsync(HttpContext http, string endUserId, EndUserService endUsers, BudgetService budgets, CancellationToken ct) =>
        ChangeAsync(http, endUserId, endUsers, budgets, debit: true, ct);

    private static async Task<IResult> ChangeAsync(HttpContext http, string endUserId, EndUserService endUsers, BudgetService budgets, bool debit,
        CancellationToken ct)
    {
        var (body, error) = await JsonBody.ReadObjectAsync(http.Request, ct);
        if (error is not null)
        {
            return error;
        }

        var f = new FieldReader(body);
        var amount = f.Money("amount_usd", required: true);
        var reason = f.String("reason", min: 0, max: 500, allowNull: true);
        var metadata = f.Metadata("metadata");
        var allowNegative = debit ? f.Bool("allow_negative") ?? false : false;
        if (f.Error is not null)
        {
            return f.Error;
        }

        var (user, notFound) = await FindEndUserAsync(http, endUserId, endUsers, ct);
        if (notFound is not null)
        {
            return notFound;
        }

        var result = debit
            ? await budgets.DebitAsync(user!.PlatformId, user.Id, amount!.Value, allowNegative, reason, metadata, http.TraceIdentifier, ct)
            : await budgets.TopupAsync(user!.PlatformId, user.Id, amount!.Value, reason, metadata, http.TraceIdentifier, ct);
        return result.Outcome switch
        {
            BudgetOutcome.Ok => Results.Json(new BudgetChangeDto(BudgetDto.From(result.Budget!), BudgetTransactionDto.From(result.Transaction!)),
                BudgetsJsonContext.Default.BudgetChangeDto),
            BudgetOutcome.Exhausted => ApiErrors.BudgetExhausted(),
            BudgetOutcome.Invalid => ApiErrors.Validation(result.Param, result.Message!),
            _ => ApiErrors.NoActiveBudget(),
        };
    }

    private static async Task<IResult> TransactionsAsync(HttpContext http, string endUserId, EndUserService endUsers, BudgetService budgets,
        CancellationToken ct)
    {
        var (query, queryError) = LedgerQueryReader.Read(http.Request, LedgerTypes.BudgetTypes);
        if (queryError is not null)
        {
            return queryError;
        }

        Guid? budgetId = null;
        if (http.Request.Query.TryGetValue("budget_id", out var b))
        {
            if (PlatformEndpoints.ParseId(b.ToString()) is not { } parsed)
            {
                return ApiErrors.Validation("budget_id", "'budget_id' must be a budget id.");
            }

            budgetId = parsed;
        }

        var (user, notFound) = await FindEndUserAsync(http, endUserId, endUsers, ct);
        if (notFound is not null)
        {
            return notFound;
        }

        BudgetRecord? budget;
        if (budgetId is { } bid)
        {
            budget = await budgets.FindAsync(user!.PlatformId, user.Id, bid, ct);
            if (budget is null)
            {
                return ApiErrors.NotFound("No such budget for this end user.", "budget_id");
            }
        }
        else
        {
            budget = await budgets.GetActiveAsync(user!.PlatformId, user.Id, http.TraceIdentifier, ct);
            if (budget is null)
            {
                return ApiErrors.NoActiveBudget();
            }
        }

        return await TransactionsPageAsync(budgets, budget.Id, query!, ct);
    }

    /// <summary>The §4.6 ledger page of one budget (shared with <c>/v1/me/budget/transactions</c>).</summary>
    public static async Task<IResult> TransactionsPageAsync(BudgetService budgets, Guid budgetId, LedgerQuery query, CancellationToken ct)
    {
        var page = await budgets.ListTransactionsAsync(budgetId, query, ct);
        var envelope = new ListEnvelope<BudgetTransactionDto>(page.Items.Select(BudgetTransactionDto.From).ToList(), page.Total,
            query.Cursor is null ? query.Page : null, query.Limit, page.HasMore, page.NextCursor);
        return Results.Json(envelope, BudgetsJsonContext.Default.ListEnvelopeBudgetTransactionDto);
    }

    private static async Task<IResult> EndUserWalletAsync(HttpContext http, string endUserId, EndUserService endUsers, BudgetService budgets,
        CancellationToken ct)
    {
        var (user, notFound) = await FindEndUserAsync(http, endUserId, endUsers, ct);
        if (notFound is not null)
        {
            return notFound;
        }

        var budget = await budgets.GetActiveAsync(user!.PlatformId, user.Id, http.TraceIdentifier, ct);
        if (budget is null)
        {
            return ApiErrors.NoActiveBudget();
        }

        var ledger = new UsdLedgerDto(new(budget.MaxMicros), new(budget.UsedMicros), new(budget.MaxMicros - budget.UsedMicros), budget.IsActive,
            budget.IsSuspended);
        return Results.Json(new EndUserWalletDto(user.Id, budget.Id, ledger, null), BudgetsJsonContext.Default.EndUserWalletDto);
    }

    private static async Task<(EndUserRecord? User, ApiErrorResult? NotFound)> FindEndUserAsync(HttpContext http, string endUserId,
        EndUserService endUsers, CancellationToken ct)
    {
        var id = PlatformEndpoints.ParseId(endUserId);
        var user = id is null ? null : await endUsers.FindAsync(http.RequireKeyPrincipal().PlatformId, id.Value, ct);
        return user is null ? (null, ApiErrors.NotFound("No such end user.")) : (user, null);
    }

    private static string? ReadPeriod(FieldReader f)
    {
        var period = f.String("period");
        if (period is not null && !BudgetPeriods.IsValid(period))
        {
            f.Fail("period", "'period' must be one_time, daily or monthly.");
            return null;
        }

        return period;
    }
}

/// <summary>
/// Query parameters of the ledger lists (API.md §0.2, §4.6, §4.7): <c>limit</c>, <c>page</c> or <c>cursor</c>,
/// <c>since</c> (inclusive), <c>until</c> (exclusive), <c>type</c> (one or a comma-separated list), <c>order</c>.
/// </summary>
internal static class LedgerQueryReader
{
    public static (LedgerQuery? Query, ApiErrorResult? Error) Read(HttpRequest request, IReadOnlyList<string> validTypes)
    {
        var (paging, pagingError) = Paging.From(request);
        if (pagingError is not null)
        {
            return (null, pagingError);
        }

        var q = request.Query;
        var ascending = false;
        if (q.TryGetValue("order", out var order))
        {
            switch (order.ToString())
            {
                case "asc":
                    ascending = true;
                    break;
                case "desc":
                    break;
                default:
                    return (null, ApiErrors.Validation("order", "'order' must be asc or desc."));
            }
        }

        LedgerCursor? cursor = null;
        if (q.TryGetValue("cursor", out var c))
        {
            if (!LedgerCursor.TryDecode(c.ToString(), out cursor) || cursor!.Ascending != ascending)
            {
                return (null, ApiErrors.Validation("cursor", "'cursor' is not a cursor of this list and order."));
            }
        }

        var (since, sinceError) = Timestamp(request, "since");
        if (sinceError is not null)
        {
            return (null, sinceError);
        }

        var (until, untilError) = Timestamp(request, "until");
        if (untilError is not null)
        {
            return (null, untilError);
        }

        if (since is not null && until is not null && since >= until)
        {
            return (null, ApiErrors.Validation("until", "'since' must be before 'until'."));
        }

        List<string>? types = null;
        if (q.TryGetValue("type", out var t))
        {
            types = [];
            foreach (var value in t.ToString().Split(',', StringSplitOptions.TrimEntries))
            {
                if (!validTypes.Contains(value))
                {
                    return (null, ApiErrors.Validation("type", $"'type' must be among {string.Join(", ", validTypes)}."));
                }

                types.Add(value);
            }
        }

        return (new LedgerQuery(paging.Limit, paging.Page, cursor, since, until, types, ascending), null);
    }

    private static (DateTimeOffset? Value, ApiErrorResult? Error) Timestamp(HttpRequest request, string name)
    {
        if (!request.Query.TryGetValue(name, out var v))
        {
            return (null, null);
        }

        var s = v.ToString();
        return s.Contains('T', StringComparison.Ordinal)
            && DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal, out var t)
            && (s.EndsWith('Z') || s.EndsWith('z') || s.LastIndexOfAny(['+', '-']) > s.IndexOf('T', StringComparison.Ordinal))
                ? (t, null)
                : (null, ApiErrors.Validation(name, $"'{name}' must be an RFC 3339 timestamp."));
    }
}
