using Assistiv.EndToEnd.Tests.Support;
using ModelContextProtocol;
using ModelContextProtocol.Client;

namespace Assistiv.EndToEnd.Tests.Mcp;

/// <summary>The C# client against <c>StatefulForInitializeClients</c> (API.md §8.2, §8.5).</summary>
public sealed class StatefulClientTests(StatefulEndToEndHost host) : IClassFixture<StatefulEndToEndHost>
{
    private const string NotConnectedPrefix = "[not_connected] GitHub is not connected for this user. Open this link to connect it, then retry: ";

    [Fact]
    public async Task LegacySession_GetsSessionId_AndListsTools()
    {
        var (_, user) = await host.UserAsync("mock");
        await using var client = await CSharpClientTests.ConnectAsync(host.McpUrl(), user.Key, "2025-11-25");
        Assert.False(string.IsNullOrEmpty(client.SessionId));
        Assert.True(client.ServerCapabilities.Tools?.ListChanged);
        var tools = await client.ListToolsAsync(cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(["mock_echo", "mock_fail"], tools.Select(t => t.Name).ToArray());
    }

    [Fact]
    public async Task LegacySession_DeclaringUrlElicitation_GetsUrlElicitationRequired()
    {
        var (_, user) = await host.UserAsync("github");
        await using var client = await CSharpClientTests.ConnectAsync(host.McpUrl(), user.Key, "2025-11-25", CSharpClientTests.UrlElicitation(), _ => { });
        var error = await Assert.ThrowsAsync<UrlElicitationRequiredException>(async () =>
            await client.CallToolAsync("github_get_me", new Dictionary<string, object?>(), cancellationToken: TestContext.Current.CancellationToken));
        // API.md §8.5: -32042 with one url elicitation whose message is the tool-result text.
        Assert.Equal(McpErrorCode.UrlElicitationRequired, error.ErrorCode);
        var elicitation = Assert.Single(error.Elicitations);
        Assert.Equal("url", elicitation.Mode);
        Assert.False(string.IsNullOrEmpty(elicitation.ElicitationId));
        Assert.Equal(NotConnectedPrefix + elicitation.Url, elicitation.Message);
    }

    [Fact]
    public async Task ModernClient_IsServedStatelessly_InStatefulMode()
    {
        var (_, user) = await host.UserAsync("mock");
        await using var client = await CSharpClientTests.ConnectAsync(host.McpUrl(), user.Key, "2026-07-28");
        Assert.True(string.IsNullOrEmpty(client.SessionId));
        var tools = await client.ListToolsAsync(cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(["mock_echo", "mock_fail"], tools.Select(t => t.Name).ToArray());
    }
}
