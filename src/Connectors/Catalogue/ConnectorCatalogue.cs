using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Runtime.CompilerServices;
using Assistiv.Platform.Tenancy;
using Microsoft.Extensions.Configuration;

namespace Assistiv.Connectors.Catalogue;

/// <summary>
/// The immutable, validated snapshot of <c>connectors.json</c> (DESIGN.md; STYLE.md §3): apps in alphabetical order,
/// each with its tools in list order, looked up by app id and by tool name. Built once at start-up by
/// <see cref="Load"/>; a bad file fails start-up with every error listed (<see cref="ConnectorCatalogueException"/>).
/// Mock-only apps are present only with <c>Gateway:EnableMockApps=true</c>.
/// </summary>
public sealed class ConnectorCatalogue
{
    /// <summary>Maximum number of tools: the width of the visibility masks, and Copilot's limit of 128 tools (API.md §8.3).</summary>
    public const int MaxTools = 128;

    // Visibility caches (ToolVisibility). A policy's mask is keyed by the policy instance (principals are cached, so the
    // same instances come back); the result lists are keyed by the final mask.
    private readonly ConditionalWeakTable<ToolPolicy, StrongBox<UInt128>> _policyMasks = new();
    private readonly ConcurrentDictionary<UInt128, ToolDescriptor[]> _visibleLists = new();

    internal ConnectorCatalogue(IReadOnlyList<AppDescriptor> apps)
    {
        Apps = apps;
        AppsById = apps.ToFrozenDictionary(a => a.Id, StringComparer.Ordinal);
        var tools = new List<ToolDescriptor>();
        foreach (var app in apps)
        {
            tools.AddRange(app.Tools);
        }

        Tools = tools;
        ToolsByName = tools.ToFrozenDictionary(t => t.Name, StringComparer.Ordinal);
        var all = UInt128.Zero;
        foreach (var tool in tools)
        {
            all |= UInt128.One << tool.Index;
        }

        AllToolsMask = all;
    }

    /// <summary>Apps in alphabetical order of their id (API.md §8.4).</summary>
    public IReadOnlyList<AppDescriptor> Apps { get; }

    /// <summary>Apps by id.</summary>
    public FrozenDictionary<string, AppDescriptor> AppsById { get; }

    /// <summary>Every tool in list order: apps alphabetically, then each app's catalogue order (API.md §8.4).</summary>
    public IReadOnlyList<ToolDescriptor> Tools { get; }

    /// <summary>Tools by name.</summary>
    public FrozenDictionary<string, ToolDescriptor> ToolsByName { get; }

    internal UInt128 AllToolsMask { get; }

    /// <summary>Looks an app up by id.</summary>
    /// <param name="appId">App id, e.g. <c>github</c>.</param>
    /// <param name="app">The app, when found.</param>
    public bool TryGetApp(string appId, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out AppDescriptor? app) =>
        AppsById.TryGetValue(appId, out app);

    /// <summary>Looks a tool up by name.</summary>
    /// <param name="toolName">Tool name, e.g. <c>github_get_me</c>.</param>
    /// <param name="tool">The tool, when found.</param>
    public bool TryGetTool(string toolName, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ToolDescriptor? tool) =>
        ToolsByName.TryGetValue(toolName, out tool);

    /// <summary>
    /// Loads and validates the catalogue file: <c>Gateway:ConnectorsFile</c> when set (relative paths against
    /// <paramref name="contentRootPath"/>), else <c>connectors.json</c> next to the executable, else in the content root.
    /// Applies <c>Gateway:EnableMockApps</c> and the <c>Gateway:Apps:{app}:AuthorizeUrl|TokenUrl|ApiBaseUrl|RevokeUrl</c>
    /// overrides (API.md §1.3).
    /// </summary>
    /// <param name="configuration">The app configuration.</param>
    /// <param name="contentRootPath">The host's content root, or null for the current directory.</param>
    /// <exception cref="ConnectorCatalogueException">The file is missing or invalid; the message lists every error.</exception>
    public static ConnectorCatalogue Load(IConfiguration configuration, string? contentRootPath = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var path = CatalogueParser.LocateFile(configuration, contentRootPath);
        string json;
        try
        {
            json = File.ReadAllText(path);
        }
        catch (IOException ex)
        {
            throw new ConnectorCatalogueException($"{path}: cannot be read ({ex.Message}).", ex);
        }

        return CatalogueParser.Parse(json, CatalogueLoadOptions.From(configuration), path);
    }

    /// <summary>Parses and validates catalogue JSON text (the content of <c>connectors.json</c>).</summary>
    /// <param name="json">The JSON text.</param>
    /// <param name="configuration">Configuration for mock apps and URL overrides, or null for the defaults.</param>
    /// <exception cref="ConnectorCatalogueException">The text is invalid; the message lists every error.</exception>
    public static ConnectorCatalogue Parse(string json, IConfiguration? configuration = null)
    {
        ArgumentNullException.ThrowIfNull(json);
        return CatalogueParser.Parse(json, CatalogueLoadOptions.From(configuration), "connectors.json");
    }

    internal UInt128 GetPolicyMask(ToolPolicy policy)
    {
        if (policy.IsUnrestricted)
        {
            return AllToolsMask;
        }

        if (_policyMasks.TryGetValue(policy, out var cached))
        {
            return cached.Value;
        }

        var mask = UInt128.Zero;
        foreach (var tool in Tools)
        {
            if (policy.Allows(tool.App, tool.Name, tool.Annotations.ReadOnly))
            {
                mask |= UInt128.One << tool.Index;
            }
        }

        _policyMasks.AddOrUpdate(policy, new StrongBox<UInt128>(mask));
        return mask;
    }

    internal ToolDescriptor[] GetToolList(UInt128 mask)
    {
        if (_visibleLists.TryGetValue(mask, out var list))
        {
            return list;
        }

        var count = (int)UInt128.PopCount(mask);
        list = new ToolDescriptor[count];
        var n = 0;
        var remaining = mask;
        while (remaining != UInt128.Zero)
        {
            var bit = (int)UInt128.TrailingZeroCount(remaining);
            list[n++] = Tools[bit];
            remaining &= remaining - UInt128.One;
        }

        // Distinct masks are few in practice (one per policy/activation combination); the bound only guards memory
        // against a pathological number of combinations.
        if (_visibleLists.Count >= 4096)
        {
            _visibleLists.Clear();
        }

        _visibleLists.TryAdd(mask, list);
        return list;
    }
}
