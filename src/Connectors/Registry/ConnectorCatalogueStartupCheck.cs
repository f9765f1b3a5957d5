using Assistiv.Connectors.Catalogue;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Assistiv.Connectors.Registry;

/// <summary>
/// Builds the catalogue and the connector registry when the host starts, so a bad <c>connectors.json</c> or a missing
/// connector stops start-up with every error listed (STYLE.md §3) instead of failing the first <c>tools/call</c>.
/// </summary>
internal sealed partial class ConnectorCatalogueStartupCheck(IServiceProvider services, ILogger<ConnectorCatalogueStartupCheck> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var catalogue = services.GetRequiredService<ConnectorCatalogue>();
        services.GetRequiredService<ConnectorRegistry>();
        LogLoaded(logger, catalogue.Apps.Count, catalogue.Tools.Count);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "Connector catalogue loaded: {Apps} apps, {Tools} tools.")]
    private static partial void LogLoaded(ILogger logger, int apps, int tools);
}
