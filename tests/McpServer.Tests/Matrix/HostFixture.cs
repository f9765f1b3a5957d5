using Assistiv.Platform.Storage;
using Assistiv.Tests.Common;
using Assistiv.Tests.Common.Host;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Assistiv.McpServer.Tests.Matrix;

/// <summary>
/// One gateway host per test class, on SQLite or on PostgreSQL (STYLE.md §7: the same class runs once per database,
/// an abstract base with two sealed subclasses). Tests isolate by making their own platforms. PostgreSQL needs
/// <c>GATEWAY_TEST_POSTGRES</c> (set by <c>./test.sh</c>); without it the fixture fails, never skips.
/// </summary>
public abstract class HostFixture : IAsyncLifetime
{
    private readonly List<PostgresTestDatabase> _databases = [];
    private readonly List<GatewayFactory> _factories = [];

    private protected HostFixture(bool postgres) => IsPostgres = postgres;

    public bool IsPostgres { get; }

    /// <summary>The shared host's clock (starts 2026-05-01T12:00:00Z).</summary>
    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 5, 1, 12, 0, 0, TimeSpan.Zero));

    internal GatewayFactory Factory { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Factory = await NewFactoryAsync(Time);
        _ = Factory.BaseAddress;
    }

    /// <summary>A further host on a fresh database of this fixture's kind (for tests that need their own settings).</summary>
    internal async Task<GatewayFactory> NewFactoryAsync(FakeTimeProvider? time = null, Action<GatewayFactory>? configure = null)
    {
        string? connectionString = null;
        if (IsPostgres)
        {
            var db = await PostgresTestDatabase.CreateAsync(TestContext.Current.CancellationToken);
            _databases.Add(db);
            connectionString = db.ConnectionString;
        }

        var factory = new GatewayFactory(time, connectionString);
        configure?.Invoke(factory);
        _factories.Add(factory);
        return factory;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var f in _factories)
        {
            await f.DisposeAsync();
        }

        foreach (var db in _databases)
        {
            await db.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }
}

public sealed class SqliteHost() : HostFixture(postgres: false);

public sealed class PostgresHost() : HostFixture(postgres: true);

internal static class FactoryExtensions
{
    /// <summary>A unit of work on the host's database (for arranging rows and asserting what was written).</summary>
    public static PlatformDbContext Db(this GatewayFactory factory) =>
        factory.Services.GetRequiredService<IDbContextFactory<PlatformDbContext>>().CreateDbContext();
}
