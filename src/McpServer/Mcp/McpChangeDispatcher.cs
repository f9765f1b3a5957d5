using System.Security.Cryptography;
using System.Text.Json;
using System.Threading.Channels;
using Assistiv.Platform.Connections;
using Assistiv.Platform.Keys;
using Assistiv.Platform.Storage;
using Assistiv.Platform.Tenancy;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Assistiv.McpServer.Mcp;

/// <summary>
/// Carries <see cref="McpChange"/>s to the open <c>StatefulForInitializeClients</c> sessions (API.md §8.6, §9.2 step 8):
/// a change is queued (the management request that caused it never waits), then this instance's affected sessions get
/// their user's current visible tools (<c>list_changed</c> when they differ) or the <c>elicitation/complete</c>
/// notification, and on PostgreSQL the change is published with <c>NOTIFY</c> for the other instances
/// (<see cref="PostgresMcpChangeListener"/>), which apply it after dropping their cached lookups. In stateless mode
/// nothing is queued: no session exists to tell.
/// </summary>
internal sealed partial class McpChangeDispatcher : BackgroundService
{
    /// <summary>The PostgreSQL notification channel.</summary>
    public const string Channel = "gateway_mcp_changes";

    private readonly Channel<(McpChange Change, bool Remote)> _queue =
        System.Threading.Channels.Channel.CreateBounded<(McpChange, bool)>(new BoundedChannelOptions(4096)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.DropWrite,
        });

    private readonly McpSessionRegistry _sessions;
    private readonly IMcpToolBackend _backend;
    private readonly McpToolSets _toolSets;
    private readonly McpAppStore _apps;
    private readonly PlatformService _platforms;
    private readonly ApiKeyService _keys;
    private readonly IDbContextFactory<PlatformDbContext> _db;
    private readonly ILogger<McpChangeDispatcher> _logger;
    private readonly bool _enabled;
    private readonly bool _postgres;

    public McpChangeDispatcher(McpSessionRegistry sessions, IMcpToolBackend backend, McpToolSets toolSets, McpAppStore apps,
        PlatformService platforms, ApiKeyService keys, IDbContextFactory<PlatformDbContext> db, StorageOptions storage,
        IOptions<McpGatewayOptions> options, ILogger<McpChangeDispatcher> logger)
    {
        _sessions = sessions;
        _backend = backend;
        _toolSets = toolSets;
        _apps = apps;
        _platforms = platforms;
        _keys = keys;
        _db = db;
        _logger = logger;
        _enabled = options.Value.SessionMode != McpSessionMode.Stateless;
        _postgres = !storage.IsSqlite;
        Span<byte> nonce = stackalloc byte[12];
        RandomNumberGenerator.Fill(nonce);
        InstanceNonce = WebEncoders.Base64UrlEncode(nonce);
    }

    /// <summary>Whether changes travel at all (<c>StatefulForInitializeClients</c>).</summary>
    public bool Enabled => _enabled;

    /// <summary>Whether changes are also published to other instances (PostgreSQL).</summary>
    public bool CrossInstance => _enabled && _postgres;

    /// <summary>This process's id in <see cref="McpChange.Origin"/>.</summary>
    public string InstanceNonce { get; }

    /// <summary>Queues a change made by this instance (after its database write committed).</summary>
    public void Publish(McpChange change)
    {
        if (_enabled && !_queue.Writer.TryWrite((change with { Origin = InstanceNonce }, false)))
        {
            LogDropped(_logger, change.Kind);
        }
    }

    /// <summary>Queues a change another instance published (its own are skipped).</summary>
    public void Received(McpChange change)
    {
        if (_enabled && change.Origin != InstanceNonce && !_queue.Writer.TryWrite((change, true)))
        {
            LogDropped(_logger, change.Kind);
        }
    }

    /// <summary>Re-reads every open session's list (after this instance may have missed notifications).</summary>
    public void RefreshAll()
    {
        if (_enabled)
        {
            _queue.Writer.TryWrite((McpChange.Everything, true));
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_enabled)
        {
            return;
        }

        try
        {
            await foreach (var (change, remote) in _queue.Reader.ReadAllAsync(stoppingToken))
            {
                try
                {
                    if (remote)
                    {
                        ForgetCached(change);
                    }

                    await ApplyAsync(change, stoppingToken);
                    if (!remote && _postgres)
                    {
                        await NotifyAsync(change, stoppingToken);
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    // One failed change never stops the loop; sessions still see the new list on their next request.
                    LogFailed(_logger, change.Kind, ex.GetType().Name);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Applies a change to this instance's sessions now.</summary>
    internal async Task ApplyAsync(McpChange change, CancellationToken cancellationToken)
    {
        List<McpSession>? affected = null;
        foreach (var session in _sessions.All)
        {
            if (change.Selects(session))
            {
                (affected ??= []).Add(session);
            }
        }

        if (affected is null)
        {
            return;
        }

        if (change.Kind == McpChangeKind.ElicitationComplete)
        {
            foreach (var session in affected)
            {
                session.ElicitationComplete(change.ElicitationId!);
            }

            return;
        }

        foreach (var platform in affected.GroupBy(s => s.PlatformId))
        {
            await RefreshAsync(platform.Key, [.. platform], cancellationToken);
        }
    }

    /// <summary>Shows each session its user's current tools: the request-time computation of <c>McpRequestMiddleware</c>,
    /// with the end-user and key policies read fresh from the database.</summary>
    private async Task RefreshAsync(Guid platformId, List<McpSession> sessions, CancellationToken cancellationToken)
    {
        var activated = await _apps.GetActivatedAsync(platformId, cancellationToken);
        var platformPolicy = await _platforms.GetToolPolicyAsync(platformId, cancellationToken);
        var endUserIds = sessions.Select(s => s.EndUserId).Distinct().ToList();
        var keyIds = sessions.Select(s => s.KeyId).Distinct().ToList();
        Dictionary<Guid, string?> endUserPolicies, keyPolicies;
        await using (var db = await _db.CreateDbContextAsync(cancellationToken))
        {
            endUserPolicies = await db.EndUsers.AsNoTracking().Where(u => u.PlatformId == platformId && endUserIds.Contains(u.Id))
                .ToDictionaryAsync(u => u.Id, u => u.ToolPolicyJson, cancellationToken);
            keyPolicies = await db.ApiKeys.AsNoTracking().Where(k => k.PlatformId == platformId && keyIds.Contains(k.Id))
                .ToDictionaryAsync(k => k.Id, k => k.ToolPolicyJson, cancellationToken);
        }

        foreach (var session in sessions)
        {
            if (!endUserPolicies.TryGetValue(session.EndUserId, out var endUserPolicy) || !keyPolicies.TryGetValue(session.KeyId, out var keyPolicy))
            {
                // A deleted user or key: its requests are refused anyway.
                continue;
            }

            ToolPolicy[] policies = [platformPolicy, ToolPolicyJson.Parse(endUserPolicy), ToolPolicyJson.Parse(keyPolicy)];
            var set = _toolSets.Get(_backend.GetVisibleTools(activated, policies, session.App));
            if (session.ApplyTools(set))
            {
                LogListChanged(_logger, session.EndUserId, set.Count);
            }
        }
    }

    private void ForgetCached(McpChange change)
    {
        switch (change.Kind)
        {
            case McpChangeKind.Platform:
                _apps.Invalidate(change.PlatformId);
                _platforms.InvalidatePolicy(change.PlatformId);
                break;
            case McpChangeKind.EndUser when change.EndUserId is { } endUser:
                _keys.InvalidateEndUser(endUser);
                break;
            case McpChangeKind.Key when change.KeyId is { } key:
                _keys.InvalidateKey(key);
                break;
        }
    }

    private async Task NotifyAsync(McpChange change, CancellationToken cancellationToken)
    {
        var payload = JsonSerializer.Serialize(change, McpChangeJsonContext.Default.McpChange);
        await using var db = await _db.CreateDbContextAsync(cancellationToken);
        await db.Database.ExecuteSqlRawAsync("SELECT pg_notify({0}, {1})", [Channel, payload], cancellationToken);
    }

    [LoggerMessage(1, LogLevel.Warning, "The MCP change queue is full; a {Kind} change was dropped (sessions see it on their next request).")]
    private static partial void LogDropped(ILogger logger, McpChangeKind kind);

    [LoggerMessage(2, LogLevel.Warning, "Applying a {Kind} MCP change failed with {ExceptionType}.")]
    private static partial void LogFailed(ILogger logger, McpChangeKind kind, string exceptionType);

    [LoggerMessage(3, LogLevel.Information, "The MCP tool list of end user {EndUserId} changed ({Count} tools); list_changed sent.")]
    private static partial void LogListChanged(ILogger logger, Guid endUserId, int count);
}
