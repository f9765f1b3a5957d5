using Assistiv.McpServer.Auth;
using Assistiv.McpServer.Errors;
using Assistiv.McpServer.Json;
using Assistiv.Platform.Ledger;
using Assistiv.Platform.Wallet;

namespace Assistiv.McpServer.Endpoints.Platforms;

/// <summary>API.md §4.7 platform wallet: GET and transactions (management), PATCH and top-up (admin).</summary>
internal static class WalletEndpoints
{
    public static RouteGroupBuilder MapWallet(this RouteGroupBuilder platform)
    {
        platform.MapGet("/wallet", GetAsync);
        platform.MapPatch("/wallet", PatchAsync).RequireAuthorization(GatewayAuth.PlatformAdmin);
        platform.MapPost("/wallet/topup", TopupAsync).RequireAuthorization(GatewayAuth.PlatformAdmin);
        platform.MapGet("/wallet/transactions", TransactionsAsync);
        return platform;
    }

    private static async Task<IResult> GetAsync(HttpContext http, WalletService wallets, CancellationToken ct)
    {
        var (wallet, recent) = await wallets.GetAsync(http.RequireKeyPrincipal().PlatformId, ct);
        return Results.Json(WalletDto.From(wallet, recent), BudgetsJsonContext.Default.WalletDto);
    }

    private static async Task<IResult> PatchAsync(HttpContext http, WalletService wallets, CancellationToken ct)
    {
        var (body, error) = await JsonBody.ReadObjectAsync(http.Request, ct);
        if (error is not null)
        {
            return error;
        }

        var f = new FieldReader(body);
        var set = f.Has("low_balance_threshold");
        var threshold = f.Money("low_balance_threshold", allowZero: true, allowNull: true);
        if (f.Error is not null)
        {
            return f.Error;
        }

        var pid = http.RequireKeyPrincipal().PlatformId;
        if (set)
        {
            await wallets.SetThresholdAsync(pid, threshold, ct);
        }

        var (wallet, recent) = await wallets.GetAsync(pid, ct);
        return Results.Json(WalletDto.From(wallet, recent), BudgetsJsonContext.Default.WalletDto);
    }

    private static async Task<IResult> TopupAsync(HttpContext http, WalletService wallets, CancellationToken ct)
    {
        var (body, error) = await JsonBody.ReadObjectAsync(http.Request, ct);
        if (error is not null)
        {
            return error;
        }

        var f = new FieldReader(body);
        // API.md §4.7: `amount` [A], alias `amount_usd`.
        var name = f.Has("amount") || !f.Has("amount_usd") ? "amount" : "amount_usd";
        var amount = f.Money(name, required: true);
        if (f.Error is null && name == "amount" && f.Has("amount_usd") && f.Money("amount_usd") != amount)
        {
            f.Fail("amount_usd", "'amount' and 'amount_usd' differ.");
        }

        var description = f.String("description", min: 0, max: 500, allowNull: true);
        var metadata = f.Metadata("metadata");
        if (f.Error is not null)
        {
            return f.Error;
        }

        var pid = http.RequireKeyPrincipal().PlatformId;
        var (_, row) = await wallets.TopupAsync(pid, amount!.Value, description, metadata, http.TraceIdentifier, ct);
        var (wallet, recent) = await wallets.GetAsync(pid, ct);
        return Results.Json(new WalletChangeDto(WalletDto.From(wallet, recent), WalletTransactionDto.From(row)), BudgetsJsonContext.Default.WalletChangeDto);
    }

    private static async Task<IResult> TransactionsAsync(HttpContext http, WalletService wallets, CancellationToken ct)
    {
        var (query, queryError) = LedgerQueryReader.Read(http.Request, LedgerTypes.WalletTypes);
        if (queryError is not null)
        {
            return queryError;
        }

        var (wallet, _) = await wallets.GetAsync(http.RequireKeyPrincipal().PlatformId, ct);
        var page = await wallets.ListTransactionsAsync(wallet.Id, query!, ct);
        var envelope = new ListEnvelope<WalletTransactionDto>(page.Items.Select(WalletTransactionDto.From).ToList(), page.Total,
            query!.Cursor is null ? query.Page : null, query.Limit, page.HasMore, page.NextCursor);
        return Results.Json(envelope, BudgetsJsonContext.Default.ListEnvelopeWalletTransactionDto);
    }
}
