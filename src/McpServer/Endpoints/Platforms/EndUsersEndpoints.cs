using System.Text.Json;
using Assistiv.McpServer.Auth;
using Assistiv.McpServer.Errors;
using Assistiv.McpServer.Json;
using Assistiv.Platform.Connections;
using Assistiv.Platform.RateLimits;
using Assistiv.Platform.Tenancy;

namespace Assistiv.McpServer.Endpoints.Platforms;

/// <summary>API.md §4.4: end users.</summary>
internal static class EndUsersEndpoints
{
    public static RouteGroupBuilder MapEndUsers(this RouteGroupBuilder platform)
    {
        platform.MapGet("/end-users", ListAsync);
        platform.MapPost("/end-users", CreateAsync);
        platform.MapGet("/end-users/{endUserId}", GetAsync);
        platform.MapPatch("/end-users/{endUserId}", PatchAsync);
        platform.MapDelete("/end-users/{endUserId}", DeleteAsync);
        return platform;
    }

    private static async Task<IResult> ListAsync(HttpContext http, EndUserService endUsers, CancellationToken ct)
    {
        var (paging, pagingError) = Paging.From(http.Request);
        if (pagingError is not null)
        {
            return pagingError;
        }

        var q = http.Request.Query;
        string? externalId = q.TryGetValue("external_id", out var e) ? e.ToString() : null;
        if (q.TryGetValue("q", out var alias))
        {
            // API.md §4.4: `q` is an exact-match alias of external_id; both given and different → 422.
            if (externalId is not null && externalId != alias.ToString())
            {
                return ApiErrors.Validation("q", "'q' and 'external_id' differ.");
            }

            externalId = alias.ToString();
        }

        var (isActive, boolError) = QueryReader.Bool(http.Request, "is_active");
        if (boolError is not null)
        {
            return boolError;
        }

        var (items, total) = await endUsers.ListAsync(http.RequireKeyPrincipal().PlatformId, externalId, isActive, paging.Page, paging.Limit, ct);
        return Results.Json(paging.Envelope(items.Select(EndUserDto.From).ToList(), total), GatewayJsonContext.Default.ListEnvelopeEndUserDto);
    }

    private static async Task<IResult> CreateAsync(HttpContext http, EndUserService endUsers, CancellationToken ct)
    {
        var (body, error) = await JsonBody.ReadObjectAsync(http.Request, ct);
        if (error is not null)
        {
            return error;
        }

        var f = new FieldReader(body);
        var externalId = ReadExternalId(f, "external_id");
        var displayName = f.String("display_name", max: 100, trim: true);
        var metadata = f.Metadata("metadata");
        var rotate = f.Bool("rotate_keys") ?? false;
        if (f.Error is not null)
        {
            return f.Error;
        }

        var result = await endUsers.CreateOrGetAsync(http.RequireKeyPrincipal().PlatformId, externalId!, displayName, metadata, rotate, ct);
        if (result.Inactive)
        {
            return ApiErrors.Conflict("This end user is deactivated; re-enable it with PATCH first.", "external_id");
        }

        return Results.Json(EndUserCreatedDto.From(result.User, result.Key!, result.RawKey!), GatewayJsonContext.Default.EndUserCreatedDto,
            statusCode: result.Created ? 201 : 200);
    }

    private static async Task<IResult> GetAsync(HttpContext http, string endUserId, EndUserService endUsers, CancellationToken ct)
    {
        var id = PlatformEndpoints.ParseId(endUserId);
        var user = id is null ? null : await endUsers.FindAsync(http.RequireKeyPrincipal().PlatformId, id.Value, ct);
        return user is null ? ApiErrors.NotFound("No such end user.") : Results.Json(EndUserDto.From(user), GatewayJsonContext.Default.EndUserDto);
    }

    private static async Task<IResult> PatchAsync(HttpContext http, string endUserId, EndUserService endUsers, IToolNames toolNames, CancellationToken ct)
    {
        var (body, error) = await JsonBody.ReadObjectAsync(http.Request, ct);
        if (error is not null)
        {
            return error;
        }

        var f = new FieldReader(body);
        var setDisplay = f.Has("display_name");
        var display = f.String("display_name", max: 100, trim: true, allowNull: true);
        var metadata = f.Metadata("metadata");
        var isActive = f.Bool("is_active");
        var setPolicy = body.TryGetProperty("tool_policy", out var policyElement);
        var policy = setPolicy && f.Error is null ? ToolPolicyReader.Read(f, policyElement, "tool_policy", toolNames) : null;
        var externalId = f.String("external_id");
        if (f.Error is not null)
        {
            return f.Error;
        }

        var pid = http.RequireKeyPrincipal().PlatformId;
        var id = PlatformEndpoints.ParseId(endUserId);
        var existing = id is null ? null : await endUsers.FindAsync(pid, id.Value, ct);
        if (existing is null)
        {
            return ApiErrors.NotFound("No such end user.");
        }

        if (externalId is not null && externalId != existing.ExternalId)
        {
            return ApiErrors.Validation("external_id", "'external_id' cannot change.");
        }

        var user = await endUsers.PatchAsync(pid, existing.Id, new EndUserPatch(setDisplay, display, metadata, isActive, setPolicy, policy), ct);
        return user is null ? ApiErrors.NotFound("No such end user.") : Results.Json(EndUserDto.From(user), GatewayJsonContext.Default.EndUserDto);
    }

    private static async Task<IResult> DeleteAsync(HttpContext http, string endUserId, EndUserService endUsers, IConnectionRevoker connections,
        RateLimitService rateLimits, CancellationToken ct)
    {
        var pid = http.RequireKeyPrincipal().PlatformId;
        var id = PlatformEndpoints.ParseId(endUserId);
        var existing = id is null ? null : await endUsers.FindAsync(pid, id.Value, ct);
        if (existing is null)
        {
            return ApiErrors.NotFound("No such end user.");
        }

        // API.md §4.4: revokes keys and OAuth connections; logs and ledger rows keep the old id.
        await connections.RevokeAllForEndUserAsync(pid, existing.Id, ct);
        if (!await endUsers.DeleteAsync(pid, existing.Id, ct))
        {
            return ApiErrors.NotFound("No such end user.");
        }

        // API.md §4.4: deletion also removes the rate-limit override.
        await rateLimits.DeleteOverrideAsync(pid, existing.Id, ct);
        return Results.NoContent();
    }

    /// <summary>API.md §12: 1–255 characters, no control characters, case-sensitive.</summary>
    public static string? ReadExternalId(FieldReader f, string name)
    {
        var value = f.String(name, required: true, max: 255);
        if (value is not null && value.Any(char.IsControl))
        {
            f.Fail(name, $"'{name}' must not contain control characters.");
            return null;
        }

        return value;
    }

    public static JsonElement EmptyObject { get; } = JsonDocument.Parse("{}").RootElement.Clone();
}
