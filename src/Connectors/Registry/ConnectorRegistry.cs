using System.Collections.Frozen;
using Assistiv.Connectors.Catalogue;

namespace Assistiv.Connectors.Registry;

/// <summary>
/// The connectors by app id, built once at start-up (STYLE.md §3: a registry from <c>IEnumerable</c> into a
/// <see cref="FrozenDictionary{TKey, TValue}"/>; duplicates fail start-up). Every catalogue app must have a connector.
/// </summary>
internal sealed class ConnectorRegistry
{
    private readonly FrozenDictionary<string, IConnector> _connectors;

    public ConnectorRegistry(IEnumerable<IConnector> connectors, ConnectorCatalogue catalogue)
    {
        var byApp = new Dictionary<string, IConnector>(StringComparer.Ordinal);
        var errors = new List<string>();
        foreach (var connector in connectors)
        {
            if (!byApp.TryAdd(connector.App, connector))
            {
                errors.Add($"Two connectors are registered for app '{connector.App}': {byApp[connector.App].GetType().Name} and {connector.GetType().Name}.");
            }
        }

        foreach (var app in catalogue.Apps)
        {
            if (!byApp.ContainsKey(app.Id))
            {
                errors.Add($"connectors.json lists app '{app.Id}', but no connector is registered for it.");
            }
        }

        if (errors.Count > 0)
        {
            throw new InvalidOperationException(string.Join(Environment.NewLine, errors));
        }

        _connectors = byApp.ToFrozenDictionary(StringComparer.Ordinal);
    }

    public IConnector Get(string app) => _connectors[app];

    public bool TryGet(string app, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out IConnector? connector) =>
        _connectors.TryGetValue(app, out connector);
}
