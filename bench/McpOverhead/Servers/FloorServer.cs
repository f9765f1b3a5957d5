using System.Text.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol.AspNetCore;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Assistiv.Bench.McpOverhead.Servers;

/// <summary>
/// The floor of STYLE.md §4: a bare <c>ModelContextProtocol.AspNetCore</c> 2.4.0 host, stateless like the gateway, with
/// one tool that returns a constant. It answers the very request the gateway gets (<c>tools/call github_get_me</c>) with
/// a result of the same shape (text + structuredContent of the get_me fields), so the gap between it and the gateway is
/// the gateway's own work: auth, policies, broker, token, metering, connector and the upstream hop.
/// </summary>
internal static class FloorServer
{
    /// <summary>The fields of <c>github_get_me</c>'s outputSchema (connectors.json).</summary>
    private static readonly string[] s_getMeFields =
        ["login", "id", "name", "email", "html_url", "type", "company", "location", "bio", "public_repos", "followers", "following", "created_at"];

    public static async Task<int> RunAsync(ServerArgs args)
    {
        var builder = ServerArgs.SlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseUrls(args.Url);
        builder.Services.AddMcpServer(o => o.ServerInfo = new Implementation { Name = "bench-floor", Version = "1.0.0" })
            .WithHttpTransport(o => o.SessionMode = HttpServerSessionMode.Stateless)
            .WithTools([new ConstantTool(ConstantResult())]);
        var app = builder.Build();
        app.MapMcp("/mcp");

        await app.StartAsync();
        await ServerArgs.WaitForShutdownAsync(app);
        return 0;
    }

    private static CallToolResult ConstantResult()
    {
        var user = JsonNode.Parse(ServerArgs.UserBody())!.AsObject();
        var mapped = new JsonObject();
        foreach (var field in s_getMeFields)
        {
            mapped[field] = user[field]?.DeepClone();
        }

        var text = mapped.ToJsonString();
        return new CallToolResult
        {
            Content = [new TextContentBlock { Text = text }],
            StructuredContent = JsonDocument.Parse(text).RootElement.Clone(),
            IsError = false,
        };
    }

    private sealed class ConstantTool(CallToolResult result) : McpServerTool
    {

        public override Tool ProtocolTool { get; } = new()
        {
            Name = "github_get_me",
            Description = "Returns a constant (the benchmark floor).",
            InputSchema = JsonDocument.Parse("""{"type":"object","properties":{},"additionalProperties":false}""").RootElement.Clone(),
        };

        public override IReadOnlyList<object> Metadata => [];

        public override ValueTask<CallToolResult> InvokeAsync(RequestContext<CallToolRequestParams> request, CancellationToken cancellationToken) => ValueTask.FromResult(result);
    }
}
