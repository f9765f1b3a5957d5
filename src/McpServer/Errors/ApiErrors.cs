namespace Assistiv.McpServer.Errors;

/// <summary>The API.md §11.2 table: the only place that maps an error code to its status and type.</summary>
internal static class ApiErrors
{
    public static ApiErrorResult InvalidJson(string message = "The request body is not a JSON object.") =>
        new(400, "invalid_request_error", "invalid_json", message);

    public static ApiErrorResult MissingApiKey() =>
        Unauthorized("missing_api_key", "API key missing. Send it as 'Authorization: Bearer <key>'.");

    public static ApiErrorResult InvalidApiKey() =>
        Unauthorized("invalid_api_key", "API key invalid. Check that the whole key was copied.");

    public static ApiErrorResult KeyExpired() =>
        Unauthorized("key_expired", "API key expired. Ask for a new key.");

    public static ApiErrorResult KeyRevoked() =>
        Unauthorized("key_revoked", "API key revoked. Ask for a new key.");

    public static ApiErrorResult WrongKeyType(string message) => new(403, "permission_error", "wrong_key_type", message);

    public static ApiErrorResult Forbidden(string message, string? param = null) => new(403, "permission_error", "forbidden", message, param);

    public static ApiErrorResult NotFound(string message = "Not found.", string? param = null) =>
        new(404, "not_found_error", "not_found", message, param);

    public static ApiErrorResult NoActiveBudget() =>
        new(404, "not_found_error", "no_active_budget", "This end user has no active budget.");

    public static ApiErrorResult BudgetExhausted() =>
        new(402, "billing_error", "budget_exhausted", "This end user's budget is exhausted.");

    public static ApiErrorResult BudgetSuspended() =>
        new(402, "billing_error", "budget_suspended", "This end user's budget is suspended.");

    public static ApiErrorResult WalletInsufficient() =>
        new(402, "billing_error", "wallet_insufficient", "The platform wallet balance is insufficient.");

    public static ApiErrorResult BudgetExists() =>
        new(409, "conflict_error", "budget_exists", "This end user already has an active budget.");

    public static ApiErrorResult MethodNotAllowed(string? allow) =>
        new(405, "invalid_request_error", "method_not_allowed", "This route does not accept that method.")
        {
            Headers = allow is null ? null : [new("Allow", allow)],
        };

    public static ApiErrorResult Conflict(string message, string? param = null) => new(409, "conflict_error", "conflict", message, param);

    public static ApiErrorResult IdempotencyKeyReused() =>
        new(409, "conflict_error", "idempotency_key_reused", "This Idempotency-Key was already used with a different request body.", "Idempotency-Key");

    public static ApiErrorResult IdempotencyInProgress() =>
        new(409, "conflict_error", "idempotency_in_progress", "A request with this Idempotency-Key is still executing; retry shortly.", "Idempotency-Key")
        {
            Headers = [new("Retry-After", "1")],
        };

    public static ApiErrorResult PayloadTooLarge() =>
        new(413, "invalid_request_error", "payload_too_large", "The request body is too large.");

    public static ApiErrorResult UnsupportedMediaType() =>
        new(415, "invalid_request_error", "unsupported_media_type", "The request body must be application/json.");

    public static ApiErrorResult Validation(string? param, string message) =>
        new(422, "invalid_request_error", "validation_error", message, param);

    public static ApiErrorResult Internal() =>
        new(500, "api_error", "internal_error", "The server hit an unexpected error.");

    private static ApiErrorResult Unauthorized(string code, string message) =>
        new(401, "authentication_error", code, message)
        {
            // API.md §2.4: a plain challenge, never resource_metadata (§1.5).
            Headers = [new("WWW-Authenticate", "Bearer realm=\"assistiv\"")],
        };
}
