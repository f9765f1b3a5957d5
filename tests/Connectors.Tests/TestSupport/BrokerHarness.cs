using System.Text.Json;
using Assistiv.Connectors.Catalogue;
using Assistiv.Connectors.Registry;
using Assistiv.Platform.Ledger;
using Assistiv.Platform.Metering;
using Assistiv.Platform.Storage;
using Assistiv.Platform.Tenancy;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace Assistiv.Connectors.Tests.TestSupport;

/// <summary>
/// The connectors as the host wires them (<c>AddConnectors</c> on a real host builder, SQLite file, real
/// <see cref="Platform.Connections.McpAppStore"/>), with fakes only at the real seams: the OAuth broker's token source
/// and link issuer, and optionally the meter. The clock is fake; logs go to a <see cref="FakeLogCollector"/>.
/// </summary>
public sealed class BrokerHarness : IAsyncDisposable
{
    private readonly IHost _host;

    private BrokerHarness(IHost host, TestDatabase database, CountingTimeProvider time)
    {
        _host = host;
        Database = database;
        Time = time;
    }

    public TestDatabase Database { get; }

    public CountingTimeProvider Time { get; }

    public IServiceProvider Services => _host.Services;

    public FakeAccessTokenSource Tokens { get; } = new();

    public FakeConnectLinkIssuer Links { get; } = new();

    public RecordingMeter Meter { get; } = new();

    public ToolBroker Broker => Services.GetRequiredService<ToolBroker>();

    public PendingSettlements Settlements => Services.GetRequiredService<PendingSettlements>();

    public ConnectorCatalogue Catalogue => Services.GetRequiredService<ConnectorCatalogue>();

    public FakeLogCollector Logs => Services.GetFakeLogCollector();

    public Guid PlatformId { get; private set; }

    public Guid EndUserId { get; } = Guid.CreateVersion7();

    public Guid ApiKeyId { get; } = Guid.CreateVersion7();

    public static async Task<BrokerHarness> CreateAsync(
        CancellationToken cancellationToken,
        IDictionary<string, string?>? configuration = null,
        bool realMeter = false,
        IEnumerable<string>? apps = null,
        IReadOnlyDictionary<string, string>? githubSettings = null)
    {
        var database = await TestDatabase.CreateAsync(cancellationToken);
        var time = new CountingTimeProvider();
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = AppContext.BaseDirectory });
        var settings = new Dictionary<string, string?> { ["Gateway:EnableMockApps"] = "true" };
        foreach (var (key, value) in configuration ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddLogging(l => l.AddFakeLogging().SetMinimumLevel(LogLevel.Trace));
        builder.Services.AddSingleton<TimeProvider>(time);
        var storage = new StorageOptions { Provider = "sqlite", ConnectionString = database.Options.ConnectionString };
        builder.Services.AddPlatformStorage(storage);

        var harness = (BrokerHarness)null!;
        builder.Services.AddSingleton<IAccessTokenSource>(_ => harness.Tokens);
        builder.Services.AddSingleton<IConnectLinkIssuer>(_ => harness.Links);
        if (!realMeter)
        {
            builder.Services.AddSingleton<IToolCallMeter>(_ => harness.Meter);
        }
        else
        {
            // The platform's metered meter, as AddPlatform registers it in the host (docs/decisions/0055-tool-call-meter.md).
            builder.Services.AddMoney(storage, background: false);
        }

        builder.AddConnectors();
        var host = builder.Build();
        harness = new BrokerHarness(host, database, time);
        await host.StartAsync(cancellationToken);
        harness.PlatformId = await database.CreatePlatformAsync(time, apps ?? ["github", "mock"], cancellationToken, githubSettings);
        return harness;
    }

    public ToolCallContext Context(IReadOnlyList<ToolPolicy>? policies = null, string? appFilter = null, string? elicitationId = null) =>
        new(PlatformId, EndUserId, ApiKeyId, "req_01JTESTREQUEST0000000000000", policies ?? [ToolPolicy.Default, ToolPolicy.Default, ToolPolicy.Default],
            appFilter, elicitationId);

    public async Task<ToolCallOutcome> CallAsync(
        string tool,
        string? arguments,
        CancellationToken cancellationToken,
        IReadOnlyList<ToolPolicy>? policies = null,
        string? appFilter = null,
        string? elicitationId = null)
    {
        JsonElement? args = arguments is null ? null : JsonDocument.Parse(arguments).RootElement.Clone();
        var outcome = await Broker.CallAsync(Context(policies, appFilter, elicitationId), tool, args, cancellationToken);

        // The settlement finishes after the answer (decision 0085); the tests read it as a client reads its logs: after it.
        await Settlements.WhenSettledAsync(cancellationToken);
        return outcome;
    }

    public string AllLogText()
    {
        var sb = new System.Text.StringBuilder();
        foreach (var record in Logs.GetSnapshot())
        {
            sb.Append('[').Append(record.Category).Append("] ").AppendLine(record.Message);
            if (record.Exception is not null)
            {
                sb.AppendLine(record.Exception.ToString());
            }

            if (record.StructuredState is not null)
            {
                foreach (var (key, value) in record.StructuredState)
                {
                    sb.Append(key).Append('=').AppendLine(value);
                }
            }
        }

        return sb.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync(CancellationToken.None);
        _host.Dispose();
        await Database.DisposeAsync();
    }
}
