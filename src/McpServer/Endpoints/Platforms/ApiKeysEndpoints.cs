using Assistiv.McpServer.Auth;
using System.Text.Json;
using Assistiv.McpServer.Errors;
using Assistiv.McpServer.Idempotency;
using Assistiv.McpServer.Json;
using Assistiv.Platform.Keys;
using Assistiv.Platform.Tenancy;

namespace Assistiv.McpServer.Endpoints.Platforms;

/// <summary>API.md §4.2: list, create, change (tool policy) and revoke API keys.</summary>
internal static class ApiKeysEndpoints
{
    public static RouteGroupBuilder MapApiKeys(this RouteGroupBuilder platform)
    {
        platform.MapGet("/api-keys", ListAsync);
        platform.MapPost("/api-keys", CreateAsync).WithMetadata(new IdempotentRouteMetadata(true, ScopeCheck));
        platform.MapPatch("/api-keys/{keyId}", PatchAsync);
        platform.MapDelete("/api-keys/{keyId}", DeleteAsync);
        return platform;
    }

    private static async Task<IResult> ListAsync(HttpContext http, ApiKeyService keys, CancellationToken ct)
    {
        var (paging, pagingError) = Paging.From(http.Request);
        if (pagingError is not null)
        {
            return pagingError;
        }

        var q = http.Request.Query;
        var type = ApiKeyType.Platform;
        if (q.TryGetValue("type", out var t))
        {
            switch (t.ToString())
            {
                case "platform": type = ApiKeyType.Platform; break;
                case "end_user": type = ApiKeyType.EndUser; break;
                default: return ApiErrors.Validation("type", "'type' must be 'platform' or 'end_user'.");
            }
        }

        Guid? endUserId = null;
        if (q.TryGetValue("end_user_id", out var eu))
        {
            // A filter naming an unknown or foreign id matches nothing (API.md §2.6).
            endUserId = PlatformEndpoints.ParseId(eu.ToString()) ?? Guid.Empty;
            type = ApiKeyType.EndUser;
        }

        var (isActive, boolError) = QueryReader.Bool(http.Request, "is_active");
        if (boolError is not null)
        {
            return boolError;
        }

        var (items, total) = await keys.ListAsync(http.RequireKeyPrincipal().PlatformId, type, endUserId, isActive, paging.Page, paging.Limit, ct);
        return Results.Json(paging.Envelope(items.Select(ApiKeyDto.From).ToList(), total), GatewayJsonContext.Default.ListEnvelopeApiKeyDto);
    }

    private static async Task<IResult> CreateAsync(HttpContext http, ApiKeyService keys, EndUserService endUsers, IToolNames toolNames,
        TimeProvider time, CancellationToken ct)
    {
        var caller = http.RequireKeyPrincipal();
        // API.md §2.6: this route needs its body to pick the scope, so the body is parsed before the scope check.
        var (body, error) = await JsonBody.ReadObjectAsync(http.Request, ct);
        if (error is not null)
        {
            return error;
        }

        if (ScopeCheck(caller, body) is { } refused)
        {
            return refused;
        }

        var f = new FieldReader(body);
        var endUserIdText = f.String("end_user_id");
        var scopesGiven = f.Array("scopes");
        var scopes = new List<string>();
        if (scopesGiven is { } arr)
        {
            foreach (var s in arr.EnumerateArray())
            {
                var v = s.ValueKind == System.Text.Json.JsonValueKind.String ? s.GetString()! : "";
                if (!KeyScopeNames.All.Contains(v) || scopes.Contains(v))
                {
                    f.Fail("scopes", "'scopes' must be a non-empty list of distinct values among admin, management, inference.");
                    break;
                }

                scopes.Add(v);
            }

            if (scopes.Count == 0)
            {
                f.Fail("scopes", "'scopes' must be a non-empty list of distinct values among admin, management, inference.");
            }
        }

        var name = f.String("name", max: 100, trim: true);
        var expiresAt = f.Timestamp("expires_at");
        if (expiresAt is { } exp && exp <= time.GetUtcNow().AddSeconds(60))
        {
            f.Fail("expires_at", "'expires_at' must be more than 60 seconds in the future.");
        }

        ToolPolicy? policy = null;
        var hasPolicy = body.TryGetProperty("tool_policy", out var policyElement);
        if (hasPolicy && f.Error is null)
        {
            if (endUserIdText is null)
            {
                f.Fail("tool_policy", "'tool_policy' is allowed only together with 'end_user_id'.");
            }
            else
            {
                policy = ToolPolicyReader.Read(f, policyElement, "tool_policy", toolNames);
            }
        }

        if (endUserIdText is not null && scopesGiven is not null && !(scopes.Count == 1 && scopes[0] == "inference"))
        {
            f.Fail("scopes", "End-user keys have exactly the 'inference' scope.");
        }

        if (f.Error is not null)
        {
            return f.Error;
        }

        if (endUserIdText is not null)
        {
            var euid = PlatformEndpoints.ParseId(endUserIdText);
            if (euid is null || await endUsers.FindAsync(caller.PlatformId, euid.Value, ct) is null)
            {
                return ApiErrors.NotFound("No such end user.", "end_user_id");
            }

            var (row, raw) = await keys.CreateEndUserKeyAsync(caller.PlatformId, euid.Value, name, expiresAt, policy, ct);
            return Results.Json(ApiKeyCreatedDto.From(row, raw), GatewayJsonContext.Default.ApiKeyCreatedDto, statusCode: 201);
        }

        var scopeText = scopesGiven is null ? "management,inference" : string.Join(',', scopes);
        var (prow, praw) = await keys.CreatePlatformKeyAsync(caller.PlatformId, name, scopeText, expiresAt, ct);
        return prow is null
            ? ApiErrors.Conflict($"A platform may have at most {ApiKeyService.MaxActivePlatformKeys} active platform keys.")
            : Results.Json(ApiKeyCreatedDto.From(prow, praw!), GatewayJsonContext.Default.ApiKeyCreatedDto, statusCode: 201);
    }

    /// <summary>
    /// The scope check of <c>POST P/api-keys</c>, decided from the body (API.md §2.6): a platform key, or any key asking
    /// for <c>admin</c>, needs a caller with <c>admin</c>. The idempotency middleware runs it on the raw body before a
    /// replay (API.md §11.3), so a management-only key never receives an admin key's replayed <c>raw_key</c>.
    /// </summary>
    internal static ApiErrorResult? ScopeCheck(HttpContext http, ReadOnlyMemory<byte> body)
    {
        if (body.IsEmpty)
        {
            return ScopeCheck(http.RequireKeyPrincipal(), EndUsersEndpoints.EmptyObject);
        }

        try
        {
            using var doc = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 64 });
            return doc.RootElement.ValueKind != JsonValueKind.Object
                ? ApiErrors.InvalidJson()
                : ScopeCheck(http.RequireKeyPrincipal(), doc.RootElement);
        }
        catch (JsonException)
        {
            return ApiErrors.InvalidJson();
        }
    }

    private static ApiErrorResult? ScopeCheck(KeyPrincipal caller, JsonElement body)
    {
        if ((caller.Scopes & KeyScopes.Admin) != 0)
        {
            return null;
        }

        if (!body.TryGetProperty("end_user_id", out var eu) || eu.ValueKind == JsonValueKind.Null)
        {
            return ApiErrors.Forbidden("Creating a platform key needs the 'admin' scope.");
        }

        if (body.TryGetProperty("scopes", out var scopes) && scopes.ValueKind == JsonValueKind.Array)
        {
            foreach (var s in scopes.EnumerateArray())
            {
                if (s.ValueKind == JsonValueKind.String && s.ValueEquals("admin"))
                {
                    return ApiErrors.Forbidden("Only a key with the 'admin' scope may grant 'admin'.");
                }
            }
        }

        return null;
    }

    private static async Task<IResult> PatchAsync(HttpContext http, string keyId, ApiKeyService keys, IToolNames toolNames, CancellationToken ct)
    {
        var caller = http.RequireKeyPrincipal();
        var (body, error) = await JsonBody.ReadObjectAsync(http.Request, ct);
        if (error is not null)
        {
            return error;
        }

        var f = new FieldReader(body);
        if (!body.TryGetProperty("tool_policy", out var policyElement))
        {
            return ApiErrors.Validation("tool_policy", "'tool_policy' is required.");
        }

        var policy = ToolPolicyReader.Read(f, policyElement, "tool_policy", toolNames);
        if (f.Error is not null)
        {
            return f.Error;
        }

        var id = PlatformEndpoints.ParseId(keyId);
        var existing = id is null ? null : await keys.FindAsync(caller.PlatformId, id.Value, ct);
        if (existing is null)
        {
            return ApiErrors.NotFound("No such key.");
        }

        if (existing.Type == ApiKeyType.Platform)
        {
            return ApiErrors.Validation("tool_policy", "Platform keys have no tool policy.");
        }

        var updated = await keys.SetToolPolicyAsync(caller.PlatformId, existing.Id, policy, ct);
        return updated is null ? ApiErrors.NotFound("No such key.") : Results.Json(ApiKeyDto.From(updated), GatewayJsonContext.Default.ApiKeyDto);
    }

    private static async Task<IResult> DeleteAsync(HttpContext http, string keyId, ApiKeyService keys, CancellationToken ct)
    {
        var caller = http.RequireKeyPrincipal();
        var id = PlatformEndpoints.ParseId(keyId);
        var existing = id is null ? null : await keys.FindAsync(caller.PlatformId, id.Value, ct);
        if (existing is null)
        {
            return ApiErrors.NotFound("No such key.");
        }

        // API.md §2.8 row 6: revoking a platform key needs admin; an end-user key, management.
        if (existing.Type == ApiKeyType.Platform && (caller.Scopes & KeyScopes.Admin) == 0)
        {
            return ApiErrors.Forbidden("Revoking a platform key needs the 'admin' scope.");
        }

        return await keys.RevokeAsync(caller.PlatformId, existing.Id, ct) switch
        {
            RevokeOutcome.NotFound => ApiErrors.NotFound("No such key."),
            RevokeOutcome.LastAdmin => ApiErrors.Conflict("This is the last active admin platform key; mint another first (the CLI can)."),
            _ => Results.NoContent(),
        };
    }
}
