using System.Text.Json;
using Assistiv.Connectors.Catalogue;

namespace Assistiv.Connectors.Registry;

/// <summary>
/// One app's tool implementation. The broker has already resolved the tool, validated the arguments against the
/// catalogue schema, fetched the user's access token and admitted the call; a connector only talks to its upstream and
/// maps the answer to a <see cref="ConnectorResult"/>. Registered at start-up into <see cref="ConnectorRegistry"/>.
/// </summary>
internal interface IConnector
{
    /// <summary>The catalogue app id this connector serves.</summary>
    string App { get; }

    /// <summary>
    /// Rules across arguments that JSON Schema cannot say without constructs clients reject (e.g. <c>title</c> required
    /// for <c>method: create</c>); checked after schema validation and before the connection check.
    /// </summary>
    /// <returns>Null when the arguments are fine, else <c>"{path}: {problem}"</c>.</returns>
    string? CheckArguments(ToolDescriptor tool, JsonElement arguments);

    /// <summary>Runs the tool against the upstream with the user's token.</summary>
    Task<ConnectorResult> InvokeAsync(ToolDescriptor tool, JsonElement arguments, UpstreamContext context, CancellationToken cancellationToken);
}
