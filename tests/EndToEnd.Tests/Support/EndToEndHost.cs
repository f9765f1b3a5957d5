using Assistiv.Tests.Common.Host;
using Assistiv.Tests.Mcp;
using Microsoft.Extensions.Time.Testing;

namespace Assistiv.EndToEnd.Tests.Support;

/// <summary>
/// The real gateway on Kestrel at 127.0.0.1:0 for real clients (STYLE.md §7 tier 3), one per test class; each test makes
/// its own platform and end user with the <c>mock</c> app activated.
/// </summary>
public class EndToEndHost : IAsyncLifetime
{
    internal GatewayFactory Factory { get; private set; } = null!;

    /// <summary>The OAuth broker's seams, faked: <c>mock</c> is connected for every user, other apps are not.</summary>
    internal FakeOAuthSeams OAuth { get; private set; } = null!;

    internal FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 5, 1, 12, 0, 0, TimeSpan.Zero));

    protected virtual string SessionMode => "Stateless";

    public ValueTask InitializeAsync()
    {
        Factory = new GatewayFactory(Time).With("Gateway:Mcp:SessionMode", SessionMode);
        // The real catalogue, broker and mock connector; only the OAuth broker's token source and link issuer are faked.
        OAuth = FakeOAuthSeams.Install(Factory);
        _ = Factory.BaseAddress;
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        Factory.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>The absolute MCP URL on the real socket.</summary>
    internal Uri McpUrl(string path = "/mcp") => new(Factory.BaseAddress, path);

    internal async Task<(TestPlatform Platform, TestEndUser User)> UserAsync(params string[] apps)
    {
        var platform = await Factory.CreatePlatformAsync();
        if (apps.Length > 0)
        {
            await platform.ActivateAppsAsync(apps);
        }

        return (platform, await platform.CreateEndUserAsync());
    }
}

/// <summary>The same host in <c>StatefulForInitializeClients</c> mode.</summary>
public sealed class StatefulEndToEndHost : EndToEndHost
{
    protected override string SessionMode => "StatefulForInitializeClients";
}
