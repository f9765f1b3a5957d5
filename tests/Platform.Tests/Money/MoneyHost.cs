using Assistiv.Platform.Budgets;
using Assistiv.Platform.Holds;
using Assistiv.Platform.Metering;
using Assistiv.Platform.Storage;
using Assistiv.Platform.Tenancy;
using Assistiv.Platform.Wallet;
using Assistiv.Tests.Common;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Assistiv.Platform.Tests.Money;

/// <summary>
/// The platform layer as the server composes it (<c>AddPlatform</c>: migrations, money services, hold recovery, sweepers)
/// in a generic host, on a fresh SQLite file or a fresh PostgreSQL database, with a <see cref="FakeTimeProvider"/>.
/// Operations without a route (reserve, settle, release, period reset) are driven here (API.md §1.7).
/// </summary>
internal sealed class MoneyHost : IAsyncDisposable
{
    private readonly IHost _host;
    private readonly string? _dir;
    private readonly PostgresTestDatabase? _postgres;

    private MoneyHost(IHost host, FakeTimeProvider time, string? dir, PostgresTestDatabase? postgres)
    {
        _host = host;
        Time = time;
        _dir = dir;
        _postgres = postgres;
    }

    public FakeTimeProvider Time { get; }

    public IServiceProvider Services => _host.Services;

    public HoldService Holds => Services.GetRequiredService<HoldService>();

    public BudgetService Budgets => Services.GetRequiredService<BudgetService>();

    public WalletService Wallets => Services.GetRequiredService<WalletService>();

    public IToolCallMeter Meter => Services.GetRequiredService<IToolCallMeter>();

    public IDbContextFactory<PlatformDbContext> Db => Services.GetRequiredService<IDbContextFactory<PlatformDbContext>>();

    /// <summary>Starts a host; <paramref name="database"/> is "sqlite" or "postgres".</summary>
    public static async Task<MoneyHost> StartAsync(string database, FakeTimeProvider? time = null, IDictionary<string, string?>? settings = null,
        string? reuseSqliteDirectory = null, PostgresTestDatabase? reusePostgres = null, bool ownsDatabase = true,
        Action<IServiceCollection>? configureServices = null)
    {
        time ??= new FakeTimeProvider(new DateTimeOffset(2026, 5, 1, 12, 0, 0, TimeSpan.Zero));
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders();
        var config = new Dictionary<string, string?>(StringComparer.Ordinal);
        string? dir = null;
        PostgresTestDatabase? postgres = null;
        if (database == "postgres")
        {
            postgres = reusePostgres ?? await PostgresTestDatabase.CreateAsync(TestContext.Current.CancellationToken);
            config["Gateway:Database:Provider"] = "postgres";
            config["ConnectionStrings:Gateway"] = postgres.ConnectionString;
        }
        else
        {
            dir = reuseSqliteDirectory ?? Path.Combine(Path.GetTempPath(), "gw-money-tests", Guid.CreateVersion7().ToString("N"));
            Directory.CreateDirectory(dir);
            config["Gateway:Database:Provider"] = "sqlite";
            config["ConnectionStrings:Gateway"] = $"Data Source={Path.Combine(dir, "gateway.db")}";
        }

        if (settings is not null)
        {
            foreach (var (k, v) in settings)
            {
                config[k] = v;
            }
        }

        builder.Configuration.AddInMemoryCollection(config);
        builder.Services.AddSingleton<TimeProvider>(time);
        // As the web host does (AddDataProtection by default) with the test fixture's ephemeral provider on top.
        builder.Services.AddDataProtection();
        builder.Services.AddSingleton<IDataProtectionProvider>(new EphemeralDataProtectionProvider());
        builder.AddPlatform();
        configureServices?.Invoke(builder.Services);
        var host = builder.Build();
        await host.StartAsync(TestContext.Current.CancellationToken);
        return new MoneyHost(host, time, ownsDatabase ? dir : null, ownsDatabase ? postgres : null) { SqliteDirectory = dir, Postgres = postgres };
    }

    public string? SqliteDirectory { get; private init; }

    public PostgresTestDatabase? Postgres { get; private init; }

    /// <summary>Creates a platform (with its wallet) and returns its id.</summary>
    public async Task<Guid> CreatePlatformAsync(long walletMicros = 0)
    {
        var (p, _, _) = await Services.GetRequiredService<PlatformService>()
            .CreateAsync("Money " + Guid.CreateVersion7().ToString("N")[..8], null, walletMicros, TestContext.Current.CancellationToken);
        return p.Id;
    }

    public async Task<Guid> CreateEndUserAsync(Guid platformId)
    {
        var r = await Services.GetRequiredService<EndUserService>()
            .CreateOrGetAsync(platformId, "u-" + Guid.CreateVersion7().ToString("N"), null, null, false, TestContext.Current.CancellationToken);
        return r.User.Id;
    }

    public async Task<BudgetRecord> CreateBudgetAsync(Guid platformId, Guid endUserId, long maxMicros, string period = BudgetPeriods.OneTime,
        bool autoReplenish = false, long? replenish = null, long? threshold = null)
    {
        var r = await Budgets.CreateAsync(platformId, endUserId, new BudgetSettings(maxMicros, period, autoReplenish, replenish, threshold), "req_test",
            TestContext.Current.CancellationToken);
        Assert.Equal(BudgetOutcome.Ok, r.Outcome);
        return r.Budget!;
    }

    public async Task<T> QueryAsync<T>(Func<PlatformDbContext, Task<T>> query)
    {
        await using var db = await Db.CreateDbContextAsync(TestContext.Current.CancellationToken);
        return await query(db);
    }

    public async Task StopAsync() => await _host.StopAsync(TestContext.Current.CancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync(CancellationToken.None);
        _host.Dispose();
        if (_postgres is not null)
        {
            await _postgres.DisposeAsync();
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
