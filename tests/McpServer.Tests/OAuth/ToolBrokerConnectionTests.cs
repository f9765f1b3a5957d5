using System.Text.Json;
using Assistiv.Connectors.Registry;
using Assistiv.Platform.Tenancy;
using Assistiv.Tests.Common.Host;
using Microsoft.Extensions.DependencyInjection;

namespace Assistiv.McpServer.Tests.OAuth;

/// <summary>The tool broker on the real host uses the OAuth broker's token source and connect links (API.md §8.5, §9).</summary>
public sealed class ToolBrokerConnectionTests : IAsyncLifetime
{
    private OAuthHost _host = null!;
    private TestPlatform _platform = null!;
    private TestEndUser _user = null!;

    public async ValueTask InitializeAsync()
    {
        _host = new OAuthHost();
        _platform = await _host.Factory.CreatePlatformAsync();
        _user = await _platform.CreateEndUserAsync();
        await _host.ActivateAsync(_platform, "mock");
    }

    public ValueTask DisposeAsync() => _host.DisposeAsync();

    private Task<ToolCallOutcome> CallEchoAsync() =>
        _host.Factory.Services.GetRequiredService<ToolBroker>().CallAsync(
            new ToolCallContext(_platform.Id, _user.Id, Guid.CreateVersion7(), "req_test", [ToolPolicy.Default], null),
            "mock_echo", JsonDocument.Parse("""{"text":"hi"}""").RootElement, TestContext.Current.CancellationToken).AsTask();

    [Fact]
    public async Task NotConnected_AnswersWithASingleUseConnectLink()
    {
        var outcome = Assert.IsType<ToolCallOutcome.ConnectRequired>(await CallEchoAsync());

        Assert.Equal("not_connected", outcome.Code);
        Assert.Equal("http://127.0.0.1:8080/oauth/authorize", outcome.ConnectUrl.GetLeftPart(UriPartial.Path));
        Assert.Equal("mock", OAuthHost.Query(outcome.ConnectUrl)["app"]);

        // The link works in a browser: it leads to the mock provider.
        using var browser = _host.Client();
        using var response = await browser.GetAsync(outcome.ConnectUrl.PathAndQuery, TestContext.Current.CancellationToken);
        Assert.Equal("http://127.0.0.1:8080/oauth/mock/authorize", response.Headers.Location!.GetLeftPart(UriPartial.Path));
    }

    [Fact]
    public async Task Connected_CallsTheTool()
    {
        await _host.ConnectAsync(_user.Key, "mock-code", "mock");

        var outcome = Assert.IsType<ToolCallOutcome.Completed>(await CallEchoAsync());

        Assert.False(outcome.IsError, outcome.Text);
    }
}
