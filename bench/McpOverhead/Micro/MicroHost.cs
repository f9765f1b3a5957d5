using Assistiv.McpServer.Hosting;
using Assistiv.McpServer.Mcp;
using Assistiv.Platform.Common;
using Assistiv.Platform.Connections;
using Assistiv.Platform.Hosting;
using Assistiv.Platform.Keys;
using Assistiv.Platform.Storage;
using Assistiv.Platform.Tenancy;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;

namespace Assistiv.Bench.McpOverhead.Micro;

/// <summary>
/// The gateway's real service graph (platform, OAuth broker, connectors, MCP layer) on a fresh SQLite file, without
/// Kestrel: one platform, one end user with its key, <c>github</c> and <c>mock</c> activated. Logging is off, so the
/// numbers are the code's own.
/// </summary>
internal sealed class MicroHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly string _dir;

    private MicroHost(WebApplication app, string dir)
    {
        _app = app;
        _dir = dir;
    }

    public IServiceProvider Services => _app.Services;

    public Guid PlatformId { get; private set; }

    public Guid EndUserId { get; private set; }

    public Guid KeyId { get; private set; }

    public string EndUserKey { get; private set; } = "";

    public static async Task<MicroHost> CreateAsync()
    {
        var dir = Path.Combine(Path.GetTempPath(), "assistiv-bench", "micro-" + Environment.ProcessId);
        Directory.CreateDirectory(dir);
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            EnvironmentName = "Production",
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Gateway:Database:Provider"] = "sqlite",
            ["ConnectionStrings:Gateway"] = $"Data Source={Path.Combine(dir, "gateway.db")}",
            ["Gateway:EnableMockApps"] = "true",
        });
        builder.Services.AddSingleton<IDataProtectionProvider>(new EphemeralDataProtectionProvider());
        builder.AddPlatform(runMigrations: false);
        builder.AddOAuthBroker();
        builder.AddGatewayServices();
        builder.AddMcpGateway();
        var app = builder.Build();
        var host = new MicroHost(app, dir);
        await host.SeedAsync();
        return host;
    }

    private async Task SeedAsync()
    {
        var ct = CancellationToken.None;
        var factory = Services.GetRequiredService<IDbContextFactory<PlatformDbContext>>();
        await DatabaseMigrator.MigrateAsync(factory, ct);
        var (platform, _, _) = await Services.GetRequiredService<PlatformService>().CreateAsync("Micro", null, ct);
        PlatformId = platform.Id;
        var user = await Services.GetRequiredService<EndUserService>().CreateOrGetAsync(platform.Id, "micro-user", null, null, false, ct);
        EndUserId = user.User.Id;
        KeyId = user.Key!.Id;
        EndUserKey = user.RawKey!;

        var time = Services.GetRequiredService<TimeProvider>();
        await using (var db = await factory.CreateDbContextAsync(ct))
        {
            foreach (var app in new[] { "github", "mock" })
            {
                // The secret is never decrypted on the paths measured here.
                db.McpApps.Add(new McpAppRecord
                {
                    Id = Ids.NewId(time),
                    PlatformId = platform.Id,
                    App = app,
                    ClientId = "bench-client",
                    ClientSecretProtected = "unused",
                    RedirectBaseUrl = "https://platform.example",
                    SettingsJson = "{}",
                    ActivatedAt = time.GetUtcNow(),
                    UpdatedAt = time.GetUtcNow(),
                });
            }

            await db.SaveChangesAsync(ct);
        }

        Services.GetRequiredService<McpAppStore>().Invalidate(platform.Id);
    }

    public T Get<T>()
        where T : notnull => Services.GetRequiredService<T>();

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>Forces resolution of the MCP singletons the benchmarks use (and fails early if one is missing).</summary>
    public (McpToolSets Sets, IMcpToolBackend Backend) Mcp() => (Get<McpToolSets>(), Get<IMcpToolBackend>());
}
