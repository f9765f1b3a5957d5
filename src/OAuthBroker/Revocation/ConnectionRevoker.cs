using System.Linq.Expressions;
using Assistiv.Connectors.Registry;
using Assistiv.OAuthBroker.Providers;
using Assistiv.OAuthBroker.Refresh;
using Assistiv.OAuthBroker.Tokens;
using Assistiv.OAuthBroker.Vault;
using Assistiv.Platform.Connections;
using Assistiv.Platform.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Assistiv.OAuthBroker.Revocation;

/// <summary>
/// Disconnects (API.md §9.6): for each connection, the provider's token revoke best effort (10 s, failures logged and
/// never surfaced), then deletion of tokens and row, the cached token dropped, and <see cref="IConnectionEvents"/>
/// told. The caller's cancellation only ends its wait: the work, once started, completes.
/// </summary>
internal sealed partial class ConnectionRevoker(
    IDbContextFactory<PlatformDbContext> db,
    TimeProvider time,
    TokenVault vault,
    IProviderDirectory providers,
    McpAppStore apps,
    ProviderRevoker revoker,
    AccessTokenSource tokenCache,
    IConnectionEvents events,
    ILogger<ConnectionRevoker> logger) : IConnectionRevoker
{
    // Upstream revokes run with a 10 s timeout each; each phase gets its own bound so nothing waits forever.
    private static readonly TimeSpan s_budget = TimeSpan.FromSeconds(60);

    public Task RevokeAllForEndUserAsync(Guid platformId, Guid endUserId, CancellationToken cancellationToken) =>
        DisconnectWhereAsync(c => c.PlatformId == platformId && c.EndUserId == endUserId, cancellationToken);

    public Task RevokeAllForAppAsync(Guid platformId, string app, CancellationToken cancellationToken) =>
        DisconnectWhereAsync(c => c.PlatformId == platformId && c.App == app, cancellationToken);

    /// <summary>Disconnects one connection; false when there is none.</summary>
    public async Task<bool> DisconnectAsync(ConnectionRef connection, CancellationToken cancellationToken) =>
        await DisconnectWhereAsync(
            c => c.PlatformId == connection.PlatformId && c.EndUserId == connection.EndUserId && c.App == connection.App,
            cancellationToken) > 0;

    private Task<int> DisconnectWhereAsync(Expression<Func<ConnectionRecord, bool>> filter, CancellationToken cancellationToken) =>
        RunAsync(filter).WaitAsync(cancellationToken);

    private async Task<int> RunAsync(Expression<Func<ConnectionRecord, bool>> filter)
    {
        List<Row> rows;
        using (var readBudget = new CancellationTokenSource(s_budget, time))
        await using (var context = await db.CreateDbContextAsync(readBudget.Token))
        {
            rows = await context.Connections.AsNoTracking().Where(filter)
                .Select(c => new Row(c.Id, c.PlatformId, c.EndUserId, c.App, c.TokensProtected))
                .ToListAsync(readBudget.Token);
        }

        if (rows.Count == 0)
        {
            return 0;
        }

        using (var revokeBudget = new CancellationTokenSource(s_budget, time))
        {
            try
            {
                await Parallel.ForEachAsync(rows, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = revokeBudget.Token },
                    async (row, token) => await RevokeUpstreamAsync(row, token));
            }
            catch (OperationCanceledException)
            {
                // A mass disconnect (app deactivation) stops revoking after the budget; the rows are deleted regardless.
                LogRevokeBudget(logger, rows.Count);
            }
        }

        var ids = rows.Select(r => r.Id).ToList();
        int deleted;
        using var deleteBudget = new CancellationTokenSource(s_budget, time);
        await using (var context = await db.CreateDbContextAsync(deleteBudget.Token))
        {
            deleted = await context.Connections.Where(c => ids.Contains(c.Id)).ExecuteDeleteAsync(deleteBudget.Token);
        }

        foreach (var row in rows)
        {
            var connection = new ConnectionRef(row.PlatformId, row.EndUserId, row.App);
            tokenCache.Invalidate(connection);
            LogDisconnected(logger, row.App, row.EndUserId);
            try
            {
                await events.DisconnectedAsync(connection, deleteBudget.Token);
            }
            catch (Exception ex)
            {
                LogEventFault(logger, row.App, ex.GetType().Name);
            }
        }

        return deleted;
    }

    private async Task RevokeUpstreamAsync(Row row, CancellationToken ct)
    {
        if (row.TokensProtected is null || !providers.TryGet(row.App, out var provider))
        {
            return;
        }

        try
        {
            var activated = await apps.GetActivatedAsync(row.PlatformId, ct);
            if (!activated.TryGetValue(row.App, out var activation))
            {
                // Without the activation's client credentials there is nothing to authenticate the revoke with.
                LogNoActivation(logger, row.App);
                return;
            }

            var bundle = vault.Unprotect(row.TokensProtected);
            var client = new ClientCredentials(activation.ClientId, vault.UnprotectClientSecret(activation.ClientSecretProtected));
            await revoker.RevokeAsync(provider, providers.Resolve(provider, activation), client, bundle.AccessToken, ct);
        }
        catch (Exception ex)
        {
            // Best effort (API.md §9.6): the deletion goes ahead whatever happened upstream.
            LogRevokeFault(logger, row.App, ex.GetType().Name);
        }
    }

    private sealed record Row(Guid Id, Guid PlatformId, Guid EndUserId, string App, string? TokensProtected);

    [LoggerMessage(1, LogLevel.Information, "Disconnected {App} for end user {EndUserId}.")]
    private static partial void LogDisconnected(ILogger logger, string app, Guid endUserId);

    [LoggerMessage(2, LogLevel.Warning, "Upstream revoke of a {App} token failed ({Fault}); the connection is deleted anyway.")]
    private static partial void LogRevokeFault(ILogger logger, string app, string fault);

    [LoggerMessage(3, LogLevel.Information, "No activation of {App} remains; the connection is deleted without an upstream revoke.")]
    private static partial void LogNoActivation(ILogger logger, string app);

    [LoggerMessage(5, LogLevel.Warning, "Upstream revokes of {Count} connections did not finish in time; the connections are deleted anyway.")]
    private static partial void LogRevokeBudget(ILogger logger, int count);

    [LoggerMessage(4, LogLevel.Warning, "A disconnect notification for {App} failed ({Fault}).")]
    private static partial void LogEventFault(ILogger logger, string app, string fault);
}
