using Assistiv.Platform.Common;
using Assistiv.Platform.Connections;
using Assistiv.Platform.Storage;
using Assistiv.Platform.Tenancy;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Assistiv.Connectors.Tests.TestSupport;

/// <summary>A SQLite file per test (STYLE.md §7), schema from <c>EnsureCreated</c> (migrations are the integrator's).</summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    private TestDatabase(string path, ServiceProvider services)
    {
        FilePath = path;
        _services = services;
        Factory = services.GetRequiredService<IDbContextFactory<PlatformDbContext>>();
    }

    public string FilePath { get; }

    public StorageOptions Options => _services.GetRequiredService<StorageOptions>();

    public IDbContextFactory<PlatformDbContext> Factory { get; }

    public static async Task<TestDatabase> CreateAsync(CancellationToken cancellationToken)
    {
        var path = Path.Combine(Path.GetTempPath(), $"assistiv-connectors-{Guid.CreateVersion7():N}.db");
        var options = new StorageOptions { Provider = "sqlite", ConnectionString = $"Data Source={path}" };
        var services = new ServiceCollection().AddPlatformStorage(options).BuildServiceProvider();
        var db = new TestDatabase(path, services);
        await using var context = await db.Factory.CreateDbContextAsync(cancellationToken);
        await context.Database.EnsureCreatedAsync(cancellationToken);
        return db;
    }

    /// <summary>Creates a platform and activates <paramref name="apps"/> for it.</summary>
    public async Task<Guid> CreatePlatformAsync(TimeProvider time, IEnumerable<string> apps, CancellationToken cancellationToken, IReadOnlyDictionary<string, string>? githubSettings = null)
    {
        var id = Ids.NewId(time);
        var now = time.UtcNowMs();
        await using var context = await Factory.CreateDbContextAsync(cancellationToken);
        context.Platforms.Add(new PlatformRecord { Id = id, Name = "Test platform", Slug = "p-" + id.ToString("N")[..20], CreatedAt = now, UpdatedAt = now });
        foreach (var app in apps)
        {
            var settings = app == "github" && githubSettings is not null
                ? System.Text.Json.JsonSerializer.Serialize(githubSettings)
                : "{}";
            context.McpApps.Add(new McpAppRecord
            {
                Id = Ids.NewId(time),
                PlatformId = id,
                App = app,
                ClientId = "client-" + app,
                ClientSecretProtected = "protected",
                RedirectBaseUrl = "https://platform.example",
                SettingsJson = settings,
                ActivatedAt = now,
                UpdatedAt = now,
            });
        }

        await context.SaveChangesAsync(cancellationToken);
        return id;
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        SqliteConnection.ClearAllPools();
        foreach (var suffix in (string[])["", "-wal", "-shm", "-journal"])
        {
            try
            {
                File.Delete(FilePath + suffix);
            }
            catch (IOException)
            {
            }
        }
    }
}
