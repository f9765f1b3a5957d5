using Assistiv.Platform.Common;
using Assistiv.Platform.Connections;
using Assistiv.Platform.Storage;
using Assistiv.Tests.Common.Host;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Assistiv.Tests.Mcp;

/// <summary>Test data the MCP tests need that has no HTTP route yet.</summary>
internal static class McpTestData
{
    /// <summary>
    /// Activates apps for a platform by writing the activation rows (<c>POST P/mcp/apps</c> is built elsewhere), then
    /// drops the platform's cached activation set as that route does.
    /// </summary>
    public static async Task ActivateAppsAsync(this TestPlatform platform, params string[] apps)
    {
        var services = platform.Factory.Services;
        var time = services.GetRequiredService<TimeProvider>();
        var dbFactory = services.GetRequiredService<IDbContextFactory<PlatformDbContext>>();
        await using (var db = await dbFactory.CreateDbContextAsync())
        {
            foreach (var app in apps)
            {
                var now = time.GetUtcNow();
                db.McpApps.Add(new McpAppRecord
                {
                    Id = Ids.NewId(time),
                    PlatformId = platform.Id,
                    App = app,
                    ClientId = "client-" + app,
                    ClientSecretProtected = "unused",
                    RedirectBaseUrl = "https://platform.example.com",
                    SettingsJson = "{}",
                    ActivatedAt = new DateTimeOffset(now.UtcTicks - now.UtcTicks % TimeSpan.TicksPerMillisecond, TimeSpan.Zero),
                    UpdatedAt = new DateTimeOffset(now.UtcTicks - now.UtcTicks % TimeSpan.TicksPerMillisecond, TimeSpan.Zero),
                });
            }

            await db.SaveChangesAsync();
        }

        services.GetRequiredService<McpAppStore>().Invalidate(platform.Id);
    }
}
