using Assistiv.Platform.Budgets;
using Assistiv.Platform.Holds;
using Assistiv.Platform.Tenancy;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Assistiv.Bench;

/// <summary>The platform layer as the server composes it (<c>AddPlatform</c>), in a generic host, for in-process runs.</summary>
internal sealed class MoneyBenchHost : IAsyncDisposable
{
    private readonly IHost _host;

    private MoneyBenchHost(IHost host) => _host = host;

    public IServiceProvider Services => _host.Services;

    public HoldService Holds => Services.GetRequiredService<HoldService>();

    public static async Task<MoneyBenchHost> StartAsync(string provider, string connectionString)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Gateway:Database:Provider"] = provider,
            ["ConnectionStrings:Gateway"] = connectionString,
        });
        builder.Services.AddDataProtection();
        builder.Services.AddSingleton<IDataProtectionProvider>(new EphemeralDataProtectionProvider());
        builder.AddPlatform();
        var host = builder.Build();
        await host.StartAsync();
        return new MoneyBenchHost(host);
    }

    /// <summary>A platform with a large wallet and <paramref name="count"/> end users with large budgets.</summary>
    public async Task<(Guid Platform, Guid[] EndUsers)> SeedAsync(int count, long budgetMicros)
    {
        var (p, _, _) = await Services.GetRequiredService<PlatformService>().CreateAsync("Bench " + Guid.CreateVersion7().ToString("N")[..8], null,
            1_000_000_000_000, CancellationToken.None);
        var users = new Guid[count];
        var endUsers = Services.GetRequiredService<EndUserService>();
        var budgets = Services.GetRequiredService<BudgetService>();
        for (var i = 0; i < count; i++)
        {
            var u = await endUsers.CreateOrGetAsync(p.Id, "bench-" + i, null, null, false, CancellationToken.None);
            users[i] = u.User.Id;
            await budgets.CreateAsync(p.Id, u.User.Id, new BudgetSettings(budgetMicros, BudgetPeriods.OneTime, false, null, null), null, CancellationToken.None);
        }

        return (p.Id, users);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }
}
