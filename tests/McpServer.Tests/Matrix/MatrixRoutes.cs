namespace Assistiv.McpServer.Tests.Matrix;

/// <summary>Who a route admits (API.md §2.8 columns): a platform key with a scope, or an <c>sk-eu_</c> key.</summary>
public enum Access
{
    Management,
    Admin,
    EndUser,
}

/// <summary>One request of a matrix row: method, a path and body made fresh per call (destructive routes need new resources).</summary>
internal sealed record MatrixRoute(string Row, HttpMethod Method, Access Access, int OkStatus, bool Idem,
    Func<MatrixWorld, Task<(string Path, string? Body)>> Build)
{
    /// <summary>A second success status, for routes whose first call creates and later calls replace (e.g. 201 / 200).</summary>
    public int? AltOkStatus { get; init; }

    public bool IsOk(int status) => status == OkStatus || status == AltOkStatus;

    /// <summary>Extra request headers (e.g. <c>Accept: application/json</c> so a redirecting route answers JSON instead).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];

    public override string ToString() => Row;
}

/// <summary>
/// API.md §2.8 as data: one entry per row (rows naming several methods or paths get one entry each). Each work item
/// adds the rows of the routes it builds; a route missing here is a route this branch does not serve yet.
/// </summary>
internal static class MatrixRoutes
{
    private static readonly HttpMethod Get = HttpMethod.Get, Post = HttpMethod.Post, Put = HttpMethod.Put, Patch = HttpMethod.Patch, Delete = HttpMethod.Delete;

    public static IReadOnlyList<MatrixRoute> All { get; } =
    [
        new("1 GET P", Get, Access.Management, 200, false, w => Fixed(w.Own.Path())),
        new("2 PATCH P", Patch, Access.Admin, 200, true, w => Fixed(w.Own.Path(), """{"name":"Matrix own"}""")),
        new("3 GET P/api-keys", Get, Access.Management, 200, false, w => Fixed(w.Own.Path("/api-keys"))),
        new("4 POST P/api-keys (platform key)", Post, Access.Admin, 201, true, w => Fixed(w.Own.Path("/api-keys"), """{"name":"matrix","scopes":["inference"]}""")),
        new("4 POST P/api-keys (end-user key)", Post, Access.Management, 201, true, w => Fixed(w.Own.Path("/api-keys"), $$"""{"end_user_id":"{{w.KeyFarmUser.Id}}"}""")),
        new("5 PATCH P/api-keys/{kid}", Patch, Access.Management, 200, true, w => Fixed(w.Own.Path($"/api-keys/{w.OwnUserKeyId}"), """{"tool_policy":null}""")),
        new("6 DELETE P/api-keys/{kid} (platform key)", Delete, Access.Admin, 204, false, async w => (w.Own.Path($"/api-keys/{(await w.Own.CreatePlatformKeyAsync("""["inference"]""")).Id}"), null)),
        new("6 DELETE P/api-keys/{kid} (end-user key)", Delete, Access.Management, 204, false, async w => (w.Own.Path($"/api-keys/{await NewEndUserKeyIdAsync(w)}"), null)),
        new("7 GET P/llm-configs", Get, Access.Management, 200, false, w => Fixed(w.Own.Path("/llm-configs"))),
        new("8 POST P/llm-configs", Post, Access.Admin, 201, true, w => Fixed(w.Own.Path("/llm-configs"), """{"provider":"mock"}""")),
        new("9 DELETE P/llm-configs/{cid}", Delete, Access.Admin, 204, false, async w => (w.Own.Path($"/llm-configs/{await NewLlmConfigIdAsync(w)}"), null)),
        new("10 GET P/end-users", Get, Access.Management, 200, false, w => Fixed(w.Own.Path("/end-users"))),
        new("11 POST P/end-users", Post, Access.Management, 201, true, w => Fixed(w.Own.Path("/end-users"), $$"""{"external_id":"m-{{Unique()}}"}""")),
        new("12 GET E", Get, Access.Management, 200, false, w => Fixed(w.Own.Path($"/end-users/{w.OwnUser.Id}"))),
        new("12 PATCH E", Patch, Access.Management, 200, true, w => Fixed(w.Own.Path($"/end-users/{w.OwnUser.Id}"), """{"display_name":"Matrix"}""")),
        new("12 DELETE E", Delete, Access.Management, 204, false, async w => (w.Own.Path($"/end-users/{(await w.NewEndUserAsync()).Id}"), null)),
        new("13 POST P/bootstrap", Post, Access.Management, 201, true, w => Fixed(w.Own.Path("/bootstrap"), $$$"""{"external_id":"b-{{{Unique()}}}","default_budget":{"max_usd":1}}""")) { AltOkStatus = 200 },
        new("14 POST E/budget", Post, Access.Management, 201, true, async w => (w.Own.Path($"/end-users/{(await w.NewEndUserAsync()).Id}/budget"), """{"max_usd":10,"period":"monthly"}""")),
        new("14 GET E/budget", Get, Access.Management, 200, false, w => Fixed(w.Own.Path($"/end-users/{w.OwnUser.Id}/budget"))),
        new("14 PATCH E/budget", Patch, Access.Management, 200, true, w => Fixed(w.Own.Path($"/end-users/{w.OwnUser.Id}/budget"), """{"low_balance_threshold":1}""")),
        new("14 DELETE E/budget", Delete, Access.Management, 204, false, async w => (w.Own.Path($"/end-users/{await NewUserWithBudgetAsync(w)}/budget"), null)),
        new("15 POST E/budget/topup", Post, Access.Management, 200, true, w => Fixed(w.Own.Path($"/end-users/{w.OwnUser.Id}/budget/topup"), """{"amount_usd":1}""")),
        new("15 POST E/budget/debit", Post, Access.Management, 200, true, w => Fixed(w.Own.Path($"/end-users/{w.OwnUser.Id}/budget/debit"), """{"amount_usd":0.000001}""")),
        new("16 GET E/budget/transactions", Get, Access.Management, 200, false, w => Fixed(w.Own.Path($"/end-users/{w.OwnUser.Id}/budget/transactions"))),
        new("17 GET P/wallet", Get, Access.Management, 200, false, w => Fixed(w.Own.Path("/wallet"))),
        new("17 GET P/wallet/transactions", Get, Access.Management, 200, false, w => Fixed(w.Own.Path("/wallet/transactions"))),
        new("18 PATCH P/wallet", Patch, Access.Admin, 200, true, w => Fixed(w.Own.Path("/wallet"), """{"low_balance_threshold":5}""")),
        new("19 POST P/wallet/topup", Post, Access.Admin, 200, true, w => Fixed(w.Own.Path("/wallet/topup"), """{"amount":1,"description":"matrix"}""")),
        new("20 GET P/rate-limits", Get, Access.Management, 200, false, w => Fixed(w.Own.Path("/rate-limits"))),
        new("21 PUT P/rate-limits", Put, Access.Admin, 200, true, w => Fixed(w.Own.Path("/rate-limits"), """{"rpm_limit":1000}""")),
        new("22 GET E/rate-limits", Get, Access.Management, 200, false, w => Fixed(w.Own.Path($"/end-users/{w.OwnUser.Id}/rate-limits"))),
        new("22 PUT E/rate-limits", Put, Access.Management, 200, true, w => Fixed(w.Own.Path($"/end-users/{w.OwnUser.Id}/rate-limits"), """{"rpm_limit":600}""")),
        new("22 DELETE E/rate-limits", Delete, Access.Management, 204, false, w => Fixed(w.Own.Path($"/end-users/{w.OwnUser.Id}/rate-limits"))),
        new("23 POST E/rate-limits", Post, Access.Management, 200, true, w => Fixed(w.Own.Path($"/end-users/{w.OwnUser.Id}/rate-limits"), """{"rpm_limit":600}""")),
        new("23 PATCH E/rate-limits", Patch, Access.Management, 200, true, w => Fixed(w.Own.Path($"/end-users/{w.OwnUser.Id}/rate-limits"), """{"tpm_limit":1000}""")),
        new("24 GET P/logs", Get, Access.Management, 200, false, w => Fixed(w.Own.Path("/logs"))),
        new("25 POST P/logs/search", Post, Access.Management, 200, false, w => Fixed(w.Own.Path("/logs/search"), """{"limit":5}""")),
        new("26 GET E/wallet", Get, Access.Management, 200, false, w => Fixed(w.Own.Path($"/end-users/{w.OwnUser.Id}/wallet"))),
        new("27 GET P/mcp/apps", Get, Access.Management, 200, false, w => Fixed(w.Own.Path("/mcp/apps"))),
        new("27 GET P/mcp/apps/{app}", Get, Access.Management, 200, false, w => Fixed(w.Own.Path("/mcp/apps/github"))),
        new("28 POST P/mcp/apps", Post, Access.Admin, 201, true, w => Fixed(w.Own.Path("/mcp/apps"), GitHubActivation)) { AltOkStatus = 200 },
        new("29 DELETE P/mcp/apps/{app}", Delete, Access.Admin, 204, false, async w => (w.Own.Path($"/mcp/apps/{await ActivateMockAsync(w)}"), null)),
        new("30 GET P/mcp/connections", Get, Access.Management, 200, false, w => Fixed(w.Own.Path("/mcp/connections"))),
        new("30 GET E/connections", Get, Access.Management, 200, false, w => Fixed(w.Own.Path($"/end-users/{w.OwnUser.Id}/connections"))),
        // The allowed cell of row 31 is "passes the key checks": the user has no GitHub connection, so 404 (§4.11).
        new("31 DELETE E/connections/{app}", Delete, Access.Management, 404, false, w => Fixed(w.Own.Path($"/end-users/{w.OwnUser.Id}/connections/github"))),
        new("37 GET /v1/me", Get, Access.EndUser, 200, false, _ => Fixed("/v1/me")),
        new("37 GET /v1/me/budget", Get, Access.EndUser, 200, false, _ => Fixed("/v1/me/budget")),
        new("37 GET /v1/me/budget/transactions", Get, Access.EndUser, 200, false, _ => Fixed("/v1/me/budget/transactions")),
        new("37 GET /v1/me/rate-limits", Get, Access.EndUser, 200, false, _ => Fixed("/v1/me/rate-limits")),
        new("37 GET /v1/me/logs", Get, Access.EndUser, 200, false, _ => Fixed("/v1/me/logs")),
        new("37 GET /v1/me/mcp-config", Get, Access.EndUser, 200, false, _ => Fixed("/v1/me/mcp-config")),
        new("37 GET /v1/me/connections", Get, Access.EndUser, 200, false, _ => Fixed("/v1/me/connections")),
        new("38 DELETE /v1/me/connections/{app}", Delete, Access.EndUser, 404, false, _ => Fixed("/v1/me/connections/github")),
        new("41 POST /mcp", Post, Access.EndUser, 200, false, _ => Fixed("/mcp", McpInitialize)),
        new("41 POST /mcp/{app}", Post, Access.EndUser, 200, false, _ => Fixed("/mcp/github", McpInitialize)),
        // With Accept: application/json the route answers 200 {url} instead of a 302 to github.com (§9.1), which the
        // test client would follow off the machine.
        new("43 GET /oauth/authorize", Get, Access.EndUser, 200, false, _ => Fixed("/oauth/authorize?app=github")) { Headers = [new("Accept", "application/json")] },
    ];

    /// <summary>
    /// Routes that resolve an id from the path: for each, how to name another platform's resource of that kind
    /// (API.md §2.6: never 403, always 404 as for an unknown id).
    /// </summary>
    public static IReadOnlyList<(string Row, HttpMethod Method, string PathTemplate, string? Body, Func<MatrixWorld, Task<string>> ForeignId)> IdRoutes { get; } =
    [
        ("5 PATCH P/api-keys/{id}", Patch, "/api-keys/{id}", """{"tool_policy":null}""", async w => await ForeignKeyIdAsync(w)),
        ("6 DELETE P/api-keys/{id}", Delete, "/api-keys/{id}", null, async w => await ForeignKeyIdAsync(w)),
        ("9 DELETE P/llm-configs/{id}", Delete, "/llm-configs/{id}", null, async w => await NewLlmConfigIdAsync(w, w.Other)),
        ("12 GET E", Get, "/end-users/{id}", null, w => Task.FromResult(w.OtherUser.Id.ToString())),
        ("12 PATCH E", Patch, "/end-users/{id}", """{"display_name":"x"}""", w => Task.FromResult(w.OtherUser.Id.ToString())),
        ("12 DELETE E", Delete, "/end-users/{id}", null, w => Task.FromResult(w.OtherUser.Id.ToString())),
        ("14 POST E/budget", Post, "/end-users/{id}/budget", """{"max_usd":1}""", w => Task.FromResult(w.OtherUser.Id.ToString())),
        ("14 GET E/budget", Get, "/end-users/{id}/budget", null, w => Task.FromResult(w.OtherUser.Id.ToString())),
        ("14 PATCH E/budget", Patch, "/end-users/{id}/budget", """{"low_balance_threshold":1}""", w => Task.FromResult(w.OtherUser.Id.ToString())),
        ("14 DELETE E/budget", Delete, "/end-users/{id}/budget", null, w => Task.FromResult(w.OtherUser.Id.ToString())),
        ("15 POST E/budget/topup", Post, "/end-users/{id}/budget/topup", """{"amount_usd":1}""", w => Task.FromResult(w.OtherUser.Id.ToString())),
        ("15 POST E/budget/debit", Post, "/end-users/{id}/budget/debit", """{"amount_usd":1}""", w => Task.FromResult(w.OtherUser.Id.ToString())),
        ("16 GET E/budget/transactions", Get, "/end-users/{id}/budget/transactions", null, w => Task.FromResult(w.OtherUser.Id.ToString())),
        ("26 GET E/wallet", Get, "/end-users/{id}/wallet", null, w => Task.FromResult(w.OtherUser.Id.ToString())),
        ("22 GET E/rate-limits", Get, "/end-users/{id}/rate-limits", null, w => Task.FromResult(w.OtherUser.Id.ToString())),
        ("22 PUT E/rate-limits", Put, "/end-users/{id}/rate-limits", """{"rpm_limit":1}""", w => Task.FromResult(w.OtherUser.Id.ToString())),
        ("22 DELETE E/rate-limits", Delete, "/end-users/{id}/rate-limits", null, w => Task.FromResult(w.OtherUser.Id.ToString())),
        ("23 POST E/rate-limits", Post, "/end-users/{id}/rate-limits", """{"rpm_limit":1}""", w => Task.FromResult(w.OtherUser.Id.ToString())),
        ("23 PATCH E/rate-limits", Patch, "/end-users/{id}/rate-limits", """{"rpm_limit":1}""", w => Task.FromResult(w.OtherUser.Id.ToString())),
    ];

    private const string GitHubActivation = """{"app":"github","client_id":"Iv1.matrix","client_secret":"matrix-secret","redirect_base_url":"https://app.example.com"}""";

    private const string McpInitialize = """
        {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"matrix","version":"1.0"}}}
        """;

    /// <summary>Rows under <c>/v1/platforms/{pid}</c> (management JSON bodies, the envelope for every failure).</summary>
    public static IEnumerable<MatrixRoute> Management => All.Where(r => r.Access != Access.EndUser);

    public static MatrixRoute Find(string row) => All.Single(r => r.Row == row);

    private static Task<(string Path, string? Body)> Fixed(string path, string? body = null) => Task.FromResult((path, body));

    private static string Unique() => Guid.CreateVersion7().ToString("N")[..16];

    private static async Task<string> NewUserWithBudgetAsync(MatrixWorld w)
    {
        var user = await w.NewEndUserAsync();
        using var admin = w.Own.Admin();
        (await admin.PostJsonAsync(w.Own.Path($"/end-users/{user.Id}/budget"), """{"max_usd":1}""")).AssertStatus(201);
        return user.Id.ToString();
    }

    private static async Task<string> ActivateMockAsync(MatrixWorld w)
    {
        using var admin = w.Own.Admin();
        var r = await admin.PostJsonAsync(w.Own.Path("/mcp/apps"), """{"app":"mock","client_id":"c","client_secret":"s","redirect_base_url":"https://app.example.com"}""");
        Assert.True(r.Status is 200 or 201, r.Body);
        return "mock";
    }

    private static async Task<string> NewEndUserKeyIdAsync(MatrixWorld w)
    {
        using var admin = w.Own.Admin();
        var r = await admin.PostJsonAsync(w.Own.Path("/api-keys"), $$"""{"end_user_id":"{{w.KeyFarmUser.Id}}"}""");
        r.AssertStatus(201);
        return r.Json["id"]!.GetValue<string>();
    }

    private static async Task<string> ForeignKeyIdAsync(MatrixWorld w)
    {
        using var admin = w.Other.Admin();
        var r = await admin.PostJsonAsync(w.Other.Path("/api-keys"), $$"""{"end_user_id":"{{w.OtherKeyFarmUser.Id}}"}""");
        r.AssertStatus(201);
        return r.Json["id"]!.GetValue<string>();
    }

    private static Task<string> NewLlmConfigIdAsync(MatrixWorld w) => NewLlmConfigIdAsync(w, w.Own);

    private static async Task<string> NewLlmConfigIdAsync(MatrixWorld w, Assistiv.Tests.Common.Host.TestPlatform platform)
    {
        using var admin = platform.Admin();
        var r = await admin.PostJsonAsync(platform.Path("/llm-configs"), """{"provider":"mock"}""");
        r.AssertStatus(201);
        return r.Json["id"]!.GetValue<string>();
    }
}
