using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace Assistiv.McpServer.Mcp;

/// <summary>
/// One open <c>StatefulForInitializeClients</c> session of this instance (API.md §8.2, §8.6): who opened it, on which URL,
/// its replaceable tool list, and whether its GET stream is open. Server-to-client notifications travel only on the GET
/// stream and the SDK drops them while none is open; a notification due meanwhile is kept here and sent when the stream
/// opens (one pending <c>list_changed</c>, at most <see cref="MaxPendingElicitations"/> elicitation ids).
/// </summary>
internal sealed class McpSession(string id, string? app, Guid platformId, Guid endUserId, Guid keyId,
    ModelContextProtocol.Server.McpServer server, McpSessionToolCollection tools)
{
    public const int MaxPendingElicitations = 16;

    private readonly Lock _gate = new();
    private readonly Queue<string> _pendingElicitations = new();
    private int _openStreams;
    private bool _pendingListChanged;

    public string Id { get; } = id;

    /// <summary>The <c>{app}</c> of <c>/mcp/{app}</c>, or null for <c>/mcp</c>.</summary>
    public string? App { get; } = app;

    public Guid PlatformId { get; } = platformId;

    public Guid EndUserId { get; } = endUserId;

    /// <summary>The key that opened the session (its tool policy is one of the three, API.md §8.7).</summary>
    public Guid KeyId { get; } = keyId;

    public McpSessionToolCollection Tools { get; } = tools;

    /// <summary>
    /// Shows the session its user's current visible tools; true when they changed. The SDK then sends
    /// <c>notifications/tools/list_changed</c> on the open GET stream, or it is sent when one opens.
    /// </summary>
    public bool ApplyTools(McpToolSet set)
    {
        if (!Tools.Differs(set))
        {
            return false;
        }

        // Marked before the change is raised: a stream that opens in between then delivers it (a duplicate at worst).
        lock (_gate)
        {
            if (_openStreams == 0)
            {
                _pendingListChanged = true;
            }
        }

        return Tools.Update(set);
    }

    /// <summary>API.md §9.2 step 8: <c>notifications/elicitation/complete</c> with the connect's elicitation id.</summary>
    public void ElicitationComplete(string elicitationId)
    {
        lock (_gate)
        {
            if (_openStreams == 0)
            {
                if (_pendingElicitations.Count == MaxPendingElicitations)
                {
                    _pendingElicitations.Dequeue();
                }

                _pendingElicitations.Enqueue(elicitationId);
                return;
            }
        }

        _ = SendElicitationCompleteAsync(elicitationId);
    }

    /// <summary>The session's GET stream has started (its SSE headers are being sent): deliver what is pending.</summary>
    public void GetStreamOpened()
    {
        bool listChanged;
        string[] elicitations;
        lock (_gate)
        {
            _openStreams++;
            listChanged = _pendingListChanged;
            _pendingListChanged = false;
            elicitations = _pendingElicitations.Count == 0 ? [] : [.. _pendingElicitations];
            _pendingElicitations.Clear();
        }

        if (listChanged || elicitations.Length > 0)
        {
            // Called while the SDK holds its stream lock (the response is starting): send after it is released.
            _ = Task.Run(async () =>
            {
                if (listChanged)
                {
                    await SendAsync(server.SendNotificationAsync(NotificationMethods.ToolListChangedNotification));
                }

                foreach (var id in elicitations)
                {
                    await SendElicitationCompleteAsync(id);
                }
            });
        }
    }

    public void GetStreamClosed()
    {
        lock (_gate)
        {
            _openStreams = Math.Max(0, _openStreams - 1);
        }
    }

    private Task SendElicitationCompleteAsync(string elicitationId) =>
        SendAsync(server.SendNotificationAsync(
            NotificationMethods.ElicitationCompleteNotification,
            new ElicitationCompleteNotificationParams { ElicitationId = elicitationId },
            McpJsonUtilities.DefaultOptions));

    // A session that closes meanwhile only loses its notification.
    private static async Task SendAsync(Task send)
    {
        try
        {
            await send;
        }
        catch (Exception ex) when (ex is ObjectDisposedException or InvalidOperationException or OperationCanceledException or IOException)
        {
        }
    }
}
