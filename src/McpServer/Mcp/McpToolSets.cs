using System.Collections.Frozen;
using System.Runtime.CompilerServices;
using System.Text;
using ModelContextProtocol.Server;

namespace Assistiv.McpServer.Mcp;

/// <summary>
/// The one tool object per catalogue tool, built at start-up, and the per-visible-list objects (ordered collection,
/// instructions) cached by list instance, so a request on the hot path only looks things up (STYLE.md §4).
/// </summary>
internal sealed class McpToolSets
{
    private readonly IMcpToolBackend _backend;
    private readonly FrozenDictionary<string, CatalogueMcpTool> _tools;
    private readonly ConditionalWeakTable<IReadOnlyList<McpToolInfo>, McpToolSet> _sets = new();

    public McpToolSets(IMcpToolBackend backend, McpToolInvoker invoker)
    {
        _backend = backend;
        var tools = new Dictionary<string, CatalogueMcpTool>(StringComparer.Ordinal);
        foreach (var info in backend.Tools)
        {
            tools[info.Name] = new CatalogueMcpTool(info, invoker);
        }

        _tools = tools.ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>The shared tool object of a catalogue tool.</summary>
    public CatalogueMcpTool this[string name] => _tools[name];

    /// <summary>The set for one visible list (cached by the list instance).</summary>
    public McpToolSet Get(IReadOnlyList<McpToolInfo> visible) =>
        _sets.GetValue(visible, list => Build(list));

    private McpToolSet Build(IReadOnlyList<McpToolInfo> visible)
    {
        var ordered = new McpServerTool[visible.Count];
        var apps = new List<string>();
        for (var i = 0; i < visible.Count; i++)
        {
            var info = visible[i];
            ordered[i] = _tools.TryGetValue(info.Name, out var tool) ? tool : throw new InvalidOperationException($"Tool '{info.Name}' is not in the catalogue.");
            if (apps.Count == 0 || !string.Equals(apps[^1], info.App, StringComparison.Ordinal))
            {
                apps.Add(info.App);
            }
        }

        return new McpToolSet(ordered, Instructions(apps));
    }

    /// <summary>API.md §8.2: instructions name the listed apps and say that an unconnected app answers with a connect link.</summary>
    private string Instructions(List<string> apps)
    {
        if (apps.Count == 0)
        {
            return "This AI Gateway tool broker lists no tools for this user: no app is activated for the platform, or the tool policy hides every tool.";
        }

        var names = new StringBuilder();
        for (var i = 0; i < apps.Count; i++)
        {
            if (i > 0)
            {
                names.Append(i == apps.Count - 1 ? " and " : ", ");
            }

            names.Append(_backend.AppName(apps[i]));
        }

        return $"Tools of {names} run as the signed-in user. A tool of an app that is not connected for this user answers with a link to connect it: open the link, then call the tool again.";
    }
}

/// <summary>The SDK objects for one visible tool list: built once per list, shared by every request that sees it.</summary>
internal sealed class McpToolSet(McpServerTool[] tools, string instructions)
{
    /// <summary>The tools in list order (shared; never modified).</summary>
    public McpServerTool[] Tools { get; } = tools;

    /// <summary>The shared collection for stateless requests (the SDK subscribes to no events there).</summary>
    public OrderedToolCollection Shared { get; } = new(tools);

    public string Instructions { get; } = instructions;

    public int Count => Tools.Length;

    /// <summary>
    /// A collection of its own for a stateful session: the SDK subscribes to its change event, and the session's list is
    /// replaced when the user's visible tools change (API.md §8.6).
    /// </summary>
    public McpSessionToolCollection NewCollection() => new(this);
}
