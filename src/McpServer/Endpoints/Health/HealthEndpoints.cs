using Assistiv.McpServer.Json;
using Assistiv.Platform.Hosting;
using Assistiv.Platform.Storage;
using Microsoft.EntityFrameworkCore;

namespace Assistiv.McpServer.Endpoints.Health;

/// <summary>API.md §1.5 ops endpoints (no key).</summary>
internal static class HealthEndpoints
{
    public static WebApplication MapHealth(this WebApplication app)
    {
        app.MapGet("/healthz", () => Results.Json(new HealthResponse("ok"), GatewayJsonContext.Default.HealthResponse));
        app.MapGet("/readyz", ReadyAsync);
        return app;
    }

    private static async Task<IResult> ReadyAsync(IDbContextFactory<PlatformDbContext> dbFactory, DatabaseMigrator migrator,
        DataProtectionStartupCheck dataProtection, CancellationToken ct)
    {
        var database = "failed";
        var migrations = "failed";
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            if (await db.Database.CanConnectAsync(ct))
            {
                database = "ok";
                migrations = migrator.Completed && !(await db.Database.GetPendingMigrationsAsync(ct)).Any() ? "ok" : "failed";
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            database = "failed";
        }

        var dp = dataProtection.Healthy ? "ok" : "failed";
        var ready = database == "ok" && migrations == "ok" && dp == "ok";
        return Results.Json(new ReadyResponse(ready ? "ready" : "not_ready", new ReadyChecks(database, migrations, dp)),
            GatewayJsonContext.Default.ReadyResponse, statusCode: ready ? 200 : 503);
    }
}

internal sealed record HealthResponse(string Status);

internal sealed record ReadyResponse(string Status, ReadyChecks Checks);

internal sealed record ReadyChecks(string Database, string Migrations, string DataProtection);
