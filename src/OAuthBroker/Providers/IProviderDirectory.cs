using System.Diagnostics.CodeAnalysis;
using Assistiv.Platform.Connections;

namespace Assistiv.OAuthBroker.Providers;

/// <summary>The apps the broker can connect, and their endpoints per activation (API.md §9.4).</summary>
internal interface IProviderDirectory
{
    /// <summary>Finds an app that exists in this deployment (the mock app only with <c>Gateway:EnableMockApps</c>).</summary>
    bool TryGet(string app, [NotNullWhen(true)] out ProviderDescriptor? provider);

    /// <summary>The app's endpoints for an activation: its settings (GitHub Enterprise) win over the defaults.</summary>
    ProviderEndpoints Resolve(ProviderDescriptor provider, McpAppActivation? activation);
}
