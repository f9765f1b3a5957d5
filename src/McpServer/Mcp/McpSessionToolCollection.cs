using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;
using ModelContextProtocol.Server;

namespace Assistiv.McpServer.Mcp;

/// <summary>
/// The tool list of one <c>StatefulForInitializeClients</c> session (API.md §8.6): catalogue order like
/// <see cref="OrderedToolCollection"/>, but replaceable as a whole. <see cref="Update"/> swaps in the session user's new
/// visible set and raises <see cref="McpServerPrimitiveCollection{T}.Changed"/> once, which makes the SDK send
/// <c>notifications/tools/list_changed</c> on the session's GET stream; the next <c>tools/list</c> shows the new set.
/// Reads see one consistent snapshot; nothing else may add or remove tools.
/// </summary>
internal sealed class McpSessionToolCollection : McpServerPrimitiveCollection<McpServerTool>
{
    private readonly Lock _gate = new();
    private volatile Snapshot _current;

    public McpSessionToolCollection(McpToolSet set)
        : base(StringComparer.Ordinal)
    {
        _current = new Snapshot(set);
        foreach (var tool in set.Tools)
        {
            base.TryAdd(tool);
        }
    }

    /// <summary>The set the session lists now.</summary>
    public McpToolSet Set => _current.Set;

    /// <summary>Whether <paramref name="set"/> lists other tools than the session does now.</summary>
    public bool Differs(McpToolSet set) => !Same(_current.Set, set);

    /// <summary>Replaces the list; returns false (and raises nothing) when the tools are the same.</summary>
    public bool Update(McpToolSet set)
    {
        lock (_gate)
        {
            var old = _current.Set;
            if (Same(old, set))
            {
                return false;
            }

            // One Changed event for the whole swap (the SDK sends one list_changed per event).
            using (DeferChangedEvents())
            {
                _current = new Snapshot(set);
                foreach (var tool in old.Tools)
                {
                    base.Remove(tool);
                }

                foreach (var tool in set.Tools)
                {
                    base.TryAdd(tool);
                }
            }

            return true;
        }
    }

    public override IEnumerator<McpServerTool> GetEnumerator() => ((IEnumerable<McpServerTool>)_current.Set.Tools).GetEnumerator();

    public override McpServerTool[] ToArray() => [.. _current.Set.Tools];

    public override void CopyTo(McpServerTool[] array, int arrayIndex) => _current.Set.Tools.CopyTo(array, arrayIndex);

    public override bool TryGetPrimitive(string name, [NotNullWhen(true)] out McpServerTool? primitive) =>
        _current.ByName.TryGetValue(name, out primitive);

    public override bool Contains(McpServerTool primitive) =>
        _current.ByName.TryGetValue(primitive.ProtocolTool.Name, out var tool) && ReferenceEquals(tool, primitive);

    public override ICollection<string> PrimitiveNames => _current.ByName.Keys;

    public override bool TryAdd(McpServerTool primitive) => throw new NotSupportedException("A session's tool list changes only through Update.");

    public override bool Remove(McpServerTool primitive) => throw new NotSupportedException("A session's tool list changes only through Update.");

    public override void Clear() => throw new NotSupportedException("A session's tool list changes only through Update.");

    // Sets are cached per visible list, so an unchanged list is usually the same instance; compare tools otherwise.
    private static bool Same(McpToolSet a, McpToolSet b) =>
        ReferenceEquals(a, b) || a.Tools.AsSpan().SequenceEqual(b.Tools, ReferenceEqualityComparer.Instance);

    private sealed class Snapshot(McpToolSet set)
    {
        public McpToolSet Set { get; } = set;

        public FrozenDictionary<string, McpServerTool> ByName { get; } = set.Tools.ToFrozenDictionary(t => t.ProtocolTool.Name, StringComparer.Ordinal);
    }
}
