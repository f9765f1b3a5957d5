using System.Text.Json;
using System.Text.Json.Serialization;
using Assistiv.McpServer.Json;
using Assistiv.Platform.RateLimits;

namespace Assistiv.McpServer.Endpoints.Platforms;

/// <summary>API.md §4.8 <c>GET/PUT P/rate-limits</c> and the <c>override</c> object of <c>GET E/rate-limits</c>.</summary>
internal sealed record RateLimitsDto(int? RpmLimit, int? TpmLimit, int? RpdLimit, DateTimeOffset? UpdatedAt)
{
    public static RateLimitsDto From(StoredRateLimits s) => new(s.Limits.RpmLimit, s.Limits.TpmLimit, s.Limits.RpdLimit, s.UpdatedAt);
}

/// <summary>Where each resolved value came from: <c>explicit</c>, <c>default</c> or <c>none</c>.</summary>
internal sealed record RateLimitSourcesDto(string RpmLimit, string TpmLimit, string RpdLimit);

/// <summary>The <c>effective</c> object of <c>GET E/rate-limits</c>.</summary>
internal sealed record EffectiveRateLimitsDto(int? RpmLimit, int? TpmLimit, int? RpdLimit, string Resolution, RateLimitSourcesDto Sources)
{
    public static EffectiveRateLimitsDto From(EffectiveRateLimits e) =>
        new(e.Limits.RpmLimit, e.Limits.TpmLimit, e.Limits.RpdLimit, e.Resolution, new RateLimitSourcesDto(e.RpmSource, e.TpmSource, e.RpdSource));
}

/// <summary>API.md §4.8 <c>GET E/rate-limits</c>.</summary>
internal sealed record EndUserRateLimitsDto(Guid EndUserId, RateLimitsDto? Override, EffectiveRateLimitsDto Effective);

/// <summary>API.md §4.10 <c>remaining</c>: limit − units counted in the window, null when unlimited.</summary>
internal sealed record RateLimitRemainingDto(int? RequestsMinute, int? TokensMinute, int? RequestsDay);

/// <summary>API.md §4.10 <c>GET /v1/me/rate-limits</c>.</summary>
internal sealed record MeRateLimitsDto(int? RpmLimit, int? TpmLimit, int? RpdLimit, string Resolution, RateLimitSourcesDto Sources,
    RateLimitRemainingDto Remaining);

/// <summary>Source-generated JSON for the rate-limit DTOs (same conventions as <see cref="GatewayJsonContext"/>).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    Converters = [typeof(UtcTimestampConverter)])]
[JsonSerializable(typeof(RateLimitsDto))]
[JsonSerializable(typeof(EndUserRateLimitsDto))]
[JsonSerializable(typeof(MeRateLimitsDto))]
internal sealed partial class RateLimitsJsonContext : JsonSerializerContext
{
}

/// <summary>
/// Reads a limit set from a JSON body (API.md §4.8, §12): each of <c>rpm_limit</c>, <c>tpm_limit</c>, <c>rpd_limit</c>
/// is an integer ≥ 1 (≤ 1,000,000 / 100,000,000 / 100,000,000) or null; an omitted field is null. Errors are 422 with
/// <c>param</c> = the JSON path.
/// </summary>
internal static class RateLimitsReader
{
    public static (RateLimitSet Limits, RateLimitFields Given) Read(FieldReader f, JsonElement body)
    {
        var given = RateLimitFields.None;
        var rpm = Limit(f, body, "rpm_limit", RateLimitSet.MaxRpm, RateLimitFields.Rpm, ref given);
        var tpm = Limit(f, body, "tpm_limit", RateLimitSet.MaxTpm, RateLimitFields.Tpm, ref given);
        var rpd = Limit(f, body, "rpd_limit", RateLimitSet.MaxRpd, RateLimitFields.Rpd, ref given);
        return (new RateLimitSet(rpm, tpm, rpd), given);
    }

    private static int? Limit(FieldReader f, JsonElement body, string name, int max, RateLimitFields flag, ref RateLimitFields given)
    {
        if (!body.TryGetProperty(name, out _))
        {
            return null;
        }

        given |= flag;
        return JsonInts.Read(f, body, name, 1, max, allowNull: true);
    }
}

/// <summary>Integer fields of a JSON body: a JSON integer in range, else 422 naming the field.</summary>
internal static class JsonInts
{
    public static int? Read(FieldReader f, JsonElement body, string name, int min, int max, bool allowNull = false)
    {
        if (f.Error is not null || !body.TryGetProperty(name, out var v) || (allowNull && v.ValueKind == JsonValueKind.Null))
        {
            return null;
        }

        var path = f.Path(name);
        if (v.ValueKind != JsonValueKind.Number || !v.TryGetInt64(out var n) || n < min || n > max)
        {
            f.Fail(path, $"'{path}' must be an integer from {min} to {max}{(allowNull ? " or null" : "")}.");
            return null;
        }

        return (int)n;
    }
}
