using System.Text.Json;
using System.Text.Json.Nodes;
using Assistiv.Connectors.Catalogue;
using Assistiv.Connectors.Registry;

namespace Assistiv.Connectors.Mock;

/// <summary>
/// The mock app (API.md §8.3, §9.3; only with <c>Gateway:EnableMockApps</c>): <c>mock_echo</c> echoes <c>text</c> as
/// <c>{"text": …}</c> structured content, <c>mock_fail</c> always fails upstream. It runs in process but still goes
/// through the connection check, so a user must have connected the mock app through its OAuth flow first.
/// </summary>
internal sealed class MockConnector : IConnector
{
    public string App => "mock";

    public string? CheckArguments(ToolDescriptor tool, JsonElement arguments) => null;

    public Task<ConnectorResult> InvokeAsync(ToolDescriptor tool, JsonElement arguments, UpstreamContext context, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(tool.Name switch
        {
            "mock_echo" => ToolResults.Object(new JsonObject { ["text"] = arguments.GetProperty("text").GetString() }, structured: true),
            "mock_fail" => ConnectorResult.Fail(UpstreamFailureKind.Unavailable, "the mock upstream always fails"),
            _ => throw new InvalidOperationException($"The mock connector has no tool '{tool.Name}'."),
        });
    }
}
