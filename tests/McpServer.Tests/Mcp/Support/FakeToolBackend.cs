using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Assistiv.Connectors.Registry;
using Assistiv.McpServer.Endpoints.Platforms;
using Assistiv.McpServer.Mcp;
using Assistiv.Platform.Connections;
using Assistiv.Platform.Tenancy;
using Assistiv.Tests.Common.Host;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Assistiv.Tests.Mcp;

/// <summary>
/// A small catalogue with real tool names (a subset of API.md §8.3) behind the MCP layer's backend seam: GitHub tools
/// always answer "not connected", <c>mock_echo</c> echoes, <c>mock_fail</c> fails. Visibility follows API.md §8.7 like the
/// broker's; every call that reaches the backend is recorded.
/// </summary>
internal sealed class FakeToolBackend : IMcpToolBackend, IToolNames
{
    public const string ConnectBase = "http://127.0.0.1:8080/oauth/authorize?app=github&connect_token=";

    private static readonly McpToolInfo[] s_tools =
    [
        Tool("github_get_me", "github", "Get my GitHub user", "Returns the signed-in GitHub user.", """{"type":"object","properties":{},"additionalProperties":false}""",
            """{"type":"object","properties":{"login":{"type":"string"}}}""", readOnly: true, destructive: false, idempotent: true),
        Tool("github_issue_write", "github", "Create or update an issue", "Creates or updates a GitHub issue.",
            """{"type":"object","properties":{"method":{"type":"string","enum":["create","update"]},"owner":{"type":"string"},"repo":{"type":"string"},"title":{"type":"string"}},"required":["method","owner","repo"],"additionalProperties":false}""",
            null, readOnly: false, destructive: true, idempotent: false),
        Tool("github_create_branch", "github", "Create a branch", "Creates a branch in a GitHub repository.",
            """{"type":"object","properties":{"owner":{"type":"string"},"repo":{"type":"string"},"branch":{"type":"string"}},"required":["owner","repo","branch"],"additionalProperties":false}""",
            null, readOnly: false, destructive: false, idempotent: false),
        Tool("mock_echo", "mock", "Echo", "Echoes the text back.", """{"type":"object","properties":{"text":{"type":"string"}},"required":["text"],"additionalProperties":false}""",
            """{"type":"object","properties":{"text":{"type":"string"}},"required":["text"]}""", readOnly: true, destructive: false, idempotent: true),
        Tool("mock_fail", "mock", "Fail", "Always fails upstream.", """{"type":"object","properties":{},"additionalProperties":false}""",
            null, readOnly: true, destructive: false, idempotent: true),
    ];

    private readonly ConcurrentDictionary<int, McpToolInfo[]> _lists = new();
    private int _links;

    public ConcurrentQueue<(ToolCallContext Context, string Tool, string? Arguments)> Calls { get; } = new();

    /// <summary>Registers this fake as the MCP backend and the policy validator's tool names.</summary>
    public static FakeToolBackend Install(GatewayFactory factory)
    {
        var fake = new FakeToolBackend();
        var previous = factory.ConfigureTestServices;
        factory.ConfigureTestServices = services =>
        {
            previous?.Invoke(services);
            services.RemoveAll<IMcpToolBackend>();
            services.AddSingleton<IMcpToolBackend>(fake);
            services.RemoveAll<IToolNames>();
            services.AddSingleton<IToolNames>(fake);
        };
        return fake;
    }

    public IReadOnlyList<McpToolInfo> Tools => s_tools;

    public bool IsApp(string app) => app is "github" or "mock";

    bool IToolNames.IsTool(string name) => Array.Exists(s_tools, t => t.Name == name);

    public string AppName(string app) => app switch { "github" => "GitHub", "mock" => "Mock", _ => app };

    public IReadOnlyList<McpToolInfo> GetVisibleTools(IReadOnlyDictionary<string, McpAppActivation> activatedApps, IReadOnlyList<ToolPolicy> policies, string? appFilter)
    {
        var mask = 0;
        for (var i = 0; i < s_tools.Length; i++)
        {
            if (IsVisible(s_tools[i], activatedApps, policies, appFilter))
            {
                mask |= 1 << i;
            }
        }

        return _lists.GetOrAdd(mask, m => s_tools.Where((_, i) => (m & (1 << i)) != 0).ToArray());
    }

    public ValueTask<ToolCallOutcome> CallAsync(ToolCallContext context, string toolName, JsonElement? arguments, CancellationToken cancellationToken)
    {
        Calls.Enqueue((context, toolName, arguments?.GetRawText()));
        var tool = Array.Find(s_tools, t => t.Name == toolName);
        if (tool is null || (context.AppFilter is not null && tool.App != context.AppFilter) || !Allowed(tool, context.Policies))
        {
            return ValueTask.FromResult<ToolCallOutcome>(new ToolCallOutcome.UnknownTool(toolName));
        }

        ToolCallOutcome outcome = toolName switch
        {
            "mock_echo" => Echo(arguments),
            "mock_fail" => new ToolCallOutcome.Completed("[upstream_unavailable] The mock upstream failed.", null, true, "upstream_unavailable"),
            _ => NotConnected(),
        };
        return ValueTask.FromResult(outcome);
    }

    private ToolCallOutcome NotConnected()
    {
        var url = ConnectBase + "tok" + Interlocked.Increment(ref _links);
        return new ToolCallOutcome.ConnectRequired("github", "not_connected", new Uri(url),
            "[not_connected] GitHub is not connected for this user. Open this link to connect it, then retry: " + url);
    }

    private static ToolCallOutcome.Completed Echo(JsonElement? arguments)
    {
        var text = arguments is { ValueKind: JsonValueKind.Object } a && a.TryGetProperty("text", out var t) ? t.GetString() ?? "" : "";
        var structured = new JsonObject { ["text"] = text };
        return new ToolCallOutcome.Completed(structured.ToJsonString(), structured, false, null);
    }

    private static bool IsVisible(McpToolInfo tool, IReadOnlyDictionary<string, McpAppActivation> activated, IReadOnlyList<ToolPolicy> policies, string? appFilter) =>
        activated.ContainsKey(tool.App) && (appFilter is null || tool.App == appFilter) && Allowed(tool, policies);

    private static bool Allowed(McpToolInfo tool, IReadOnlyList<ToolPolicy> policies) =>
        policies.All(p => p.Allows(tool.App, tool.Name, tool.ReadOnly));

    private static McpToolInfo Tool(string name, string app, string title, string description, string input, string? output, bool readOnly, bool destructive, bool idempotent) =>
        new(name, app, title, description, JsonDocument.Parse(input).RootElement.Clone(),
            output is null ? null : JsonDocument.Parse(output).RootElement.Clone(), readOnly, destructive, idempotent, OpenWorld: true);
}
