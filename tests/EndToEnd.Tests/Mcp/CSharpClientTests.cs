using System.Text.Json;
using Assistiv.EndToEnd.Tests.Support;
using Assistiv.Tests.Common.Host;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace Assistiv.EndToEnd.Tests.Mcp;

/// <summary>
/// The MCP C# SDK 2.4.0 client against the real gateway socket (API.md §8.2: tests pin each of the five protocol versions
/// and check the same tools; MCP.md §2.9).
/// </summary>
public sealed class CSharpClientTests(EndToEndHost host) : IClassFixture<EndToEndHost>
{
    public static TheoryData<string> Versions => ["2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25", "2026-07-28"];

    private const string NotConnectedPrefix = "[not_connected] GitHub is not connected for this user. Open this link to connect it, then retry: ";

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task Client_ListsTheSameTools_AndCallsMockEcho_AtEachProtocolVersion(string version)
    {
        var (_, user) = await host.UserAsync("mock");
        await using var client = await ConnectAsync(user, version);
        Assert.Equal(version, client.NegotiatedProtocolVersion);
        Assert.Equal("assistiv-gateway", client.ServerInfo?.Name);

        var tools = await client.ListToolsAsync(cancellationToken: TestContext.Current.CancellationToken);
        // API.md §8.3/§8.4: the mock app's tools, in catalogue order, the same for every version.
        Assert.Equal(["mock_echo", "mock_fail"], tools.Select(t => t.Name).ToArray());
        Assert.All(tools, t => Assert.False(string.IsNullOrEmpty(t.Description)));

        var result = await client.CallToolAsync("mock_echo", new Dictionary<string, object?> { ["text"] = "hello " + version },
            cancellationToken: TestContext.Current.CancellationToken);
        Assert.NotEqual(true, result.IsError);
        var text = Assert.IsType<TextContentBlock>(Assert.Single(result.Content)).Text;
        // API.md §8.3: mock_echo → output {"text": …}, as text and as structuredContent.
        Assert.Equal("hello " + version, JsonDocument.Parse(text).RootElement.GetProperty("text").GetString());
        Assert.Equal("hello " + version, result.StructuredContent!.Value.GetProperty("text").GetString());
    }

    [Fact]
    public async Task Client_SeesOnlyThatAppsTools_OnAppUrl()
    {
        var (_, user) = await host.UserAsync("mock", "github");
        await using var all = await ConnectAsync(user, "2025-06-18");
        await using var mock = await ConnectAsync(user, "2025-06-18", "/mcp/mock");
        var allNames = (await all.ListToolsAsync(cancellationToken: TestContext.Current.CancellationToken)).Select(t => t.Name).ToArray();
        var mockNames = (await mock.ListToolsAsync(cancellationToken: TestContext.Current.CancellationToken)).Select(t => t.Name).ToArray();
        Assert.Contains("github_get_me", allNames);
        Assert.Equal(["mock_echo", "mock_fail"], mockNames);
    }

    [Fact]
    public async Task Client_GetsNotConnectedTextWithLink_WithoutElicitationCapability()
    {
        var (_, user) = await host.UserAsync("github");
        await using var client = await ConnectAsync(user, "2025-11-25");
        var result = await client.CallToolAsync("github_get_me", new Dictionary<string, object?>(), cancellationToken: TestContext.Current.CancellationToken);
        // API.md §8.5: isError result with the connect link in readable text.
        Assert.True(result.IsError);
        var text = Assert.IsType<TextContentBlock>(Assert.Single(result.Content)).Text;
        Assert.StartsWith(NotConnectedPrefix + "http", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StatelessLegacyClient_DeclaringUrlElicitation_StillGetsTheText()
    {
        var (_, user) = await host.UserAsync("github");
        var elicited = 0;
        await using var client = await ConnectAsync(user, "2025-11-25", capabilities: UrlElicitation(), onElicit: _ => Interlocked.Increment(ref elicited));
        var result = await client.CallToolAsync("github_get_me", new Dictionary<string, object?>(), cancellationToken: TestContext.Current.CancellationToken);
        // API.md §8.5: stateless sessions keep no capabilities, so no elicitation.
        Assert.True(result.IsError);
        Assert.StartsWith(NotConnectedPrefix, Assert.IsType<TextContentBlock>(Assert.Single(result.Content)).Text, StringComparison.Ordinal);
        Assert.Equal(0, elicited);
    }

    [Fact]
    public async Task ModernClient_DeclaringUrlElicitation_GetsInputRequiredWithTheLink()
    {
        var (_, user) = await host.UserAsync("github");
        var requests = new List<ElicitRequestParams>();
        await using var client = await ConnectAsync(user, "2026-07-28", capabilities: UrlElicitation(), onElicit: p => { lock (requests) { requests.Add(p); } });
        var result = await client.CallToolAsync("github_get_me", new Dictionary<string, object?>(), cancellationToken: TestContext.Current.CancellationToken);

        // API.md §8.5: input_required with a url-mode elicitation whose message is the tool-result text, link included.
        var elicitation = Assert.Single(requests);
        Assert.Equal("url", elicitation.Mode);
        Assert.StartsWith("http", elicitation.Url, StringComparison.Ordinal);
        Assert.Equal(NotConnectedPrefix + elicitation.Url, elicitation.Message);
        // The client declined; its retry carries the requestState and gets the readable result.
        Assert.True(result.IsError);
        Assert.StartsWith(NotConnectedPrefix, Assert.IsType<TextContentBlock>(Assert.Single(result.Content)).Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Client_GetsHttp401_ForUnknownKey()
    {
        var transport = new HttpClientTransport(new HttpClientTransportOptions
        {
            Endpoint = host.McpUrl(),
            TransportMode = HttpTransportMode.StreamableHttp,
            AdditionalHeaders = new Dictionary<string, string> { ["Authorization"] = "Bearer sk-eu_" + new string('0', 64) },
        });
        var error = await Record.ExceptionAsync(async () =>
        {
            await using var client = await McpClient.CreateAsync(transport, new McpClientOptions { ProtocolVersion = "2025-06-18" },
                cancellationToken: TestContext.Current.CancellationToken);
        });
        Assert.NotNull(error);
        Assert.Contains("401", error.ToString(), StringComparison.Ordinal);
    }

    internal static ClientCapabilities UrlElicitation() => new() { Elicitation = new ElicitationCapability { Url = new UrlElicitationCapability() } };

    internal Task<McpClient> ConnectAsync(TestEndUser user, string version, string path = "/mcp", ClientCapabilities? capabilities = null, Action<ElicitRequestParams>? onElicit = null) =>
        ConnectAsync(host.McpUrl(path), user.Key, version, capabilities, onElicit);

    internal static async Task<McpClient> ConnectAsync(Uri url, string key, string version, ClientCapabilities? capabilities = null, Action<ElicitRequestParams>? onElicit = null)
    {
        var transport = new HttpClientTransport(new HttpClientTransportOptions
        {
            Endpoint = url,
            TransportMode = HttpTransportMode.StreamableHttp,
            AdditionalHeaders = new Dictionary<string, string> { ["Authorization"] = "Bearer " + key },
        });
        var options = new McpClientOptions
        {
            ProtocolVersion = version,
            ClientInfo = new Implementation { Name = "e2e-csharp", Version = "1.0.0" },
            Capabilities = capabilities,
        };
        if (onElicit is not null)
        {
            options.Handlers = new McpClientHandlers
            {
                ElicitationHandler = (p, _) =>
                {
                    onElicit(p!);
                    return ValueTask.FromResult(new ElicitResult { Action = "decline" });
                },
            };
        }

        return await McpClient.CreateAsync(transport, options, cancellationToken: TestContext.Current.CancellationToken);
    }
}
