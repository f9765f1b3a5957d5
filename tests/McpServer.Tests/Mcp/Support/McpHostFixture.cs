using Assistiv.Tests.Common.Host;
using Microsoft.Extensions.Time.Testing;

namespace Assistiv.Tests.Mcp;

/// <summary>
/// One gateway per test class with the fake catalogue (<see cref="FakeToolBackend"/>); tests isolate by making their own
/// platform and end users (STYLE.md §7). Subclasses pick the session mode.
/// </summary>
public class McpHostFixture : IAsyncLifetime
{
    public const string PublicBaseUrl = "https://gw.example.com";
    public const string ExtraOrigin = "https://app.example.com";

    internal GatewayFactory Factory { get; private set; } = null!;

    /// <summary>The fake catalogue, or null when the fixture runs the real catalogue and broker.</summary>
    internal FakeToolBackend Backend { get; private set; } = null!;

    /// <summary>The faked OAuth seams of the real broker (real-catalogue fixtures only).</summary>
    internal FakeOAuthSeams OAuth { get; private set; } = null!;

    internal FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 5, 1, 12, 0, 0, TimeSpan.Zero));

    protected virtual string SessionMode => "Stateless";

    /// <summary>True: the small fake catalogue; false: the real <c>connectors.json</c> catalogue and tool broker.</summary>
    protected virtual bool FakeCatalogue => true;

    public ValueTask InitializeAsync()
    {
        Factory = new GatewayFactory(Time)
            .With("Gateway:PublicBaseUrl", PublicBaseUrl)
            .With("Gateway:Mcp:AllowedOrigins:0", ExtraOrigin)
            .With("Gateway:Mcp:SessionMode", SessionMode);
        if (FakeCatalogue)
        {
            Backend = FakeToolBackend.Install(Factory);
        }
        else
        {
            OAuth = FakeOAuthSeams.Install(Factory);
        }

        _ = Factory.BaseAddress;
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        Factory.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>A new platform with the given apps activated and one end user of it.</summary>
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

/// <summary>The same host in <c>StatefulForInitializeClients</c> mode (API.md §8.2).</summary>
public sealed class StatefulMcpHostFixture : McpHostFixture
{
    protected override string SessionMode => "StatefulForInitializeClients";
}

/// <summary>The real catalogue and tool broker (with the OAuth seams faked) in stateless mode.</summary>
public sealed class CatalogueMcpHostFixture : McpHostFixture
{
    protected override bool FakeCatalogue => false;
}

/// <summary>The real catalogue and tool broker (OAuth seams faked) in <c>StatefulForInitializeClients</c> mode.</summary>
public sealed class StatefulCatalogueMcpHostFixture : McpHostFixture
{
    protected override string SessionMode => "StatefulForInitializeClients";

    protected override bool FakeCatalogue => false;
}
