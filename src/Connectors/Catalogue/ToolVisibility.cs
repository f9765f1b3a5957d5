using Assistiv.Platform.Connections;
using Assistiv.Platform.Tenancy;

namespace Assistiv.Connectors.Catalogue;

/// <summary>
/// Which tools a request sees (API.md §8.1, §8.4, §8.7): a tool is visible iff its app is activated for the platform,
/// matches the <c>/mcp/{app}</c> filter (if any), and every tool policy (platform, end user, key) allows it. The list
/// order is apps alphabetically, then catalogue order. Hot path: masks per policy instance and result lists per mask are
/// cached on the catalogue, so a repeated request allocates nothing.
/// </summary>
public static class ToolVisibility
{
    /// <summary>The visible tools, in list order. The returned list is shared and must not be modified.</summary>
    /// <param name="catalogue">The catalogue.</param>
    /// <param name="activatedApps">The platform's activated apps keyed by app id (<see cref="McpAppStore.GetActivatedAsync"/>).</param>
    /// <param name="policies">The request's tool policies (platform, end user, key); their intersection applies.</param>
    /// <param name="appFilter">The <c>{app}</c> of <c>/mcp/{app}</c>, or null for <c>/mcp</c>.</param>
    public static IReadOnlyList<ToolDescriptor> GetVisibleTools(
        ConnectorCatalogue catalogue,
        IReadOnlyDictionary<string, McpAppActivation> activatedApps,
        IReadOnlyList<ToolPolicy> policies,
        string? appFilter)
    {
        ArgumentNullException.ThrowIfNull(catalogue);
        ArgumentNullException.ThrowIfNull(activatedApps);
        var mask = UInt128.Zero;
        foreach (var app in catalogue.Apps)
        {
            if (activatedApps.ContainsKey(app.Id) && (appFilter is null || string.Equals(app.Id, appFilter, StringComparison.Ordinal)))
            {
                mask |= app.ToolMask;
            }
        }

        return catalogue.GetToolList(ApplyPolicies(catalogue, mask, policies));
    }

    /// <summary>The visible tools for a set of activated app ids, in list order. The returned list is shared.</summary>
    /// <param name="catalogue">The catalogue.</param>
    /// <param name="activatedAppIds">Ids of the platform's activated apps.</param>
    /// <param name="policies">The request's tool policies; their intersection applies.</param>
    /// <param name="appFilter">The <c>{app}</c> of <c>/mcp/{app}</c>, or null for <c>/mcp</c>.</param>
    public static IReadOnlyList<ToolDescriptor> GetVisibleTools(
        ConnectorCatalogue catalogue,
        IReadOnlySet<string> activatedAppIds,
        IReadOnlyList<ToolPolicy> policies,
        string? appFilter)
    {
        ArgumentNullException.ThrowIfNull(catalogue);
        ArgumentNullException.ThrowIfNull(activatedAppIds);
        var mask = UInt128.Zero;
        foreach (var app in catalogue.Apps)
        {
            if (activatedAppIds.Contains(app.Id) && (appFilter is null || string.Equals(app.Id, appFilter, StringComparison.Ordinal)))
            {
                mask |= app.ToolMask;
            }
        }

        return catalogue.GetToolList(ApplyPolicies(catalogue, mask, policies));
    }

    /// <summary>Whether one tool is visible (and so callable) for the request.</summary>
    /// <param name="catalogue">The catalogue the tool belongs to.</param>
    /// <param name="tool">The tool.</param>
    /// <param name="activatedApps">The platform's activated apps keyed by app id.</param>
    /// <param name="policies">The request's tool policies; their intersection applies.</param>
    /// <param name="appFilter">The <c>{app}</c> of <c>/mcp/{app}</c>, or null.</param>
    public static bool IsVisible(
        ConnectorCatalogue catalogue,
        ToolDescriptor tool,
        IReadOnlyDictionary<string, McpAppActivation> activatedApps,
        IReadOnlyList<ToolPolicy> policies,
        string? appFilter)
    {
        ArgumentNullException.ThrowIfNull(catalogue);
        ArgumentNullException.ThrowIfNull(tool);
        ArgumentNullException.ThrowIfNull(activatedApps);
        if (appFilter is not null && !string.Equals(tool.App, appFilter, StringComparison.Ordinal))
        {
            return false;
        }

        if (!activatedApps.ContainsKey(tool.App))
        {
            return false;
        }

        var bit = UInt128.One << tool.Index;
        return (ApplyPolicies(catalogue, bit, policies) & bit) != UInt128.Zero;
    }

    private static UInt128 ApplyPolicies(ConnectorCatalogue catalogue, UInt128 mask, IReadOnlyList<ToolPolicy> policies)
    {
        ArgumentNullException.ThrowIfNull(policies);
        for (var i = 0; i < policies.Count && mask != UInt128.Zero; i++)
        {
            mask &= catalogue.GetPolicyMask(policies[i]);
        }

        return mask;
    }
}
