using System.Text.Json;
using Assistiv.Connectors.Registry;
using Assistiv.Platform.Tenancy;
using Assistiv.Tests.Common.Host;
using Microsoft.Extensions.DependencyInjection;

namespace Assistiv.McpServer.Tests.OAuth;

/// <summary>
/// <c>last_used_at</c> of keys (API.md §2.2, at most once per minute) and of connections (§4.10–4.11: a tool call used
/// the connection's token), written in the background and read back over HTTP.
/// </summary>
public sealed class LastUsedTests : IAsyncLifetime
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

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Polls (the write is asynchronous) until the read gives <paramref name="expected"/>.</summary>
    private static async Task EventuallyAsync(Func<Task<string?>> read, string? expected)
    {
        string? last = null;
        for (var i = 0; i < 200; i++)
        {
            last = await read();
            if (last == expected)
            {
                return;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(25), TimeProvider.System, Ct);
        }

        Assert.Equal(expected, last);
    }

    private async Task<string?> UserKeyLastUsedAsync()
    {
        using var admin = _host.Client(_platform.AdminKey);
        using var doc = JsonDocument.Parse(await admin.GetStringAsync(_platform.Path($"/api-keys?end_user_id={_user.Id}"), Ct));
        var key = doc.RootElement.GetProperty("data").EnumerateArray().Single();
        return key.GetProperty("last_used_at").GetString();
    }

    private async Task<string?> MockConnectionLastUsedAsync()
    {
        using var me = _host.Client(_user.Key);
        using var doc = JsonDocument.Parse(await me.GetStringAsync("/v1/me/connections", Ct));
        return doc.RootElement.GetProperty("data").EnumerateArray().Single(e => e.GetProperty("app").GetString() == "mock")
            .GetProperty("last_used_at").GetString();
    }

    [Fact]
    public async Task KeyLastUsedAt_IsTheTimeOfUse_AndMovesOnlyAfterAMinute()
    {
        Assert.Null(await UserKeyLastUsedAsync());
        using var me = _host.Client(_user.Key);

        (await me.GetAsync("/v1/me", Ct)).EnsureSuccessStatusCode();
        await EventuallyAsync(UserKeyLastUsedAsync, "2026-05-01T12:00:00.000Z");

        _host.Time.Advance(TimeSpan.FromSeconds(30));
        (await me.GetAsync("/v1/me", Ct)).EnsureSuccessStatusCode();
        _host.Time.Advance(TimeSpan.FromSeconds(31));
        (await me.GetAsync("/v1/me", Ct)).EnsureSuccessStatusCode();

        // The use at 12:00:30 fell inside the minute and was not written; the one at 12:01:01 was.
        await EventuallyAsync(UserKeyLastUsedAsync, "2026-05-01T12:01:01.000Z");
    }

    [Fact]
    public async Task ConnectionLastUsedAt_IsSetByAToolCall_NotByTheConnect()
    {
        await _host.ConnectAsync(_user.Key, "mock-code", "mock");
        Assert.Null(await MockConnectionLastUsedAsync());
        _host.Time.Advance(TimeSpan.FromMinutes(5));

        var outcome = await _host.Factory.Services.GetRequiredService<ToolBroker>().CallAsync(
            new ToolCallContext(_platform.Id, _user.Id, Guid.CreateVersion7(), "req_last_used", [ToolPolicy.Default], null),
            "mock_echo", JsonDocument.Parse("""{"text":"hi"}""").RootElement, Ct);

        Assert.False(Assert.IsType<ToolCallOutcome.Completed>(outcome).IsError);
        await EventuallyAsync(MockConnectionLastUsedAsync, "2026-05-01T12:05:00.000Z");
    }
}
