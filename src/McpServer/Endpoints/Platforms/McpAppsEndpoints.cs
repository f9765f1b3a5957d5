using System.Text.Json;
using Assistiv.Connectors.Catalogue;
using Assistiv.McpServer.Auth;
using Assistiv.McpServer.Errors;
using Assistiv.McpServer.Json;
using Assistiv.Platform.Common;
using Assistiv.Platform.Connections;
using Assistiv.Platform.Hosting;
using Assistiv.Platform.Network;
using Assistiv.Platform.Secrets;
using Assistiv.Platform.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Assistiv.McpServer.Endpoints.Platforms;

/// <summary>API.md §4.11: the catalogue's apps and their activation for a platform.</summary>
internal static class McpAppsEndpoints
{
    public static RouteGroupBuilder MapMcpApps(this RouteGroupBuilder platform)
    {
        platform.MapGet("/mcp/apps", ListAsync);
        platform.MapGet("/mcp/apps/{app}", GetAsync);
        platform.MapPost("/mcp/apps", ActivateAsync).RequireAuthorization(GatewayAuth.PlatformAdmin);
        platform.MapDelete("/mcp/apps/{app}", DeactivateAsync).RequireAuthorization(GatewayAuth.PlatformAdmin);
        return platform;
    }

    private static async Task<IResult> ListAsync(HttpContext http, ConnectorCatalogue catalogue, McpAppStore apps,
        IDbContextFactory<PlatformDbContext> dbFactory, IOptions<GatewayOptions> gateway, CancellationToken ct)
    {
        var pid = http.RequireKeyPrincipal().PlatformId;
        var activated = await apps.GetActivatedAsync(pid, ct);
        var counts = await ConnectedUsersAsync(dbFactory, pid, ct);
        var data = new List<McpAppDto>(catalogue.Apps.Count);
        foreach (var app in catalogue.Apps)
        {
            data.Add(ToDto(app, activated.GetValueOrDefault(app.Id), counts.GetValueOrDefault(app.Id), gateway.Value));
        }

        return Results.Json(new DataEnvelope<McpAppDto>(data), GatewayJsonContext.Default.DataEnvelopeMcpAppDto);
    }

    private static async Task<IResult> GetAsync(HttpContext http, string app, ConnectorCatalogue catalogue, McpAppStore apps,
        IDbContextFactory<PlatformDbContext> dbFactory, IOptions<GatewayOptions> gateway, CancellationToken ct)
    {
        if (!catalogue.TryGetApp(app, out var descriptor))
        {
            return ApiErrors.NotFound("No such app.");
        }

        var pid = http.RequireKeyPrincipal().PlatformId;
        var activated = await apps.GetActivatedAsync(pid, ct);
        var counts = await ConnectedUsersAsync(dbFactory, pid, ct);
        var d = ToDto(descriptor, activated.GetValueOrDefault(app), counts.GetValueOrDefault(app), gateway.Value);
        var tools = descriptor.Tools.Select(t => new McpToolDto(t.Name, t.Title, t.Description,
            new McpToolAnnotationsDto(t.Title, t.Annotations.ReadOnly, t.Annotations.Destructive, t.Annotations.Idempotent, t.Annotations.OpenWorld))).ToList();
        return Results.Json(new McpAppDetailDto(d.App, d.Name, d.Activated, d.ToolCount, d.Scopes, d.DefaultScopes, d.Pkce, d.ClientId,
            d.RedirectUri, d.RedirectBaseUrl, d.Settings, d.ConnectedUsers, d.ActivatedAt, d.UpdatedAt, tools), GatewayJsonContext.Default.McpAppDetailDto);
    }

    /// <summary>Activates an app or replaces its credentials (201 first time, 200 after); the secret is write-only and encrypted.</summary>
    private static async Task<IResult> ActivateAsync(HttpContext http, ConnectorCatalogue catalogue, McpAppStore apps,
        IDbContextFactory<PlatformDbContext> dbFactory, SecretProtector secrets, IOptions<GatewayOptions> gateway,
        IOptions<OutboundGuardOptions> guard, TimeProvider time, CancellationToken ct)
    {
        var (body, error) = await JsonBody.ReadObjectAsync(http.Request, ct);
        if (error is not null)
        {
            return error;
        }

        var f = new FieldReader(body);
        var appId = f.String("app", required: true, max: 32);
        AppDescriptor? descriptor = null;
        if (appId is not null && !catalogue.TryGetApp(appId, out descriptor))
        {
            f.Fail("app", $"Unknown app '{appId}'.");
        }

        var clientId = f.String("client_id", required: true, max: 512);
        var clientSecret = f.String("client_secret", required: true, max: 4096);
        var redirectBase = f.String("redirect_base_url", required: true, max: 2048);
        if (redirectBase is not null)
        {
            if (!Uri.TryCreate(redirectBase, UriKind.Absolute, out var u) || (u.Scheme != Uri.UriSchemeHttp && u.Scheme != Uri.UriSchemeHttps)
                || u.Query.Length > 0 || u.Fragment.Length > 0 || redirectBase.Contains('?', StringComparison.Ordinal) || redirectBase.Contains('#', StringComparison.Ordinal))
            {
                f.Fail("redirect_base_url", "'redirect_base_url' must be an absolute http(s) URL without query or fragment.");
            }
            else
            {
                redirectBase = redirectBase.TrimEnd('/');
            }
        }

        string? scopesJson = null;
        if (f.Array("scopes") is { } scopes)
        {
            var list = new List<string>();
            foreach (var s in scopes.EnumerateArray())
            {
                if (s.ValueKind != JsonValueKind.String || s.GetString()!.Length == 0)
                {
                    f.Fail("scopes", "'scopes' must be a non-empty array of strings.");
                    break;
                }

                list.Add(s.GetString()!);
            }

            if (list.Count == 0)
            {
                f.Fail("scopes", "'scopes' must be a non-empty array of strings.");
            }

            scopesJson = JsonSerializer.Serialize(list);
        }

        var settingsJson = "{}";
        if (f.Object("settings") is { } settings && descriptor is not null)
        {
            foreach (var p in settings.EnumerateObject())
            {
                if (!descriptor.SettingKeys.Contains(p.Name))
                {
                    f.Fail("settings." + p.Name, $"Unknown setting '{p.Name}' for app '{descriptor.Id}'.");
                    break;
                }

                if (p.Name == "enterprise_base_url")
                {
                    await CheckEnterpriseUrlAsync(f, p.Value, guard.Value.AllowPrivateTargets, ct);
                }
            }

            settingsJson = settings.GetRawText();
        }

        if (f.Error is not null)
        {
            return f.Error;
        }

        var pid = http.RequireKeyPrincipal().PlatformId;
        var now = time.UtcNowMs();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var row = await db.McpApps.FirstOrDefaultAsync(a => a.PlatformId == pid && a.App == appId, ct);
        var created = row is null;
        if (row is null)
        {
            row = new McpAppRecord { Id = Ids.NewId(time), PlatformId = pid, App = appId!, ActivatedAt = now };
            db.McpApps.Add(row);
        }

        row.ClientId = clientId!;
        row.ClientSecretProtected = secrets.Protect(SecretPurposes.McpAppClientSecret, clientSecret!);
        row.RedirectBaseUrl = redirectBase!;
        row.ScopesJson = scopesJson;
        row.SettingsJson = settingsJson;
        row.UpdatedAt = now;
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException ex) when (DbErrors.IsUniqueViolation(ex))
        {
            // A concurrent first activation won; this one becomes a replacement of its credentials.
            apps.Invalidate(pid);
            return await ActivateAsync(http, catalogue, apps, dbFactory, secrets, gateway, guard, time, ct);
        }

        apps.Invalidate(pid);
        var counts = await ConnectedUsersAsync(dbFactory, pid, ct);
        var dto = ToDto(descriptor!, McpAppStore.ToActivation(row), counts.GetValueOrDefault(row.App), gateway.Value);
        return Results.Json(dto, GatewayJsonContext.Default.McpAppDto, statusCode: created ? 201 : 200);
    }

    /// <summary>Deactivates an app: best-effort upstream revoke and deletion of every connection of it (API.md §4.11, §9.6).</summary>
    private static async Task<IResult> DeactivateAsync(HttpContext http, string app, McpAppStore apps, IConnectionRevoker connections,
        IDbContextFactory<PlatformDbContext> dbFactory, CancellationToken ct)
    {
        var pid = http.RequireKeyPrincipal().PlatformId;
        var activated = await apps.GetActivatedAsync(pid, ct);
        if (!activated.ContainsKey(app))
        {
            return ApiErrors.NotFound("This app is not activated.");
        }

        await connections.RevokeAllForAppAsync(pid, app, ct);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await db.McpApps.Where(a => a.PlatformId == pid && a.App == app).ExecuteDeleteAsync(ct);
        apps.Invalidate(pid);
        return Results.NoContent();
    }

    private static async Task CheckEnterpriseUrlAsync(FieldReader f, JsonElement value, bool allowPrivate, CancellationToken ct)
    {
        const string param = "settings.enterprise_base_url";
        if (value.ValueKind != JsonValueKind.String || !Uri.TryCreate(value.GetString(), UriKind.Absolute, out var uri)
            || (uri.Scheme != Uri.UriSchemeHttps && !(allowPrivate && uri.Scheme == Uri.UriSchemeHttp)))
        {
            f.Fail(param, $"'{param}' must be an absolute https URL.");
            return;
        }

        // API.md §1.8: the same address check runs at creation as on every connection.
        if (await OutboundTargetGuard.CheckAsync(value.GetString(), allowPrivate, ct) != OutboundTargetVerdict.Allowed)
        {
            f.Fail(param, $"'{param}' points at a refused address.");
        }
    }

    private static async Task<Dictionary<string, int>> ConnectedUsersAsync(IDbContextFactory<PlatformDbContext> dbFactory, Guid pid, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Connections.AsNoTracking().Where(c => c.PlatformId == pid && c.Status == ConnectionStatus.Connected)
            .GroupBy(c => c.App).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(x => x.Key, x => x.Count, ct);
    }

    private static McpAppDto ToDto(AppDescriptor app, McpAppActivation? activation, int connectedUsers, GatewayOptions gateway)
    {
        var settings = activation is null ? EndUsersEndpoints.EmptyObject : JsonSerializer.SerializeToElement(activation.Settings);
        return new McpAppDto(app.Id, app.Name, activation is not null, app.Tools.Count,
            activation?.Scopes ?? app.OAuth.DefaultScopes, app.OAuth.DefaultScopes, app.OAuth.Pkce, activation?.ClientId,
            gateway.Url("/oauth/callback"), activation?.RedirectBaseUrl, settings, connectedUsers, activation?.ActivatedAt, activation?.UpdatedAt);
    }
}
