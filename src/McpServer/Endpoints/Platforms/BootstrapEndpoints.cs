using System.Text.Json;
using System.Text.Json.Serialization;
using Assistiv.McpServer.Auth;
using Assistiv.McpServer.Errors;
using Assistiv.McpServer.Json;
using Assistiv.Platform.Budgets;
using Assistiv.Platform.RateLimits;
using Assistiv.Platform.Tenancy;

namespace Assistiv.McpServer.Endpoints.Platforms;

/// <summary>
/// API.md §4.5 <c>POST P/bootstrap</c>, the server-side form of the SDK's <c>bootstrap()</c>: snake_case names and the
/// SDK's camelCase aliases at the top level (the nested budget and rate-limit fields are snake_case, as in the SDK
/// README). 201 when the user was created, 200 when it existed.
/// </summary>
internal static class BootstrapEndpoints
{
    public static RouteGroupBuilder MapBootstrap(this RouteGroupBuilder platform)
    {
        platform.MapPost("/bootstrap", BootstrapAsync);
        return platform;
    }

    private static async Task<IResult> BootstrapAsync(HttpContext http, EndUserBootstrapService bootstrap, CancellationToken ct)
    {
        var (body, error) = await JsonBody.ReadObjectAsync(http.Request, ct);
        if (error is not null)
        {
            return error;
        }

        var pid = http.RequireKeyPrincipal().PlatformId;
        var f = new FieldReader(body);
        var request = Read(f, body, pid);
        if (f.Error is not null)
        {
            // API.md §4.5: a validation error in any part fails the whole call, nothing written.
            return f.Error;
        }

        var result = await bootstrap.BootstrapAsync(pid, request!, http.TraceIdentifier, ct);
        if (result.Inactive)
        {
            return ApiErrors.Conflict("This end user is deactivated; re-enable it with PATCH first.", "external_id");
        }

        var dto = new BootstrapDto(result.User.Id, result.RawKey!, result.Created, EndUserDto.From(result.User),
            result.Budget is null ? null : BudgetDto.From(result.Budget), result.RateLimit is null ? null : RateLimitsDto.From(result.RateLimit));
        return Results.Json(dto, BootstrapJsonContext.Default.BootstrapDto, statusCode: result.Created ? 201 : 200);
    }

    private static BootstrapRequest? Read(FieldReader f, JsonElement body, Guid platformId)
    {
        var externalIdName = Alias(f, body, "external_id", "externalId");
        var externalId = EndUsersEndpoints.ReadExternalId(f, externalIdName);
        var displayName = f.String(Alias(f, body, "display_name", "displayName"), max: 100, trim: true);
        var metadata = f.Metadata("metadata");
        var rotate = f.Bool(Alias(f, body, "rotate_keys", "rotateKeys")) ?? false;
        var platformName = Alias(f, body, "platform_id", "platformId");
        var platformText = f.String(platformName, max: 100);
        if (platformText is not null && PlatformEndpoints.ParseId(platformText) != platformId)
        {
            f.Fail(platformName, $"'{platformName}' must equal the platform of the path.");
        }

        BudgetSettings? budget = null;
        var budgetName = Alias(f, body, "default_budget", "defaultBudget");
        if (f.Object(budgetName, allowNull: true) is { } budgetBody)
        {
            budget = ReadBudget(new FieldReader(budgetBody, budgetName), f);
        }

        RateLimitSet? limits = null;
        var limitsName = Alias(f, body, "default_rate_limit", "defaultRateLimit");
        if (f.Object(limitsName, allowNull: true) is { } limitsBody)
        {
            var inner = new FieldReader(limitsBody, limitsName);
            limits = RateLimitsReader.Read(inner, limitsBody).Limits;
            if (inner.Error is not null)
            {
                f.Fail(inner.Error.Param ?? limitsName, inner.Error.Message);
            }
        }

        return f.Error is null ? new BootstrapRequest(externalId!, displayName, metadata, budget, limits, rotate) : null;
    }

    /// <summary>The fields of budget create (API.md §4.6), errors named by their path under <c>default_budget</c>.</summary>
    private static BudgetSettings? ReadBudget(FieldReader b, FieldReader outer)
    {
        var max = b.Money("max_usd", required: true);
        string? period = null;
        var periodText = b.String("period", max: 16);
        if (periodText is not null)
        {
            if (periodText is not (BudgetPeriods.OneTime or BudgetPeriods.Daily or BudgetPeriods.Monthly))
            {
                b.Fail(b.Path("period"), $"'{b.Path("period")}' must be one_time, daily or monthly.");
            }

            period = periodText;
        }

        var auto = b.Bool("auto_replenish") ?? false;
        var replenish = b.Money("replenish_amount", allowNull: true);
        var threshold = b.Money("low_balance_threshold", allowZero: true, allowNull: true);
        period ??= BudgetPeriods.OneTime;
        if (b.Error is null && auto && period == BudgetPeriods.OneTime)
        {
            b.Fail(b.Path("auto_replenish"), $"'{b.Path("auto_replenish")}' needs a daily or monthly period.");
        }

        if (b.Error is null && auto && replenish is null)
        {
            b.Fail(b.Path("replenish_amount"), $"'{b.Path("replenish_amount")}' is required with auto_replenish.");
        }

        if (b.Error is not null)
        {
            outer.Fail(b.Error.Param ?? "default_budget", b.Error.Message);
            return null;
        }

        return new BudgetSettings(max!.Value, period, auto, replenish, threshold);
    }

    /// <summary>
    /// Picks the snake_case or the camelCase spelling of a field; both given with different values → 422 naming the
    /// camelCase one.
    /// </summary>
    private static string Alias(FieldReader f, JsonElement body, string snake, string camel)
    {
        var hasSnake = body.TryGetProperty(snake, out var s);
        if (!body.TryGetProperty(camel, out var c))
        {
            return snake;
        }

        if (hasSnake && !JsonElement.DeepEquals(s, c))
        {
            f.Fail(camel, $"'{snake}' and '{camel}' differ.");
        }

        return hasSnake ? snake : camel;
    }
}

/// <summary>API.md §4.5 response.</summary>
internal sealed record BootstrapDto(Guid EndUserId, string ApiKey, bool Created, EndUserDto EndUser, BudgetDto? Budget, RateLimitsDto? RateLimit);

/// <summary>Source-generated JSON for the bootstrap DTO (same conventions as <see cref="GatewayJsonContext"/>).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    Converters = [typeof(UtcTimestampConverter)])]
[JsonSerializable(typeof(BootstrapDto))]
internal sealed partial class BootstrapJsonContext : JsonSerializerContext
{
}
