using System.Collections.Concurrent;

namespace Assistiv.McpServer.Mcp;

/// <summary>
/// The sessions this instance holds in <c>StatefulForInitializeClients</c> mode, fed by the SDK's session run hook: the
/// URL each was opened on, so that a stale or foreign <c>Mcp-Session-Id</c> gets the 404 body of API.md §8.2 (the SDK's
/// own 404 echoes the request id, and a session opened on <c>/mcp/{app}</c> carries that app's tools only), and the
/// owner of each, so that a change of a user's tools reaches that user's sessions (API.md §8.6, §9.2 step 8).
/// </summary>
internal sealed class McpSessionRegistry
{
    private readonly ConcurrentDictionary<string, McpSession> _sessions = new(StringComparer.Ordinal);

    public void Add(McpSession session) => _sessions[session.Id] = session;

    public void Remove(string sessionId) => _sessions.TryRemove(sessionId, out _);

    /// <summary>Whether the session exists and was opened on the same URL (<paramref name="app"/> null = <c>/mcp</c>).</summary>
    public bool Holds(string sessionId, string? app) =>
        _sessions.TryGetValue(sessionId, out var session) && string.Equals(session.App, app, StringComparison.Ordinal);

    public bool TryGet(string sessionId, out McpSession session) => _sessions.TryGetValue(sessionId, out session!);

    /// <summary>Open sessions, for a change to select from.</summary>
    public IEnumerable<McpSession> All => _sessions.Values;

    /// <summary>How many sessions are open (tests and diagnostics).</summary>
    public int Count => _sessions.Count;
}
