using Assistiv.McpServer.Auth;
using Assistiv.McpServer.Json;
using Assistiv.Platform.Connections;
using Assistiv.Platform.Hosting;
using Assistiv.Platform.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Assistiv.McpServer.Endpoints.Me;

/// <summary>API.md §4.10 self-service routes for <c>sk-eu_</c> keys (platform key → 403 <c>wrong_key_type</c>).</summary>
internal static class MeEndpoints
{
    public static RouteGroupBuilder MapMe(this RouteGroupBuilder me)
    {
        me.MapGet("", GetMe);
        me.MapGet("/mcp-config", GetMcpConfigAsync);
        return me;
    }

    private static IResult GetMe(HttpContext http)
    {
        var key = http.RequireKeyPrincipal();
        return Results.Json(new MeDto(key.EndUserId!.Value, key.PlatformId, key.ExternalId!, key.DisplayName, key.KeyId, key.KeyPrefix),
            GatewayJsonContext.Default.MeDto);
    }

    /// <summary>
    /// One entry per app whose connection is <c>connected</c> or <c>needs_reauth</c>; the key embedded is the key that
    /// authenticated this request (the server stores only hashes).
    /// </summary>
    private static async Task<IResult> GetMcpConfigAsync(HttpContext http, IDbContextFactory<PlatformDbContext> dbFactory,
        McpAppStore apps, IOptions<GatewayOptions> gateway, CancellationToken ct)
    {
        var key = http.RequireKeyPrincipal();
        var rawKey = ApiKeyAuthenticationHandler.ReadBearer(http.Request.Headers.Authorization.ToString())!;
        var activated = await apps.GetActivatedAsync(key.PlatformId, ct);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var connected = await db.Connections.AsNoTracking()
            .Where(c => c.PlatformId == key.PlatformId && c.EndUserId == key.EndUserId)
            .Select(c => c.App).ToListAsync(ct);
        connected.Sort(StringComparer.Ordinal);
        var standard = new Dictionary<string, McpStandardEntry>(StringComparer.Ordinal);
        var openai = new List<McpOpenAiEntry>();
        foreach (var app in connected)
        {
            if (!activated.ContainsKey(app))
            {
                continue;
            }

            var url = gateway.Value.Url("/mcp/" + app);
            standard[app] = new McpStandardEntry("streamable_http", url, new Dictionary<string, string> { ["Authorization"] = "Bearer " + rawKey });
            openai.Add(new McpOpenAiEntry("mcp", app, url, "Bearer " + rawKey));
        }

        return Results.Json(new McpConfigDto(standard, openai), GatewayJsonContext.Default.McpConfigDto);
    }
}

internal sealed record MeDto(Guid EndUserId, Guid PlatformId, string ExternalId, string? DisplayName, Guid KeyId, string KeyPrefix);

internal sealed record McpConfigDto(IReadOnlyDictionary<string, McpStandardEntry> Standard, IReadOnlyList<McpOpenAiEntry> Openai);

internal sealed record McpStandardEntry(string Transport, string Url, IReadOnlyDictionary<string, string> Headers);

internal sealed record McpOpenAiEntry(string Type, string ServerLabel, string ServerUrl, string Authorization);
