using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Assistiv.Platform.Metering;
using Assistiv.Platform.Storage;
using Assistiv.Tests.Common;
using Assistiv.Tests.Common.Host;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Assistiv.McpServer.Tests.Money;

/// <summary>
/// One gateway host per test class (each test still makes its own platform and end users): SQLite on a fresh file, or
/// PostgreSQL on a fresh database from <c>GATEWAY_TEST_POSTGRES</c> (a missing variable fails the class, naming
/// <c>./test.sh</c>; API.md §1.7). The clock is a <see cref="FakeTimeProvider"/> at 2026-05-01T12:00:00Z.
/// </summary>
public abstract class MoneyFixture : IAsyncLifetime
{
    private PostgresTestDatabase? _postgres;

    public static DateTimeOffset Start { get; } = new(2026, 5, 1, 12, 0, 0, TimeSpan.Zero);

    internal GatewayFactory Factory { get; private set; } = null!;

    public FakeTimeProvider Time { get; } = new(Start);

    protected abstract bool UsePostgres { get; }

    /// <summary>Extra configuration for the host.</summary>
    protected virtual IReadOnlyDictionary<string, string?> Settings { get; } = new Dictionary<string, string?>();

    public async ValueTask InitializeAsync()
    {
        if (UsePostgres)
        {
            _postgres = await PostgresTestDatabase.CreateAsync(TestContext.Current.CancellationToken);
        }

        Factory = new GatewayFactory(Time, _postgres?.ConnectionString);
        foreach (var (k, v) in Settings)
        {
            Factory.With(k, v);
        }

        _ = Factory.BaseAddress;
    }

    public async ValueTask DisposeAsync()
    {
        await Factory.DisposeAsync();
        if (_postgres is not null)
        {
            await _postgres.DisposeAsync();
        }
    }

    /// <summary>Reads the database directly, after the tool-call settlements still running (decision 0085).</summary>
    internal async Task<T> QueryAsync<T>(Func<PlatformDbContext, Task<T>> query)
    {
        await Factory.Services.GetRequiredService<PendingSettlements>().WhenSettledAsync(TestContext.Current.CancellationToken);
        var factory = Factory.Services.GetRequiredService<IDbContextFactory<PlatformDbContext>>();
        await using var db = await factory.CreateDbContextAsync(TestContext.Current.CancellationToken);
        return await query(db);
    }
}

public sealed class SqliteMoneyFixture : MoneyFixture
{
    protected override bool UsePostgres => false;
}

public sealed class PostgresMoneyFixture : MoneyFixture
{
    protected override bool UsePostgres => true;
}

internal static class MoneyHttp
{
    public static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static async Task<JsonNode> JsonAsync(HttpResponseMessage response, int status)
    {
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True((int)response.StatusCode == status, $"expected {status}, got {(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text)!;
    }

    public static async Task<string> RawAsync(HttpResponseMessage response, int status)
    {
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True((int)response.StatusCode == status, $"expected {status}, got {(int)response.StatusCode}: {text}");
        return text;
    }

    public static Task<HttpResponseMessage> PostJsonAsync(this HttpClient client, string path, string json) =>
        client.PostAsync(path, new StringContent(json, System.Text.Encoding.UTF8, "application/json"), Ct);

    public static Task<HttpResponseMessage> PatchJsonAsync(this HttpClient client, string path, string json) =>
        client.PatchAsync(path, new StringContent(json, System.Text.Encoding.UTF8, "application/json"), Ct);

    /// <summary>The raw JSON text of a property, e.g. <c>10.000000</c> for a money number (API.md §5.1).</summary>
    public static string Raw(JsonNode node, string name) => node[name]!.ToJsonString();

    public static string Budget(TestPlatform p, TestEndUser u, string suffix = "") => p.Path($"/end-users/{u.Id}/budget{suffix}");

    public static async Task<JsonNode> CreateBudgetAsync(TestPlatform p, TestEndUser u, string body)
    {
        using var admin = p.Admin();
        using var response = await admin.PostJsonAsync(Budget(p, u), body);
        return await JsonAsync(response, 201);
    }

    public static async Task<JsonNode> GetAsync(HttpClient client, string path, int status = 200)
    {
        using var response = await client.GetAsync(path, Ct);
        return await JsonAsync(response, status);
    }

    public static JsonElement Element(string json) => JsonDocument.Parse(json).RootElement.Clone();

    public static Task<HttpResponseMessage> PostAnonAsync(this HttpClient client, string path, object body) => client.PostAsJsonAsync(path, body, Ct);
}
