using Assistiv.Platform.Budgets;
using Assistiv.Platform.Holds;
using Assistiv.Platform.Metering;
using Assistiv.Platform.Outbox;
using Assistiv.Platform.Storage;
using Assistiv.Platform.Wallet;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Assistiv.Platform.Ledger;

/// <summary>Registration of the money layer: budgets, wallet, holds, outbox, sweepers and the tool-call meter.</summary>
public static class MoneyRegistration
{
    /// <summary>
    /// Adds the money services for the configured storage provider. With <paramref name="background"/> it also adds the
    /// start-up hold recovery and the 60 s sweepers (API.md §1.4), which must come after the migrator.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="storage">The storage options (the provider picks the writer).</param>
    /// <param name="background">False for the CLI.</param>
    public static IServiceCollection AddMoney(this IServiceCollection services, StorageOptions storage, bool background)
    {
        ArgumentNullException.ThrowIfNull(storage);
        services.AddOptions<MoneyOptions>().Configure<Microsoft.Extensions.Configuration.IConfiguration>((o, c) => o.Read(c)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<MoneyOptions>, MoneyOptionsValidator>());
        services.TryAddSingleton<IOutboxSignal, NoOutboxSignal>();
        services.TryAddSingleton(sp => new MoneyDatabase(sp.GetRequiredService<IDbContextFactory<PlatformDbContext>>(), storage));
        if (storage.IsSqlite)
        {
            services.TryAddSingleton<SqliteWalRewind>();
            services.TryAddSingleton(sp => new SqliteMoneyWriter(sp.GetRequiredService<MoneyDatabase>(), sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<IOutboxSignal>(), sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<SqliteMoneyWriter>>(),
                sp.GetRequiredService<SqliteWalRewind>()));
            services.TryAddSingleton<IMoneyExecutor>(sp => sp.GetRequiredService<SqliteMoneyWriter>());
            // Stops after everything registered later (hosted services stop in reverse order) and drains its queue.
            services.AddHostedService(sp => sp.GetRequiredService<SqliteMoneyWriter>());
        }
        else
        {
            services.TryAddSingleton<IMoneyExecutor>(sp => new PostgresMoneyExecutor(sp.GetRequiredService<MoneyDatabase>(),
                sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<IOutboxSignal>()));
        }

        services.TryAddSingleton(sp => new HoldService(sp.GetRequiredService<IMoneyExecutor>(), sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<IOptions<MoneyOptions>>()));
        services.TryAddSingleton(sp => new BudgetService(sp.GetRequiredService<IDbContextFactory<PlatformDbContext>>(),
            sp.GetRequiredService<IMoneyExecutor>(), sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(sp => new WalletService(sp.GetRequiredService<IDbContextFactory<PlatformDbContext>>(),
            sp.GetRequiredService<IMoneyExecutor>()));
        // Registered after the money writer, so it stops first: pending tool-call settlements finish before the writer
        // drains (decision 0085).
        services.TryAddSingleton<PendingSettlements>();
        services.AddHostedService(sp => sp.GetRequiredService<PendingSettlements>());
        services.TryAddSingleton<IToolCallMeter>(sp => new MeteredToolCallMeter(sp.GetRequiredService<IMoneyExecutor>(),
            sp.GetRequiredService<HoldService>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<IOptions<MoneyOptions>>()));

        if (background)
        {
            services.AddHostedService<HoldRecovery>();
            services.AddHostedService<MoneySweeper>();
        }

        return services;
    }
}
