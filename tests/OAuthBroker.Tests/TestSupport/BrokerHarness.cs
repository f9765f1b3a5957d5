using System.Text.Json;
using Assistiv.Connectors.Registry;
using Assistiv.OAuthBroker.Vault;
using Assistiv.Platform.Common;
using Assistiv.Platform.Connections;
using Assistiv.Platform.Secrets;
using Assistiv.Platform.Storage;
using Assistiv.Platform.Tenancy;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace Assistiv.OAuthBroker.Tests.TestSupport;

/// <summary>
/// The broker's real registration (<c>AddPlatform</c> + <c>AddOAuthBroker</c>) on a fresh SQLite file or a given
/// PostgreSQL database, with a <see cref="FakeTimeProvider"/> and a Data Protection provider that several harnesses can
/// share (two "instances" on one database must read each other's tokens).
/// </summary>
internal sealed class BrokerHarness : IAsyncDisposable
{
    public const string PublicBaseUrl = "http://gateway.test";
    public const string RedirectBaseUrl = "https://platform.example";

    private readonly IHost _host;
    private readonly string? _dir;

    private BrokerHarness(IHost host, FakeTimeProvider time, string? dir)
    {
        _host = host;
        Time = time;
        _dir = dir;
    }

    public IServiceProvider Services => _host.Services;

    public FakeTimeProvider Time { get; }

    public static FakeTimeProvider NewClock() => new(new DateTimeOffset(2026, 5, 1, 12, 0, 0, TimeSpan.Zero));

    public static async Task<BrokerHarness> CreateAsync(FakeTimeProvider time, IReadOnlyDictionary<string, string?> settings,
        string? postgresConnectionString = null, IDataProtectionProvider? dataProtection = null, bool createSchema = true)
    {
        string? dir = null;
        var config = new Dictionary<string, string?>(settings)
        {
            ["Gateway:PublicBaseUrl"] = PublicBaseUrl,
            ["Gateway:EnableMockApps"] = "true",
        };
        if (postgresConnectionString is null)
        {
            dir = Path.Combine(Path.GetTempPath(), "oauth-tests", Guid.CreateVersion7().ToString("N"));
            Directory.CreateDirectory(dir);
            config["Gateway:Database:Provider"] = "sqlite";
            config["ConnectionStrings:Gateway"] = $"Data Source={Path.Combine(dir, "gateway.db")}";
        }
        else
        {
            config["Gateway:Database:Provider"] = "postgres";
            config["ConnectionStrings:Gateway"] = postgresConnectionString;
        }

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, EnvironmentName = "Development" });
        builder.Configuration.AddInMemoryCollection(config);
        builder.Services.AddSingleton<TimeProvider>(time);
        builder.Services.AddSingleton(dataProtection ?? new EphemeralDataProtectionProvider());
        builder.Services.AddLogging();
        builder.AddPlatform(runMigrations: false);
        builder.AddOAuthBroker();
        var host = builder.Build();
        var harness = new BrokerHarness(host, time, dir);
        if (createSchema)
        {
            await using var db = await harness.DbAsync();
            await db.Database.EnsureCreatedAsync(TestContext.Current.CancellationToken);
        }

        return harness;
    }

    public T Get<T>()
        where T : notnull => Services.GetRequiredService<T>();

    public Task<PlatformDbContext> DbAsync() =>
        Get<IDbContextFactory<PlatformDbContext>>().CreateDbContextAsync(TestContext.Current.CancellationToken);

    public async Task<Guid> CreatePlatformAsync()
    {
        var (p, _, _) = await Get<PlatformService>().CreateAsync("Test " + Guid.CreateVersion7().ToString("N")[..8], null, TestContext.Current.CancellationToken);
        return p.Id;
    }

    public async Task<Guid> CreateEndUserAsync(Guid platformId)
    {
        var result = await Get<EndUserService>().CreateOrGetAsync(platformId, "user-" + Guid.CreateVersion7().ToString("N")[..12], null, null, false,
            TestContext.Current.CancellationToken);
        return result.User.Id;
    }

    /// <summary>Activates an app the way <c>POST P/mcp/apps</c> stores it (secret encrypted, cache dropped).</summary>
    public async Task ActivateAsync(Guid platformId, string app, string clientId = "Iv1.client", string clientSecret = "secret-1",
        IReadOnlyList<string>? scopes = null, IReadOnlyDictionary<string, string>? settings = null)
    {
        var now = Time.UtcNowMs();
        await using (var db = await DbAsync())
        {
            db.McpApps.Add(new McpAppRecord
            {
                Id = Ids.NewId(Time),
                PlatformId = platformId,
                App = app,
                ClientId = clientId,
                ClientSecretProtected = Get<SecretProtector>().Protect(SecretPurposes.McpAppClientSecret, clientSecret),
                RedirectBaseUrl = RedirectBaseUrl,
                ScopesJson = scopes is null ? null : JsonSerializer.Serialize(scopes),
                SettingsJson = settings is null ? "{}" : JsonSerializer.Serialize(settings),
                ActivatedAt = now,
                UpdatedAt = now,
            });
            await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        }

        Get<McpAppStore>().Invalidate(platformId);
    }

    public async Task DeactivateAsync(Guid platformId, string app)
    {
        await using (var db = await DbAsync())
        {
            await db.McpApps.Where(a => a.PlatformId == platformId && a.App == app).ExecuteDeleteAsync(TestContext.Current.CancellationToken);
        }

        Get<McpAppStore>().Invalidate(platformId);
    }

    /// <summary>Stores a connection directly (for token-lifecycle tests that do not need the connect flow).</summary>
    public async Task SeedConnectionAsync(ConnectionRef c, string accessToken, string? refreshToken, DateTimeOffset? expiresAt)
    {
        var now = Time.UtcNowMs();
        await using var db = await DbAsync();
        db.Connections.Add(new ConnectionRecord
        {
            Id = Ids.NewId(Time),
            PlatformId = c.PlatformId,
            EndUserId = c.EndUserId,
            App = c.App,
            Status = ConnectionStatus.Connected,
            TokensProtected = Get<TokenVault>().Protect(new TokenBundle(accessToken, refreshToken, null)),
            TokenExpiresAt = expiresAt,
            TokenVersion = 1,
            ClientId = "Iv1.client",
            ConnectedAt = now,
            UpdatedAt = now,
        });
        await db.SaveChangesAsync(TestContext.Current.CancellationToken);
    }

    public async Task<ConnectionRecord?> ConnectionAsync(ConnectionRef c)
    {
        await using var db = await DbAsync();
        return await db.Connections.AsNoTracking()
            .FirstOrDefaultAsync(x => x.PlatformId == c.PlatformId && x.EndUserId == c.EndUserId && x.App == c.App, TestContext.Current.CancellationToken);
    }

    public TokenBundle Tokens(ConnectionRecord row) => Get<TokenVault>().Unprotect(row.TokensProtected!);

    public async ValueTask DisposeAsync()
    {
        if (_host is IAsyncDisposable asyncHost)
        {
            await asyncHost.DisposeAsync();
        }
        else
        {
            _host.Dispose();
        }

        if (_dir is not null)
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(_dir, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
