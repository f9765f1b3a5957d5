using Assistiv.Connectors.Registry;
using Assistiv.OAuthBroker.Providers;
using Assistiv.OAuthBroker.Revocation;
using Assistiv.OAuthBroker.Vault;
using Assistiv.Platform.Connections;
using Assistiv.Platform.Storage;
using Microsoft.EntityFrameworkCore;

namespace Assistiv.OAuthBroker.Connections;

/// <summary>
/// Reads and removes connections for the self-service and management routes (API.md §4.10, §4.11). Never exposes
/// tokens.
/// </summary>
public sealed class ConnectionService
{
    private readonly IDbContextFactory<PlatformDbContext> _db;
    private readonly McpAppStore _apps;
    private readonly IProviderDirectory _providers;
    private readonly IConnectLinkIssuer _links;
    private readonly ConnectionRevoker _revoker;

    internal ConnectionService(IDbContextFactory<PlatformDbContext> db, McpAppStore apps, IProviderDirectory providers,
        IConnectLinkIssuer links, ConnectionRevoker revoker)
    {
        _db = db;
        _apps = apps;
        _providers = providers;
        _links = links;
        _revoker = revoker;
    }

    /// <summary>
    /// <c>GET /v1/me/connections</c> (API.md §4.10): one entry per app activated for the platform (ordered by app id),
    /// each with a fresh single-use connect link (§9.1).
    /// </summary>
    /// <param name="platformId">The caller's platform.</param>
    /// <param name="endUserId">The caller's end user.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public async Task<IReadOnlyList<SelfConnectionView>> ListForSelfAsync(Guid platformId, Guid endUserId, CancellationToken cancellationToken)
    {
        var activated = await _apps.GetActivatedAsync(platformId, cancellationToken);
        List<ConnectionRecord> rows;
        await using (var db = await _db.CreateDbContextAsync(cancellationToken))
        {
            rows = await db.Connections.AsNoTracking()
                .Where(c => c.PlatformId == platformId && c.EndUserId == endUserId)
                .ToListAsync(cancellationToken);
        }

        var apps = activated.Keys.Where(a => _providers.TryGet(a, out _)).Order(StringComparer.Ordinal).ToList();
        var result = new List<SelfConnectionView>(apps.Count);
        foreach (var app in apps)
        {
            _providers.TryGet(app, out var provider);
            var row = rows.Find(r => r.App == app);
            var link = await _links.CreateConnectLinkAsync(new ConnectionRef(platformId, endUserId, app), null, cancellationToken);
            result.Add(row is null
                ? new SelfConnectionView(app, provider!.Name, "not_connected", null, null, null, null, link)
                : new SelfConnectionView(app, provider!.Name, row.Status, row.AccountLabel, TokenVault.ReadScopes(row.GrantedScopesJson),
                    row.ConnectedAt, row.LastUsedAt, link));
        }

        return result;
    }

    /// <summary>
    /// Lists connections newest first (API.md §0.2, §4.11) with optional filters; a filter naming another platform's
    /// end user matches nothing.
    /// </summary>
    /// <param name="platformId">The platform.</param>
    /// <param name="filter">Filters.</param>
    /// <param name="page">1-based page.</param>
    /// <param name="limit">Page size (1–100).</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    public async Task<(IReadOnlyList<ConnectionView> Items, int Total)> ListAsync(Guid platformId, ConnectionFilter filter, int page, int limit,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        await using var db = await _db.CreateDbContextAsync(cancellationToken);
        var q = db.Connections.AsNoTracking().Where(c => c.PlatformId == platformId);
        if (filter.App is { } app)
        {
            q = q.Where(c => c.App == app);
        }

        if (filter.Status is { } status)
        {
            q = q.Where(c => c.Status == status);
        }

        if (filter.EndUserId is { } endUserId)
        {
            q = q.Where(c => c.EndUserId == endUserId);
        }

        var total = await q.CountAsync(cancellationToken);
        var rows = await q.OrderByDescending(c => c.Id).Skip((page - 1) * limit).Take(limit).ToListAsync(cancellationToken);
        return (rows.Select(ToView).ToList(), total);
    }

    /// <summary>
    /// Disconnects one connection (API.md §9.6): upstream revoke best effort, tokens and row deleted. False when the
    /// end user has no connection to that app (→ 404).
    /// </summary>
    /// <param name="platformId">The platform.</param>
    /// <param name="endUserId">The end user.</param>
    /// <param name="app">The app id.</param>
    /// <param name="cancellationToken">Cancels the wait; a started disconnect completes.</param>
    public Task<bool> DisconnectAsync(Guid platformId, Guid endUserId, string app, CancellationToken cancellationToken) =>
        _revoker.DisconnectAsync(new ConnectionRef(platformId, endUserId, app), cancellationToken);

    private static ConnectionView ToView(ConnectionRecord row)
    {
        var error = TokenVault.ReadError(row.LastErrorJson);
        return new ConnectionView(row.Id, row.PlatformId, row.EndUserId, row.App, row.Status, row.AccountLabel,
            TokenVault.ReadScopes(row.GrantedScopesJson), TokenVault.ReadSettings(row.SettingsJson), row.ConnectedAt, row.TokenExpiresAt,
            row.LastRefreshedAt, row.LastUsedAt, error is null ? null : new ConnectionError(error.Code, error.Message, error.At));
    }
}

/// <summary>Filters of <c>GET P/mcp/connections</c> (API.md §4.11); null = any.</summary>
/// <param name="App">App id.</param>
/// <param name="Status"><c>connected</c> or <c>needs_reauth</c>.</param>
/// <param name="EndUserId">End user.</param>
public sealed record ConnectionFilter(string? App, string? Status, Guid? EndUserId);

/// <summary>The connection object of API.md §4.11 (never tokens).</summary>
/// <param name="Id">Connection id.</param>
/// <param name="PlatformId">Platform.</param>
/// <param name="EndUserId">End user.</param>
/// <param name="App">App id.</param>
/// <param name="Status"><c>connected</c> or <c>needs_reauth</c>.</param>
/// <param name="AccountLabel">Upstream account label, or null.</param>
/// <param name="GrantedScopes">Granted scopes.</param>
/// <param name="Settings"><c>{"subdomain": …}</c> for Zendesk, else empty.</param>
/// <param name="ConnectedAt">First connect or latest reconnect.</param>
/// <param name="TokenExpiresAt">Access-token expiry, or null.</param>
/// <param name="LastRefreshedAt">Last refresh, or null.</param>
/// <param name="LastUsedAt">Last use, or null.</param>
/// <param name="LastError">Last failure, or null.</param>
public sealed record ConnectionView(
    Guid Id,
    Guid PlatformId,
    Guid EndUserId,
    string App,
    string Status,
    string? AccountLabel,
    IReadOnlyList<string> GrantedScopes,
    IReadOnlyDictionary<string, string> Settings,
    DateTimeOffset ConnectedAt,
    DateTimeOffset? TokenExpiresAt,
    DateTimeOffset? LastRefreshedAt,
    DateTimeOffset? LastUsedAt,
    ConnectionError? LastError);

/// <summary>A connection's <c>last_error</c> (API.md §4.11).</summary>
/// <param name="Code">Code (<c>invalid_grant</c> after a terminal refresh error).</param>
/// <param name="Message">Short text (the provider's error code).</param>
/// <param name="At">When.</param>
public sealed record ConnectionError(string Code, string Message, DateTimeOffset At);

/// <summary>One entry of <c>GET /v1/me/connections</c> (API.md §4.10).</summary>
/// <param name="App">App id.</param>
/// <param name="Name">Display name.</param>
/// <param name="Status"><c>connected</c>, <c>needs_reauth</c> or <c>not_connected</c>.</param>
/// <param name="AccountLabel">Upstream account label, or null.</param>
/// <param name="GrantedScopes">Granted scopes, or null when not connected.</param>
/// <param name="ConnectedAt">Connect time, or null.</param>
/// <param name="LastUsedAt">Last use, or null.</param>
/// <param name="ConnectUrl">A fresh single-use connect link.</param>
public sealed record SelfConnectionView(
    string App,
    string Name,
    string Status,
    string? AccountLabel,
    IReadOnlyList<string>? GrantedScopes,
    DateTimeOffset? ConnectedAt,
    DateTimeOffset? LastUsedAt,
    Uri ConnectUrl);
