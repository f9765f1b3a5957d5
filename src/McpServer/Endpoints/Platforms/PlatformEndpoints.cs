using System.Globalization;
using System.Text.Json;
using Assistiv.McpServer.Auth;
using Assistiv.McpServer.Errors;
using Assistiv.McpServer.Json;
using Assistiv.Platform.Tenancy;

namespace Assistiv.McpServer.Endpoints.Platforms;

/// <summary>API.md §4.1: <c>GET P</c>, <c>PATCH P</c>.</summary>
internal static class PlatformEndpoints
{
    public static RouteGroupBuilder MapPlatform(this RouteGroupBuilder platform)
    {
        platform.MapGet("", GetAsync);
        platform.MapPatch("", PatchAsync).RequireAuthorization(GatewayAuth.PlatformAdmin);
        return platform;
    }

    private static async Task<IResult> GetAsync(HttpContext http, PlatformService platforms, CancellationToken ct)
    {
        var p = await platforms.FindAsync(http.RequireKeyPrincipal().PlatformId, ct);
        return p is null ? ApiErrors.NotFound() : Results.Json(PlatformDto.From(p), GatewayJsonContext.Default.PlatformDto);
    }

    private static async Task<IResult> PatchAsync(HttpContext http, PlatformService platforms, IToolNames toolNames, CancellationToken ct)
    {
        var (body, error) = await JsonBody.ReadObjectAsync(http.Request, ct);
        if (error is not null)
        {
            return error;
        }

        var f = new FieldReader(body);
        var name = f.String("name", max: 100, trim: true);
        var slug = f.String("slug", max: 63);
        if (slug is not null && !Slugs.IsValid(slug))
        {
            f.Fail("slug", "'slug' must match ^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$.");
        }

        bool setBudget = false, setMarkup = false, setPolicy = false;
        long? budget = null;
        decimal? markup = null;
        ToolPolicy? policy = null;
        if (f.Object("settings") is { } settings)
        {
            var s = new FieldReader(settings, "settings");
            foreach (var p in settings.EnumerateObject())
            {
                switch (p.Name)
                {
                    case "default_budget_usd":
                        setBudget = true;
                        budget = s.Money("default_budget_usd", allowNull: true, maxMicros: 1_000_000_000_000);
                        break;
                    case "markup_percentage":
                        setMarkup = true;
                        if (p.Value.ValueKind != JsonValueKind.Null)
                        {
                            if (p.Value.ValueKind != JsonValueKind.Number || !p.Value.TryGetDecimal(out var m) || m < 0 || m > 1000)
                            {
                                s.Fail("settings.markup_percentage", "'settings.markup_percentage' must be a number from 0 to 1000.");
                            }
                            else
                            {
                                markup = m;
                            }
                        }

                        break;
                    case "tool_policy":
                        setPolicy = true;
                        policy = ToolPolicyReader.Read(s, p.Value, "settings.tool_policy", toolNames);
                        break;
                    default:
                        s.Fail("settings." + p.Name, $"Unknown settings key '{p.Name}'.");
                        break;
                }
            }

            if (s.Error is not null)
            {
                return s.Error;
            }
        }

        if (f.Error is not null)
        {
            return f.Error;
        }

        var pid = http.RequireKeyPrincipal().PlatformId;
        var (platform, slugTaken) = await platforms.PatchAsync(pid, new PlatformPatch(name, slug, setBudget, budget, setMarkup, markup, setPolicy, policy), ct);
        if (platform is null)
        {
            return ApiErrors.NotFound();
        }

        return slugTaken
            ? ApiErrors.Conflict("That slug is taken.", "slug")
            : Results.Json(PlatformDto.From(platform), GatewayJsonContext.Default.PlatformDto);
    }

    /// <summary>Parses a path id (API.md §12: malformed → 404 at the lookup step).</summary>
    public static Guid? ParseId(string value) =>
        Guid.TryParseExact(value, "D", out var id) && value.Equals(id.ToString("D"), StringComparison.OrdinalIgnoreCase) ? id : null;

    public static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
