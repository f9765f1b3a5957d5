using System.Security.Cryptography;
using System.Text.Json;
using Assistiv.Connectors.Registry;
using Microsoft.AspNetCore.WebUtilities;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Assistiv.McpServer.Mcp;

/// <summary>
/// Runs a catalogue tool's <c>tools/call</c> (API.md §8.5) through the broker and turns the outcome into the answer the
/// client can use: an unknown or hidden tool → JSON-RPC <c>-32602</c>; a result → one text block (+
/// <c>structuredContent</c>); a missing connection → URL elicitation where the client declared it (MRTR
/// <c>input_required</c> on 2026-07-28, <c>-32042</c> on a 2025-11-25 session), else an <c>isError</c> result with the
/// link. The elicitation message is always the exact tool-result text, so a client that declines still shows the link.
/// </summary>
internal sealed partial class McpToolInvoker(
    IMcpToolBackend backend,
    McpRequestState requestState,
    IHttpContextAccessor accessor,
    ILogger<McpToolInvoker> logger)
{
    /// <summary>The first initialize-era revision with URL elicitation and <c>-32042</c>.</summary>
    private const string UrlElicitationVersion = "2025-11-25";

    public async ValueTask<CallToolResult> InvokeAsync(McpToolInfo tool, RequestContext<CallToolRequestParams> request, CancellationToken cancellationToken)
    {
        var http = accessor.HttpContext ?? throw new InvalidOperationException("tools/call ran outside an HTTP request.");
        var scope = http.Features.Get<McpRequestScope>() ?? throw new InvalidOperationException("The MCP request scope is missing; McpRequestMiddleware did not run.");
        var key = scope.Key;
        var endUserId = key.EndUserId ?? throw new InvalidOperationException("MCP requests need an end-user key.");
        using var arguments = ToolArguments.From(request.Params?.Arguments);

        var answer = ConnectAnswer.ToolResult;
        if (request.Params?.RequestState is { } state)
        {
            // A retry after input_required: it re-runs the pipeline; if the app is still not connected the answer is the
            // readable result, not another round (docs/decisions/0032-mcp-connect-answers.md).
            if (!requestState.Verify(state, key.PlatformId, endUserId, tool.App, tool.Name, arguments.Sha256))
            {
                LogRequestStateRejected(logger, tool.Name, http.TraceIdentifier);
                throw new McpProtocolException("The requestState is invalid, expired, or belongs to another call.", McpErrorCode.InvalidParams);
            }
        }
        else
        {
            answer = ChooseAnswer(request.Server, http);
        }

        var elicitationId = answer == ConnectAnswer.LegacyUrlElicitation ? NewElicitationId() : null;
        var context = new ToolCallContext(key.PlatformId, endUserId, key.KeyId, http.TraceIdentifier, scope.Policies, scope.AppFilter, elicitationId);
        var outcome = await backend.CallAsync(context, tool.Name, arguments.Element, cancellationToken);
        switch (outcome)
        {
            case ToolCallOutcome.Completed completed:
                return new CallToolResult
                {
                    Content = [new TextContentBlock { Text = completed.Text }],
                    StructuredContent = completed.StructuredContent is { } structured
                        ? JsonSerializer.SerializeToElement(structured, McpJsonContext.Default.JsonObject)
                        : null,
                    IsError = completed.IsError,
                };

            case ToolCallOutcome.ConnectRequired connect when answer == ConnectAnswer.InputRequired:
                var inputs = new Dictionary<string, InputRequest>(1, StringComparer.Ordinal)
                {
                    ["connect_" + connect.App] = InputRequest.ForElicitation(new ElicitRequestParams
                    {
                        Mode = "url",
                        Url = connect.ConnectUrl.AbsoluteUri,
                        Message = connect.Message,
                    }),
                };
                throw new InputRequiredException(inputs, requestState.Create(key.PlatformId, endUserId, tool.App, tool.Name, arguments.Sha256));

            case ToolCallOutcome.ConnectRequired connect when answer == ConnectAnswer.LegacyUrlElicitation:
                throw new UrlElicitationRequiredException(connect.Message,
                [
                    new ElicitRequestParams
                    {
                        Mode = "url",
                        ElicitationId = elicitationId,
                        Url = connect.ConnectUrl.AbsoluteUri,
                        Message = connect.Message,
                    },
                ]);

            case ToolCallOutcome.ConnectRequired connect:
                return new CallToolResult { Content = [new TextContentBlock { Text = connect.Message }], IsError = true };

            default:
                // UnknownTool: hidden by policy, app deactivated since the list was built, or another app on /mcp/{app}.
                throw new McpProtocolException($"Unknown tool: '{tool.Name}'", McpErrorCode.InvalidParams);
        }
    }

    /// <summary>
    /// API.md §8.5: URL elicitation only where the client declared <c>elicitation.url</c> — in a 2026-07-28 request's
    /// <c>_meta</c> (and only when SDK 2.4.0 can emit MRTR for it), or in the <c>initialize</c> of a 2025-11-25 session
    /// (only <c>StatefulForInitializeClients</c> sessions keep capabilities). Never <c>-32042</c> on 2026-07-28.
    /// </summary>
    private static ConnectAnswer ChooseAnswer(ModelContextProtocol.Server.McpServer server, HttpContext http)
    {
        if (server.ClientCapabilities?.Elicitation?.Url is null)
        {
            return ConnectAnswer.ToolResult;
        }

        if (McpProtocol.IsPerRequestEra(http.Request.Headers[McpProtocol.ProtocolVersionHeader].ToString()))
        {
            return server.IsMrtrSupported ? ConnectAnswer.InputRequired : ConnectAnswer.ToolResult;
        }

        return server.NegotiatedProtocolVersion is { } version && string.CompareOrdinal(version, UrlElicitationVersion) >= 0
            ? ConnectAnswer.LegacyUrlElicitation
            : ConnectAnswer.ToolResult;
    }

    private static string NewElicitationId()
    {
        Span<byte> bytes = stackalloc byte[16];
        RandomNumberGenerator.Fill(bytes);
        return WebEncoders.Base64UrlEncode(bytes);
    }

    [LoggerMessage(1, LogLevel.Information, "MCP tools/call {Tool} in request {RequestId}: requestState rejected.")]
    private static partial void LogRequestStateRejected(ILogger logger, string tool, string requestId);

    private enum ConnectAnswer
    {
        ToolResult,
        InputRequired,
        LegacyUrlElicitation,
    }
}
