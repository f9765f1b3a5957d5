using System.Collections.Concurrent;

namespace Assistiv.McpServer.Mcp;

/// <summary>
/// The sessions this instance holds in <c>StatefulForInitializeClients</c> mode, with the URL each was opened on, so that
/// a stale or foreign <c>Mcp-Session-Id</c> gets the 404 body of API.md §8.2 (the SDK's own 404 echoes the request id,
/// and a session opened on <c>/mcp/{app}</c> carries that app's tools only). Fed by the SDK's session run hook.
/// </summary>
internal sealed class McpSessionRegistry
{
    private readonly ConcurrentDictionary<string, string> _sessions = new(StringComparer.Ordinal);

    public void Add(string sessionId, string? app) => _sessions[sessionId] = app ?? "";

    public void Remove(string sessionId) => _sessions.TryRemove(sessionId, out _);

    /// <summary>Whether the session exists and was opened on the same URL (<paramref name="app"/> null = <c>/mcp</c>).</summary>
    public bool Holds(string sessionId, string? app) =>
        _sessions.TryGetValue(sessionId, out var opened) && string.Equals(opened, app ?? "", StringComparison.Ordinal);
}
