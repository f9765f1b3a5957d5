using System.Collections.Concurrent;
using System.Security.Cryptography;
using Assistiv.Connectors.Registry;
using Assistiv.OAuthBroker.Providers;
using Assistiv.OAuthBroker.Tokens;
using Assistiv.OAuthBroker.Vault;
using Assistiv.Platform.Common;
using Assistiv.Platform.Connections;
using Assistiv.Platform.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Assistiv.OAuthBroker.Refresh;

/// <summary>
/// The token vault's read side (API.md §9.5). Decrypted tokens are cached in memory until the refresh-ahead point
/// (<c>expires_at − RefreshSkewSeconds</c>), so a cache hit never touches the database (STYLE.md §4); on PostgreSQL an
/// entry also lives at most <see cref="CachePolicy.EntryLifetime"/>, so a disconnect on another instance bites within
/// 1 s (decision 0041).
/// <para>
/// Refresh is single flight per connection: in process, concurrent callers share one <see cref="Lazy{T}"/> task
/// (Duende.AccessTokenManagement's shape; only the creator removes its own entry, with
/// <c>TryRemove(KeyValuePair)</c>, so a newer flight is never evicted); on PostgreSQL the flight also holds
/// <c>pg_advisory_xact_lock</c> keyed by the connection id across the HTTP call, so instances exclude each other. After
/// acquiring the lock the flight re-reads the row and uses a token another flight already stored. The rotation is one
/// <c>UPDATE … WHERE token_version = @seen</c> that increments the version.
/// </para>
/// </summary>
internal sealed partial class AccessTokenSource : IAccessTokenSource
{
    /// <summary>A caller waits this long for a flight, then follows the timeout rule of API.md §9.5.</summary>
    public static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(20);

    /// <summary>On a wait timeout a stored token valid longer than this is still used (API.md §9.5).</summary>
    public static readonly TimeSpan ValidEnough = TimeSpan.FromSeconds(30);

    // Bounds the whole flight (lock wait + 15 s HTTP + writes) so a stuck database cannot pin it forever.
    private static readonly TimeSpan s_flightBudget = TimeSpan.FromSeconds(60);

    private readonly IDbContextFactory<PlatformDbContext> _db;
    private readonly TimeProvider _time;
    private readonly TokenVault _vault;
    private readonly IProviderDirectory _providers;
    private readonly McpAppStore _apps;
    private readonly TokenEndpointClient _tokens;
    private readonly CachePolicy _cachePolicy;
    private readonly RefreshMetrics _metrics;
    private readonly TimeSpan _skew;
    private readonly ILogger<AccessTokenSource> _logger;
    private readonly ConcurrentDictionary<ConnectionRef, CachedToken> _cache = new();
    private readonly ConcurrentDictionary<ConnectionRef, Lazy<Task<AccessTokenResult>>> _flights = new();

    // Bumped by every invalidation: a load that started before it must not put its (maybe deleted) token back.
    private long _generation;

    public AccessTokenSource(IDbContextFactory<PlatformDbContext> db, TimeProvider time, TokenVault vault, IProviderDirectory providers,
        McpAppStore apps, TokenEndpointClient tokens, CachePolicy cachePolicy, RefreshMetrics metrics, IOptions<OAuthOptions> options, ILogger<AccessTokenSource> logger)
    {
        _db = db;
        _time = time;
        _vault = vault;
        _providers = providers;
        _apps = apps;
        _tokens = tokens;
        _cachePolicy = cachePolicy;
        _metrics = metrics;
        _skew = options.Value.RefreshSkew;
        _logger = logger;
    }

    public ValueTask<AccessTokenResult> GetAccessTokenAsync(ConnectionRef connection, CancellationToken cancellationToken)
    {
        if (_cache.TryGetValue(connection, out var hit) && hit.IsUsable(_time.GetUtcNow(), _time, _cachePolicy))
        {
            return ValueTask.FromResult(hit.Result);
        }

        return new ValueTask<AccessTokenResult>(LoadAsync(connection, cancellationToken));
    }

    public async ValueTask<AccessTokenResult> RefreshAfterUnauthorizedAsync(ConnectionRef connection, string rejectedAccessToken, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rejectedAccessToken);
        DropCached(connection, rejectedAccessToken);
        for (var attempt = 0; ; attempt++)
        {
            var generation = Volatile.Read(ref _generation);
            ConnectionSnapshot? snapshot;
            await using (var db = await _db.CreateDbContextAsync(cancellationToken))
            {
                snapshot = await ConnectionSnapshot.ReadAsync(db, connection, cancellationToken);
            }

            if (Decide(snapshot, out var bundle) is { } final)
            {
                return final;
            }

            if (bundle!.AccessToken != rejectedAccessToken)
            {
                // Another call already rotated the token: use the new one without refreshing.
                return Cache(connection, snapshot!, bundle, generation);
            }

            if (bundle.RefreshToken is null)
            {
                await MarkNeedsReauthAsync(connection, "The provider rejected the access token and no refresh token exists.", cancellationToken);
                return AccessTokenResult.NeedsReauth;
            }

            var (result, flight) = await JoinFlightAsync(connection, new FlightRequest(snapshot!.Id, snapshot.Version, rejectedAccessToken), cancellationToken);
            if (result.Status != AccessTokenStatus.Ok || result.AccessToken != rejectedAccessToken || attempt > 0)
            {
                return result;
            }

            // We joined a refresh-ahead flight that found nothing to do: run our own (the finished entry is removed by
            // value, never a newer one).
            _flights.TryRemove(new KeyValuePair<ConnectionRef, Lazy<Task<AccessTokenResult>>>(connection, flight));
        }
    }

    public async ValueTask MarkNeedsReauthAsync(ConnectionRef connection, string reason, CancellationToken cancellationToken)
    {
        var now = _time.UtcNowMs();
        var error = TokenVault.ErrorJson(new StoredError("upstream_unauthorized", Truncate(reason, 300), now));
        await using (var db = await _db.CreateDbContextAsync(cancellationToken))
        {
            await db.Connections
                .Where(x => x.PlatformId == connection.PlatformId && x.EndUserId == connection.EndUserId && x.App == connection.App)
                .ExecuteUpdateAsync(s => s
                    .SetProperty(x => x.Status, ConnectionStatus.NeedsReauth)
                    .SetProperty(x => x.LastErrorJson, error)
                    .SetProperty(x => x.UpdatedAt, now), cancellationToken);
        }

        Invalidate(connection);
        LogMarkedNeedsReauth(_logger, connection.App, connection.EndUserId);
    }

    /// <summary>Drops the cached token of a connection (connect, disconnect, status change).</summary>
    public void Invalidate(ConnectionRef connection)
    {
        Interlocked.Increment(ref _generation);
        _cache.TryRemove(connection, out _);
    }

    private async Task<AccessTokenResult> LoadAsync(ConnectionRef connection, CancellationToken cancellationToken)
    {
        var generation = Volatile.Read(ref _generation);
        ConnectionSnapshot? snapshot;
        await using (var db = await _db.CreateDbContextAsync(cancellationToken))
        {
            snapshot = await ConnectionSnapshot.ReadAsync(db, connection, cancellationToken);
        }

        if (Decide(snapshot, out var bundle) is { } final)
        {
            return final;
        }

        if (!NeedsRefreshAhead(snapshot!, bundle!))
        {
            return Cache(connection, snapshot!, bundle!, generation);
        }

        var (result, _) = await JoinFlightAsync(connection, new FlightRequest(snapshot!.Id, snapshot.Version, null), cancellationToken);
        return result;
    }

    /// <summary>API.md §9.5: refresh ahead when a refresh token exists and <c>expires_at − now ≤ skew</c>.</summary>
    private bool NeedsRefreshAhead(ConnectionSnapshot snapshot, TokenBundle bundle) =>
        bundle.RefreshToken is not null && snapshot.ExpiresAt is { } expires && expires - _time.GetUtcNow() <= _skew;

    /// <summary>A final answer for a missing or unusable row, else null with the decrypted bundle.</summary>
    private AccessTokenResult? Decide(ConnectionSnapshot? snapshot, out TokenBundle? bundle)
    {
        bundle = null;
        if (snapshot is null)
        {
            return AccessTokenResult.NotConnected;
        }

        if (!snapshot.Usable)
        {
            return AccessTokenResult.NeedsReauth;
        }

        try
        {
            bundle = _vault.Unprotect(snapshot.TokensProtected!);
            return null;
        }
        catch (Exception ex) when (ex is CryptographicException or System.Text.Json.JsonException)
        {
            // The key ring lost the key (or the row is corrupt): nothing usable remains, the user must reconnect.
            LogUndecryptable(_logger, snapshot.Id, ex.GetType().Name);
            return AccessTokenResult.NeedsReauth;
        }
    }

    private AccessTokenResult Cache(ConnectionRef connection, ConnectionSnapshot snapshot, TokenBundle bundle, long generation)
    {
        var result = AccessTokenResult.Ok(bundle.AccessToken, snapshot.Settings(bundle));
        // Expiring tokens are served from memory only until the refresh-ahead point; a token without a refresh token is
        // then re-read (it may have been reconnected) and used until the upstream refuses it.
        var entry = new CachedToken(result, snapshot.ExpiresAt - _skew, _time.GetTimestamp(), snapshot.Version);
        if (Volatile.Read(ref _generation) == generation)
        {
            _cache.AddOrUpdate(connection, entry, (_, old) => old.Version > entry.Version ? old : entry);
        }

        return result;
    }

    private void DropCached(ConnectionRef connection, string accessToken)
    {
        if (_cache.TryGetValue(connection, out var entry) && entry.Result.AccessToken == accessToken)
        {
            _cache.TryRemove(new KeyValuePair<ConnectionRef, CachedToken>(connection, entry));
        }
    }

    private async Task<(AccessTokenResult Result, Lazy<Task<AccessTokenResult>> Flight)> JoinFlightAsync(
        ConnectionRef connection, FlightRequest request, CancellationToken cancellationToken)
    {
        var mine = new Lazy<Task<AccessTokenResult>>(() => RunFlightAsync(connection, request), LazyThreadSafetyMode.ExecutionAndPublication);
        var flight = _flights.GetOrAdd(connection, mine);
        if (ReferenceEquals(flight, mine))
        {
            // Remove only our own entry: a plain TryRemove(key) could evict a newer caller's flight (STYLE.md §6).
            _ = mine.Value.ContinueWith(
                static (_, state) =>
                {
                    var (flights, key, lazy) = ((ConcurrentDictionary<ConnectionRef, Lazy<Task<AccessTokenResult>>>, ConnectionRef, Lazy<Task<AccessTokenResult>>))state!;
                    flights.TryRemove(new KeyValuePair<ConnectionRef, Lazy<Task<AccessTokenResult>>>(key, lazy));
                },
                (_flights, connection, mine), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        try
        {
            return (await flight.Value.WaitAsync(WaitLimit, _time, cancellationToken), flight);
        }
        catch (TimeoutException)
        {
            LogWaitTimeout(_logger, connection.App, connection.EndUserId);
            return (await AfterWaitTimeoutAsync(connection, request.SeenVersion, cancellationToken), flight);
        }
    }

    /// <summary>
    /// API.md §9.5: after waiting 20 s, re-read and use the stored token if <c>token_version</c> moved or the token is
    /// valid for more than 30 s; otherwise the call fails <c>[upstream_unavailable]</c>, status unchanged.
    /// </summary>
    private async Task<AccessTokenResult> AfterWaitTimeoutAsync(ConnectionRef connection, long seenVersion, CancellationToken cancellationToken)
    {
        var generation = Volatile.Read(ref _generation);
        ConnectionSnapshot? snapshot;
        await using (var db = await _db.CreateDbContextAsync(cancellationToken))
        {
            snapshot = await ConnectionSnapshot.ReadAsync(db, connection, cancellationToken);
        }

        if (Decide(snapshot, out var bundle) is { } final)
        {
            return final;
        }

        var validLongEnough = snapshot!.ExpiresAt is not { } expires || expires - _time.GetUtcNow() > ValidEnough;
        if (snapshot.Version != seenVersion || validLongEnough)
        {
            return snapshot.Version != seenVersion && !NeedsRefreshAhead(snapshot, bundle!)
                ? Cache(connection, snapshot, bundle!, generation)
                : AccessTokenResult.Ok(bundle!.AccessToken, snapshot.Settings(bundle));
        }

        return AccessTokenResult.Unavailable;
    }

    private async Task<AccessTokenResult> RunFlightAsync(ConnectionRef connection, FlightRequest request)
    {
        // The flight belongs to no caller: a caller that gives up never cancels a refresh already sent upstream.
        await Task.Yield();
        var generation = Volatile.Read(ref _generation);
        using var budget = new CancellationTokenSource(s_flightBudget, _time);
        var ct = budget.Token;
        var refreshing = false;
        try
        {
            await using var db = await _db.CreateDbContextAsync(ct);
            await using var tx = db.IsSqlite ? null : await db.Database.BeginTransactionAsync(ct);
            if (tx is not null && !await TryLockAsync(db, request.ConnectionId, ct))
            {
                return await AfterWaitTimeoutAsync(connection, request.SeenVersion, ct);
            }

            var snapshot = await ConnectionSnapshot.ReadAsync(db, connection, ct);
            if (Decide(snapshot, out var bundle) is { } final)
            {
                return final;
            }

            var needed = request.RejectedAccessToken is { } rejected
                ? bundle!.AccessToken == rejected
                : NeedsRefreshAhead(snapshot!, bundle!);
            if (!needed || bundle!.RefreshToken is null)
            {
                // Another flight (maybe on another instance) already stored a fresh token.
                if (tx is not null)
                {
                    await tx.CommitAsync(ct);
                }

                return Cache(connection, snapshot!, bundle!, generation);
            }

            // From here on the flight refreshes: every exit counts once in gateway_oauth_refresh_total.
            refreshing = true;
            if (!_providers.TryGet(connection.App, out var provider))
            {
                _metrics.Transient(connection.App);
                return AccessTokenResult.Unavailable;
            }

            var apps = await _apps.GetActivatedAsync(connection.PlatformId, ct);
            if (!apps.TryGetValue(connection.App, out var activation))
            {
                _metrics.Transient(connection.App);
                return AccessTokenResult.Unavailable;
            }

            var client = new ClientCredentials(activation.ClientId, _vault.UnprotectClientSecret(activation.ClientSecretProtected));
            var endpoints = _providers.Resolve(provider, activation);
            var issuedAt = _time.UtcNowMs();
            var answer = await _tokens.RefreshAsync(provider, endpoints, client, bundle.RefreshToken, ct);
            if (answer.Succeeded)
            {
                var stored = await StoreRotationAsync(db, tx, connection, snapshot!, bundle, answer, issuedAt, generation, ct);
                _metrics.Success(connection.App);
                return stored;
            }

            if (IsTerminal(connection.App, answer.ErrorCode))
            {
                await WipeAsync(db, snapshot!, answer.ErrorCode!, ct);
                if (tx is not null)
                {
                    await tx.CommitAsync(ct);
                }

                Invalidate(connection);
                LogTerminal(_logger, connection.App, connection.EndUserId, answer.ErrorCode!);
                _metrics.NeedsReauth(connection.App);
                return AccessTokenResult.NeedsReauth;
            }

            LogTransient(_logger, connection.App, connection.EndUserId);
            _metrics.Transient(connection.App);
            return AccessTokenResult.Unavailable;
        }
        catch (Exception ex)
        {
            if (refreshing)
            {
                _metrics.Transient(connection.App);
            }

            // Whatever failed (database, key ring, timeout), the connection is unchanged and the call is transient.
            LogFlightFault(_logger, connection.App, connection.EndUserId, ex.GetType().Name);
            return AccessTokenResult.Unavailable;
        }
    }

    private async Task<AccessTokenResult> StoreRotationAsync(PlatformDbContext db, Microsoft.EntityFrameworkCore.Storage.IDbContextTransaction? tx,
        ConnectionRef connection, ConnectionSnapshot snapshot, TokenBundle bundle, TokenEndpointResult answer, DateTimeOffset issuedAt,
        long generation, CancellationToken ct)
    {
        // API.md §9.5: the old refresh token stays when none is returned (Zoho does not rotate).
        var rotated = bundle with { AccessToken = answer.AccessToken!, RefreshToken = answer.RefreshToken ?? bundle.RefreshToken };
        DateTimeOffset? expiresAt = answer.ExpiresIn > 0 ? issuedAt.AddSeconds(answer.ExpiresIn) : null;
        var protectedBundle = _vault.Protect(rotated);
        var now = _time.UtcNowMs();
        var seen = snapshot.Version;
        var changed = await db.Connections
            .Where(x => x.Id == snapshot.Id && x.TokenVersion == seen)
            .ExecuteUpdateAsync(s => s
                .SetProperty(x => x.TokensProtected, protectedBundle)
                .SetProperty(x => x.TokenExpiresAt, expiresAt)
                .SetProperty(x => x.TokenVersion, x => x.TokenVersion + 1)
                .SetProperty(x => x.Status, ConnectionStatus.Connected)
                .SetProperty(x => x.LastErrorJson, (string?)null)
                .SetProperty(x => x.LastRefreshedAt, now)
                .SetProperty(x => x.UpdatedAt, now), ct);
        if (tx is not null)
        {
            await tx.CommitAsync(ct);
        }

        if (changed == 0)
        {
            // The row moved under us (a reconnect or a disconnect): what is stored now wins.
            LogRotationLost(_logger, connection.App, connection.EndUserId);
            Invalidate(connection);
            var current = await ConnectionSnapshot.ReadAsync(db, connection, ct);
            return Decide(current, out var currentBundle) ?? AccessTokenResult.Ok(currentBundle!.AccessToken, current!.Settings(currentBundle));
        }

        LogRefreshed(_logger, connection.App, connection.EndUserId);
        var stored = snapshot with { TokensProtected = protectedBundle, ExpiresAt = expiresAt, Version = seen + 1, Status = ConnectionStatus.Connected };
        return Cache(connection, stored, rotated, generation);
    }

    private async Task WipeAsync(PlatformDbContext db, ConnectionSnapshot snapshot, string providerCode, CancellationToken ct)
    {
        var now = _time.UtcNowMs();
        var error = TokenVault.ErrorJson(new StoredError("invalid_grant", Truncate(providerCode, 100), now));
        var seen = snapshot.Version;
        await db.Connections
            .Where(x => x.Id == snapshot.Id && x.TokenVersion == seen)
            .ExecuteUpdateAsync(s => s
                .SetProperty(x => x.TokensProtected, (string?)null)
                .SetProperty(x => x.TokenExpiresAt, (DateTimeOffset?)null)
                .SetProperty(x => x.TokenVersion, x => x.TokenVersion + 1)
                .SetProperty(x => x.Status, ConnectionStatus.NeedsReauth)
                .SetProperty(x => x.LastErrorJson, error)
                .SetProperty(x => x.UpdatedAt, now), ct);
    }

    /// <summary>
    /// Takes the cross-instance lock (API.md §9.5). Waits at most <see cref="WaitLimit"/>; false on timeout (the
    /// transaction is then unusable and the caller falls back to the wait-timeout rule).
    /// </summary>
    private async Task<bool> TryLockAsync(PlatformDbContext db, Guid connectionId, CancellationToken ct)
    {
        using var limit = new CancellationTokenSource(WaitLimit, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, limit.Token);
        try
        {
            await db.Database.ExecuteSqlRawAsync("SELECT pg_advisory_xact_lock({0})", [LockKey(connectionId)], linked.Token);
            return true;
        }
        catch (OperationCanceledException) when (limit.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>A 64-bit advisory-lock key from the connection id (a collision only serializes two refreshes).</summary>
    internal static long LockKey(Guid connectionId)
    {
        Span<byte> bytes = stackalloc byte[16];
        connectionId.TryWriteBytes(bytes);
        return BitConverter.ToInt64(bytes[..8]) ^ BitConverter.ToInt64(bytes[8..]);
    }

    /// <summary>
    /// API.md §9.5, exactly: <c>invalid_grant</c> (any provider), <c>bad_refresh_token</c> (GitHub),
    /// <c>invalid_refresh_token</c> and <c>token_revoked</c> (Slack), <c>invalid_code</c> on a Zoho refresh grant.
    /// </summary>
    internal static bool IsTerminal(string app, string? code) => code switch
    {
        "invalid_grant" or "bad_refresh_token" or "invalid_refresh_token" or "token_revoked" => true,
        "invalid_code" => app == "zoho",
        _ => false,
    };

    private static string Truncate(string s, int max) => s.Length <= max ? s : s[..max];

    private sealed record FlightRequest(Guid ConnectionId, long SeenVersion, string? RejectedAccessToken);

    private sealed record CachedToken(AccessTokenResult Result, DateTimeOffset? RefreshAt, long LoadedAt, long Version)
    {
        public bool IsUsable(DateTimeOffset now, TimeProvider time, CachePolicy policy) =>
            (RefreshAt is not { } at || now < at) && policy.IsFresh(time, LoadedAt);
    }

    [LoggerMessage(1, LogLevel.Information, "Refreshed the {App} token of end user {EndUserId}.")]
    private static partial void LogRefreshed(ILogger logger, string app, Guid endUserId);

    [LoggerMessage(2, LogLevel.Warning, "Refresh of the {App} token of end user {EndUserId} failed for good ({ProviderCode}); the connection needs re-authorization.")]
    private static partial void LogTerminal(ILogger logger, string app, Guid endUserId, string providerCode);

    [LoggerMessage(3, LogLevel.Warning, "Refresh of the {App} token of end user {EndUserId} failed transiently; the connection is unchanged.")]
    private static partial void LogTransient(ILogger logger, string app, Guid endUserId);

    [LoggerMessage(4, LogLevel.Warning, "Refresh of the {App} token of end user {EndUserId} failed ({Fault}); the connection is unchanged.")]
    private static partial void LogFlightFault(ILogger logger, string app, Guid endUserId, string fault);

    [LoggerMessage(5, LogLevel.Warning, "Waited too long for the {App} token refresh of end user {EndUserId}.")]
    private static partial void LogWaitTimeout(ILogger logger, string app, Guid endUserId);

    [LoggerMessage(6, LogLevel.Warning, "A refreshed {App} token of end user {EndUserId} lost the compare-and-swap; the stored one wins.")]
    private static partial void LogRotationLost(ILogger logger, string app, Guid endUserId);

    [LoggerMessage(7, LogLevel.Information, "Marked the {App} connection of end user {EndUserId} as needing re-authorization.")]
    private static partial void LogMarkedNeedsReauth(ILogger logger, string app, Guid endUserId);

    [LoggerMessage(8, LogLevel.Error, "The token bundle of connection {ConnectionId} cannot be decrypted ({Fault}).")]
    private static partial void LogUndecryptable(ILogger logger, Guid connectionId, string fault);
}
