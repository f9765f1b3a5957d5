using System.Text.Json;
using Assistiv.Inference.Catalogue;
using Assistiv.McpServer.Auth;
using Assistiv.McpServer.Errors;
using Assistiv.McpServer.Json;
using Assistiv.Platform.Hosting;
using Assistiv.Platform.LlmConfigs;
using Assistiv.Platform.Network;
using Microsoft.Extensions.Options;

namespace Assistiv.McpServer.Endpoints.Platforms;

/// <summary>API.md §4.3: list (management), create and delete (admin) LLM provider configs.</summary>
internal static class LlmConfigsEndpoints
{
    private const int MaxModels = 200;

    public static RouteGroupBuilder MapLlmConfigs(this RouteGroupBuilder platform)
    {
        platform.MapGet("/llm-configs", ListAsync);
        platform.MapPost("/llm-configs", CreateAsync).RequireAuthorization(GatewayAuth.PlatformAdmin);
        platform.MapDelete("/llm-configs/{configId}", DeleteAsync).RequireAuthorization(GatewayAuth.PlatformAdmin);
        return platform;
    }

    private static async Task<IResult> ListAsync(HttpContext http, LlmConfigService configs, CancellationToken ct)
    {
        var (paging, pagingError) = Paging.From(http.Request);
        if (pagingError is not null)
        {
            return pagingError;
        }

        var (items, total) = await configs.ListAsync(http.RequireKeyPrincipal().PlatformId, paging.Page, paging.Limit, ct);
        return Results.Json(paging.Envelope(items.Select(LlmConfigDto.From).ToList(), total), LlmConfigsJsonContext.Default.ListEnvelopeLlmConfigDto);
    }

    private static async Task<IResult> CreateAsync(HttpContext http, LlmConfigService configs, ModelCatalogue catalogue,
        IOptions<GatewayOptions> gateway, IOptions<OutboundGuardOptions> guard, CancellationToken ct)
    {
        var (body, error) = await JsonBody.ReadObjectAsync(http.Request, ct);
        if (error is not null)
        {
            return error;
        }

        var f = new FieldReader(body);
        var allowPrivateTargets = guard.Value.AllowPrivateTargets;
        var create = Read(f, body, catalogue, gateway.Value, allowPrivateTargets);
        if (f.Error is not null)
        {
            return f.Error;
        }

        // API.md §1.8: the creation-time address check (a literal or resolved refused address → 422, param = the field).
        if (create!.BaseUrl is { } baseUrl && await CheckTargetAsync(baseUrl, allowPrivateTargets, ct) is { } refused)
        {
            return refused;
        }

        var row = await configs.CreateAsync(http.RequireKeyPrincipal().PlatformId, create, ct);
        return row is null
            ? ApiErrors.Conflict($"A platform may have at most {LlmConfigService.MaxPerPlatform} llm-configs.")
            : Results.Json(LlmConfigDto.From(row), LlmConfigsJsonContext.Default.LlmConfigDto, statusCode: 201);
    }

    private static async Task<IResult> DeleteAsync(HttpContext http, string configId, LlmConfigService configs, CancellationToken ct)
    {
        var id = PlatformEndpoints.ParseId(configId);
        return id is not null && await configs.DeleteAsync(http.RequireKeyPrincipal().PlatformId, id.Value, ct)
            ? Results.NoContent()
            : ApiErrors.NotFound("No such llm-config.");
    }

    /// <summary>Validates the API.md §4.3 body; the first failure is left in <paramref name="f"/>.</summary>
    private static LlmConfigCreate? Read(FieldReader f, JsonElement body, ModelCatalogue catalogue, GatewayOptions gateway, bool allowPrivateTargets)
    {
        var provider = f.String("provider", max: 32);
        var providerId = f.String("provider_id", max: 32);
        if (provider is not null && providerId is not null && provider != providerId)
        {
            f.Fail("provider_id", "'provider' and 'provider_id' differ.");
        }

        provider ??= providerId;
        if (f.Error is null && provider is null)
        {
            f.Fail("provider", "'provider' is required.");
        }

        var providerParam = body.TryGetProperty("provider", out _) ? "provider" : "provider_id";
        if (f.Error is null && (!LlmProviders.IsKnown(provider!) || (provider == LlmProviders.Mock && !gateway.EnableMockProvider)))
        {
            f.Fail(providerParam, $"'{providerParam}' must be one of openai, anthropic, google, xai, openai_compatible"
                + (gateway.EnableMockProvider ? ", mock." : "."));
        }

        var isMock = provider == LlmProviders.Mock;
        var isCompatible = provider == LlmProviders.OpenAiCompatible;
        var apiKey = f.String("api_key", required: !isMock, max: 4096);
        var baseUrl = ReadBaseUrl(f, "base_url", required: isCompatible, allowPrivateTargets);
        var name = f.String("name", max: 100, trim: true);
        var priority = JsonInts.Read(f, body, "priority", 0, 1000) ?? 100;
        var isDefault = f.Bool("is_default") ?? false;
        var isActive = f.Bool("is_active") ?? true;
        var models = ReadModels(f, body, catalogue, required: isCompatible);
        if (f.Error is not null)
        {
            return null;
        }

        return new LlmConfigCreate(provider!, apiKey, baseUrl, name ?? LlmProviders.DisplayName(provider!)!, priority, isDefault, isActive, models);
    }

    /// <summary>
    /// The format part of the API.md §1.8 creation-time check of <c>base_url</c>: an absolute <c>https</c> URL (<c>http</c>
    /// only with <c>AllowPrivateTargets</c>), no user info, query or fragment, ≤ 2048 characters; stored without a
    /// trailing slash. The address part runs afterwards through <see cref="OutboundTargetGuard"/>.
    /// </summary>
    private static string? ReadBaseUrl(FieldReader f, string name, bool required, bool allowPrivateTargets)
    {
        var text = f.String(name, required: required, max: 2048, allowNull: !required);
        if (text is null)
        {
            return null;
        }

        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || !string.IsNullOrEmpty(uri.UserInfo)
            || !string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment) || string.IsNullOrEmpty(uri.Host))
        {
            f.Fail(name, $"'{name}' must be an absolute URL without user info, query or fragment.");
            return null;
        }

        if (uri.Scheme != Uri.UriSchemeHttps && !(allowPrivateTargets && uri.Scheme == Uri.UriSchemeHttp))
        {
            f.Fail(name, $"'{name}' must use https.");
            return null;
        }

        return text.TrimEnd('/');
    }

    private static async Task<ApiErrorResult?> CheckTargetAsync(string baseUrl, bool allowPrivateTargets, CancellationToken ct) =>
        await OutboundTargetGuard.CheckAsync(baseUrl, allowPrivateTargets, ct) switch
        {
            OutboundTargetVerdict.Allowed => null,
            OutboundTargetVerdict.BlockedTarget => ApiErrors.Validation("base_url", "'base_url' points to a private, loopback or otherwise refused address."),
            OutboundTargetVerdict.Unresolvable => ApiErrors.Validation("base_url", "'base_url' has a host name that does not resolve."),
            OutboundTargetVerdict.SchemeNotAllowed => ApiErrors.Validation("base_url", "'base_url' must use https."),
            _ => ApiErrors.Validation("base_url", "'base_url' must be an absolute URL without user info, query or fragment."),
        };

    /// <summary>
    /// <c>models</c>: <c>["slug", …]</c> or <c>[{"slug","provider_model_id?"}]</c>, 1–200 distinct catalogue slugs
    /// (API.md §4.3); required for <c>openai_compatible</c>.
    /// </summary>
    private static List<LlmConfigModel>? ReadModels(FieldReader f, JsonElement body, ModelCatalogue catalogue, bool required)
    {
        if (f.Error is not null)
        {
            return null;
        }

        if (!body.TryGetProperty("models", out var value) || value.ValueKind == JsonValueKind.Null)
        {
            if (required)
            {
                f.Fail("models", "'models' is required for openai_compatible (the slugs this server serves).");
            }

            return null;
        }

        if (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() is 0 or > MaxModels)
        {
            f.Fail("models", $"'models' must be an array of 1-{MaxModels} model slugs or {{slug, provider_model_id}} objects.");
            return null;
        }

        var list = new List<LlmConfigModel>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var i = 0;
        foreach (var item in value.EnumerateArray())
        {
            var path = $"models[{i}]";
            string? slug = null;
            string? upstream = null;
            if (item.ValueKind == JsonValueKind.String)
            {
                slug = item.GetString();
            }
            else if (item.ValueKind == JsonValueKind.Object)
            {
                var inner = new FieldReader(item, path);
                slug = inner.String("slug", required: true, max: 128);
                upstream = inner.String("provider_model_id", max: 200, allowNull: true);
                if (inner.Error is not null)
                {
                    f.Fail(inner.Error.Param ?? path, inner.Error.Message);
                    return null;
                }

                path += ".slug";
            }
            else
            {
                f.Fail(path, $"'{path}' must be a model slug or a {{slug, provider_model_id}} object.");
                return null;
            }

            if (slug is null || !catalogue.Contains(slug))
            {
                f.Fail(path, $"'{path}' is not a model of this server's catalogue.");
                return null;
            }

            if (!seen.Add(slug))
            {
                f.Fail(path, $"'{path}' repeats '{slug}'.");
                return null;
            }

            list.Add(new LlmConfigModel(slug, upstream));
            i++;
        }

        return list;
    }
}
