using System.Text.Json;
using Assistiv.Connectors.Catalogue;
using Assistiv.Connectors.Registry;
using Assistiv.Connectors.Tests.TestSupport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Assistiv.Connectors.Tests.Registry;

/// <summary>STYLE.md §3: a bad catalogue or connector set stops start-up with the errors named.</summary>
public sealed class StartupTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private sealed class FakeConnector(string app) : IConnector
    {
        public string App => app;

        public string? CheckArguments(ToolDescriptor tool, JsonElement arguments) => null;

        public Task<ConnectorResult> InvokeAsync(ToolDescriptor tool, JsonElement arguments, UpstreamContext context, CancellationToken cancellationToken) =>
            Task.FromResult(ConnectorResult.Success("{}"));
    }

    private static ConnectorCatalogue RealCatalogue() => ConnectorCatalogue.Load(
        new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Gateway:EnableMockApps"] = "true" }).Build(),
        AppContext.BaseDirectory);

    [Fact]
    public void Registry_Fails_OnTwoConnectorsForOneApp()
    {
        var ex = Assert.Throws<InvalidOperationException>(() =>
            new ConnectorRegistry([new FakeConnector("github"), new FakeConnector("mock"), new FakeConnector("github")], RealCatalogue()));

        Assert.Contains("Two connectors are registered for app 'github'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Registry_Fails_WhenACatalogueAppHasNoConnector()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => new ConnectorRegistry([new FakeConnector("github")], RealCatalogue()));

        Assert.Contains("connectors.json lists app 'mock', but no connector is registered for it", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Host_FailsToStart_WithABrokenCatalogue()
    {
        var path = Path.Combine(Path.GetTempPath(), $"connectors-broken-{Guid.CreateVersion7():N}.json");
        var broken = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "connectors.json"))
            .Replace("\"name\": \"github_get_me\"", "\"name\": \"github get me\"", StringComparison.Ordinal);
        await File.WriteAllTextAsync(path, broken, Ct);
        try
        {
            await using var db = await TestDatabase.CreateAsync(Ct);
            var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = AppContext.BaseDirectory });
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Gateway:ConnectorsFile"] = path });
            builder.Services.AddLogging();
            builder.Services.AddSingleton<IAccessTokenSource>(new FakeAccessTokenSource());
            builder.Services.AddSingleton<IConnectLinkIssuer>(new FakeConnectLinkIssuer());
            builder.AddConnectors();
            using var host = builder.Build();

            var ex = await Assert.ThrowsAsync<ConnectorCatalogueException>(() => host.StartAsync(Ct));

            Assert.Contains(ex.Errors, e => e.StartsWith("apps[0].tools[0] (github get me).name: must match", StringComparison.Ordinal));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task AddConnectors_KeepsATestsOwnMeter()
    {
        await using var h = await BrokerHarness.CreateAsync(Ct);

        Assert.Same(h.Meter, h.Services.GetRequiredService<Platform.Metering.IToolCallMeter>());
        Assert.Same(h.Catalogue, h.Broker.Catalogue);
    }
}
