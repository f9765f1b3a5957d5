using ModelContextProtocol.Server;

namespace Assistiv.McpServer.Mcp;

/// <summary>
/// A tool collection that enumerates in catalogue list order. The SDK's collection is a ConcurrentDictionary whose
/// enumeration order is the hash order; API.md §8.4 wants apps alphabetically, then catalogue order, and a stable order
/// keeps clients' prompt caches warm.
/// </summary>
internal sealed class OrderedToolCollection : McpServerPrimitiveCollection<McpServerTool>
{
    private readonly McpServerTool[] _ordered;

    public OrderedToolCollection(McpServerTool[] ordered)
        : base(StringComparer.Ordinal)
    {
        _ordered = ordered;
        foreach (var tool in ordered)
        {
            base.TryAdd(tool);
        }
    }

    public override IEnumerator<McpServerTool> GetEnumerator() => ((IEnumerable<McpServerTool>)_ordered).GetEnumerator();

    public override McpServerTool[] ToArray() => (McpServerTool[])_ordered.Clone();

    public override void CopyTo(McpServerTool[] array, int arrayIndex) => _ordered.CopyTo(array, arrayIndex);

    // The set is fixed for its request or session; a changed tool list is a new collection (API.md §8.6).
    public override bool TryAdd(McpServerTool primitive) => throw new NotSupportedException("The tool list of a request is fixed.");

    public override bool Remove(McpServerTool primitive) => throw new NotSupportedException("The tool list of a request is fixed.");

    public override void Clear() => throw new NotSupportedException("The tool list of a request is fixed.");
}
