using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Assistiv.EndToEnd.Tests.Support;
using Assistiv.McpServer.Mcp;
using Assistiv.Tests.Common;
using Assistiv.Tests.Common.Host;
using Assistiv.Tests.Mcp;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace Assistiv.EndToEnd.Tests.Mcp;

/// <summary>
/// <c>notifications/tools/list_changed</c> (API.md §8.6) with the MCP C# client on a <c>StatefulForInitializeClients</c>
/// session: app activation and deactivation and tool-policy changes at the three levels of §8.7 reach the user's open
/// sessions, and the next <c>tools/list</c> shows the new set.
/// </summary>
public sealed class ToolListChangedTests(StatefulEndToEndHost host) : IClassFixture<StatefulEndToEndHost>
{
    [Fact]
    public async Task ActivatingASecondApp_SendsListChanged_AndReListShowsItsTools()
    {
        var (platform, user) = await host.UserAsync("mock");
        await using var client = await CSharpClientTests.ConnectAsync(host.McpUrl(), user.Key, "2025-11-25");
        var changed = Notifications.Watch(client, NotificationMethods.ToolListChangedNotification);
        Assert.Equal(["mock_echo", "mock_fail"], await NamesAsync(client));

        await platform.ActivateAppsAsync("github");

        await changed.NextAsync();
        var names = await NamesAsync(client);
        // API.md §8.4: apps alphabetically (github before mock), the new app's tools included.
        Assert.Equal("github_get_me", names[0]);
        Assert.Contains("mock_echo", names);
        Assert.Contains("github_create_gist", names);
    }

    [Fact]
    public async Task DeactivatingAnApp_SendsListChanged_AndItsToolsLeaveTheList()
    {
        var (platform, user) = await host.UserAsync("mock", "github");
        await using var client = await CSharpClientTests.ConnectAsync(host.McpUrl(), user.Key, "2025-06-18");
        var changed = Notifications.Watch(client, NotificationMethods.ToolListChangedNotification);
        Assert.Contains("github_get_me", await NamesAsync(client));

        using (var admin = platform.Admin())
        {
            (await admin.DeleteAsync(platform.Path("/mcp/apps/github"), TestContext.Current.CancellationToken)).EnsureSuccessStatusCode();
        }

        await changed.NextAsync();
        Assert.Equal(["mock_echo", "mock_fail"], await NamesAsync(client));
    }

    [Fact]
    public async Task EndUserToolPolicyChange_SendsListChanged_ToThatUsersSessionsOnly()
    {
        var (platform, user) = await host.UserAsync("mock");
        var other = await platform.CreateEndUserAsync();
        await using var client = await CSharpClientTests.ConnectAsync(host.McpUrl(), user.Key, "2025-11-25");
        await using var otherClient = await CSharpClientTests.ConnectAsync(host.McpUrl(), other.Key, "2025-11-25");
        var changed = Notifications.Watch(client, NotificationMethods.ToolListChangedNotification);
        var otherChanged = Notifications.Watch(otherClient, NotificationMethods.ToolListChangedNotification);

        await PatchAsync(platform, $"/end-users/{user.Id}", new { tool_policy = new { allowed_tools = new[] { "mock_echo" }, read_only = false } });

        await changed.NextAsync();
        Assert.Equal(["mock_echo"], await NamesAsync(client));
        // The other user's list did not change: nothing is sent to their session (API.md §8.6 "an end user whose listed tools change").
        Assert.Equal(["mock_echo", "mock_fail"], await NamesAsync(otherClient));
        Assert.Equal(0, otherChanged.Count);
    }

    [Fact]
    public async Task PlatformToolPolicyChange_SendsListChanged()
    {
        var (platform, user) = await host.UserAsync("mock");
        await using var client = await CSharpClientTests.ConnectAsync(host.McpUrl(), user.Key, "2025-11-25");
        var changed = Notifications.Watch(client, NotificationMethods.ToolListChangedNotification);

        await PatchAsync(platform, "", new { settings = new { tool_policy = new { allowed_tools = new[] { "mock_fail" }, read_only = false } } });

        await changed.NextAsync();
        Assert.Equal(["mock_fail"], await NamesAsync(client));
    }

    [Fact]
    public async Task KeyToolPolicyChange_SendsListChanged()
    {
        var (platform, user) = await host.UserAsync("mock");
        await using var client = await CSharpClientTests.ConnectAsync(host.McpUrl(), user.Key, "2025-11-25");
        var changed = Notifications.Watch(client, NotificationMethods.ToolListChangedNotification);
        var keyId = await KeyIdAsync(platform, user);

        await PatchAsync(platform, $"/api-keys/{keyId}", new { tool_policy = new { allowed_tools = new[] { "mock_echo" }, read_only = false } });

        await changed.NextAsync();
        Assert.Equal(["mock_echo"], await NamesAsync(client));
    }

    [Fact]
    public async Task AppSession_HearsNothing_WhenAnotherAppIsActivated()
    {
        var (platform, user) = await host.UserAsync("mock");
        await using var appClient = await CSharpClientTests.ConnectAsync(host.McpUrl("/mcp/mock"), user.Key, "2025-11-25");
        await using var allClient = await CSharpClientTests.ConnectAsync(host.McpUrl(), user.Key, "2025-11-25");
        var appChanged = Notifications.Watch(appClient, NotificationMethods.ToolListChangedNotification);
        var allChanged = Notifications.Watch(allClient, NotificationMethods.ToolListChangedNotification);

        await platform.ActivateAppsAsync("github");

        // /mcp/mock lists the mock app's tools only (API.md §8.1): its list did not change.
        await allChanged.NextAsync();
        Assert.Equal(["mock_echo", "mock_fail"], await NamesAsync(appClient));
        Assert.Equal(0, appChanged.Count);
    }

    private static async Task<string[]> NamesAsync(McpClient client) =>
        (await client.ListToolsAsync(cancellationToken: TestContext.Current.CancellationToken)).Select(t => t.Name).ToArray();

    private static async Task PatchAsync(TestPlatform platform, string path, object body)
    {
        using var admin = platform.Admin();
        using var response = await admin.PatchAsJsonAsync(platform.Path(path), body, TestContext.Current.CancellationToken);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    private static async Task<Guid> KeyIdAsync(TestPlatform platform, TestEndUser user)
    {
        using var admin = platform.Admin();
        var list = await admin.GetFromJsonAsync<JsonObject>(platform.Path($"/api-keys?type=end_user&end_user_id={user.Id}"), TestContext.Current.CancellationToken);
        var prefix = list!["data"]!.AsArray().Single(k => user.Key.StartsWith(k!["key_prefix"]!.GetValue<string>(), StringComparison.Ordinal));
        return Guid.Parse(prefix!["id"]!.GetValue<string>());
    }
}

/// <summary>
/// <c>notifications/elicitation/complete</c> (API.md §9.2 step 8) over the real OAuth broker: a 2025-11-25 session that
/// declared URL elicitation gets <c>-32042</c> with a connect link; completing the connect through that link (the mock
/// provider, §9.3) tells the session, with the same <c>elicitationId</c>.
/// </summary>
public sealed class ElicitationCompleteTests : IAsyncLifetime
{
    private GatewayFactory _factory = null!;

    public ValueTask InitializeAsync()
    {
        _factory = new GatewayFactory().With("Gateway:Mcp:SessionMode", "StatefulForInitializeClients");
        _ = _factory.BaseAddress;
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        _factory.Dispose();
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task ConnectFromAnElicitationLink_SendsElicitationComplete_WithItsId()
    {
        var platform = await _factory.CreatePlatformAsync();
        await platform.ActivateAppsAsync("mock");
        var user = await platform.CreateEndUserAsync();
        await using var client = await CSharpClientTests.ConnectAsync(new Uri(_factory.BaseAddress, "/mcp"), user.Key, "2025-11-25", CSharpClientTests.UrlElicitation(), _ => { });
        var completed = Notifications.Watch(client, NotificationMethods.ElicitationCompleteNotification);

        var error = await Assert.ThrowsAsync<UrlElicitationRequiredException>(async () =>
            await client.CallToolAsync("mock_echo", new Dictionary<string, object?> { ["text"] = "hi" }, cancellationToken: TestContext.Current.CancellationToken));
        var elicitation = Assert.Single(error.Elicitations);

        await BrowserConnectAsync(new Uri(elicitation.Url!));

        var notification = await completed.NextAsync();
        Assert.Equal(elicitation.ElicitationId, notification.Params!["elicitationId"]!.GetValue<string>());
        // And the tool now runs.
        var result = await client.CallToolAsync("mock_echo", new Dictionary<string, object?> { ["text"] = "hi" }, cancellationToken: TestContext.Current.CancellationToken);
        Assert.NotEqual(true, result.IsError);
    }

    /// <summary>What a browser does with the link: authorize (sets the gw_connect cookie), the mock provider, the callback.</summary>
    private async Task BrowserConnectAsync(Uri link)
    {
        using var browser = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = true, CookieContainer = new CookieContainer() })
        {
            BaseAddress = _factory.BaseAddress,
            Timeout = TestConstants.DefaultTimeout,
        };
        var next = link.PathAndQuery;
        for (var hop = 0; hop < 3; hop++)
        {
            using var response = await browser.GetAsync(next, TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            var location = response.Headers.Location!;
            // The links name the public base URL (API.md §1.2); the test server listens elsewhere on loopback.
            if (location.AbsolutePath.StartsWith("/mcp/oauth-callback", StringComparison.Ordinal))
            {
                Assert.Contains("status=connected", location.Query, StringComparison.Ordinal);
                return;
            }

            next = location.PathAndQuery;
        }

        Assert.Fail("the connect did not reach the platform's callback page");
    }
}

/// <summary>
/// <c>list_changed</c> across two instances on one PostgreSQL database (API.md §1.4: within 5 s), through
/// <c>LISTEN/NOTIFY</c>: a session on instance A hears an activation made through instance B.
/// </summary>
public sealed class CrossInstanceToolListChangedTests : IAsyncLifetime
{
    private PostgresTestDatabase _pg = null!;
    private GatewayFactory _a = null!;
    private GatewayFactory _b = null!;

    public async ValueTask InitializeAsync()
    {
        _pg = await PostgresTestDatabase.CreateAsync(TestContext.Current.CancellationToken);
        _a = new GatewayFactory(postgresConnectionString: _pg.ConnectionString).With("Gateway:Mcp:SessionMode", "StatefulForInitializeClients");
        _ = _a.BaseAddress; // migrates first
        _b = new GatewayFactory(postgresConnectionString: _pg.ConnectionString).With("Gateway:Mcp:SessionMode", "StatefulForInitializeClients");
        _ = _b.BaseAddress;
    }

    public async ValueTask DisposeAsync()
    {
        _a.Dispose();
        _b.Dispose();
        await _pg.DisposeAsync();
    }

    [Fact]
    public async Task ActivationOnAnotherInstance_ReachesTheSession()
    {
        await TestConstants.WaitUntilAsync(() => Task.FromResult(_a.Services.GetRequiredService<PostgresMcpChangeListener>().IsListening),
            cancellationToken: TestContext.Current.CancellationToken);
        var platform = await _a.CreatePlatformAsync();
        await platform.ActivateAppsAsync("mock");
        var user = await platform.CreateEndUserAsync();
        await using var client = await CSharpClientTests.ConnectAsync(new Uri(_a.BaseAddress, "/mcp"), user.Key, "2025-11-25");
        var changed = Notifications.Watch(client, NotificationMethods.ToolListChangedNotification);

        var onB = platform with { Factory = _b };
        await onB.ActivateAppsAsync("github");

        await changed.NextAsync(TimeSpan.FromSeconds(5)); // API.md §1.4
        Assert.Contains("github_get_me", (await client.ListToolsAsync(cancellationToken: TestContext.Current.CancellationToken)).Select(t => t.Name));
    }
}

/// <summary>Collects one notification method of a client.</summary>
internal sealed class Notifications
{
    private readonly System.Threading.Channels.Channel<JsonRpcNotification> _received = System.Threading.Channels.Channel.CreateUnbounded<JsonRpcNotification>();
    private int _count;

    public int Count => Volatile.Read(ref _count);

    public static Notifications Watch(McpClient client, string method)
    {
        var watcher = new Notifications();
        _ = client.RegisterNotificationHandler(method, (notification, _) =>
        {
            Interlocked.Increment(ref watcher._count);
            watcher._received.Writer.TryWrite(notification);
            return ValueTask.CompletedTask;
        });
        return watcher;
    }

    /// <summary>The next notification; fails after <paramref name="timeout"/> (default: the generous test limit).</summary>
    public async Task<JsonRpcNotification> NextAsync(TimeSpan? timeout = null)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(timeout ?? TestConstants.DefaultTimeout);
        return await _received.Reader.ReadAsync(cts.Token);
    }
}
