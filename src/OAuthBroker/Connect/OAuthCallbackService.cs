using Assistiv.Connectors.Registry;
using Assistiv.OAuthBroker.Providers;
using Assistiv.OAuthBroker.Refresh;
using Assistiv.OAuthBroker.Revocation;
using Assistiv.OAuthBroker.Tokens;
using Assistiv.OAuthBroker.Vault;
using Assistiv.Platform.Common;
using Assistiv.Platform.Connections;
using Assistiv.Platform.Hosting;
using Assistiv.Platform.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Assistiv.OAuthBroker.Connect;

/// <summary>
/// Completes a connect (API.md §9.2, steps 1–8 in order): checks the state (unknown → 400 page; used, expired or
/// without the matching <c>gw_connect</c> cookie → error redirect), consumes it, maps a provider error, re-checks the
/// activation and the end user, exchanges the code (with the PKCE verifier), stores the tokens encrypted as one bundle,
/// revokes a reconnect's previous token best effort, and redirects to the platform. A replayed or expired state stores
/// nothing.
/// </summary>
public sealed partial class OAuthCallbackService
{
    // Work after a successful exchange runs to completion even if the browser goes away: the code is spent by then.
    private static readonly TimeSpan s_storeBudget = TimeSpan.FromSeconds(30);

    private readonly IDbContextFactory<PlatformDbContext> _db;
    private readonly TimeProvider _time;
    private readonly McpAppStore _apps;
    private readonly IProviderDirectory _providers;
    private readonly TokenVault _vault;
    private readonly TokenEndpointClient _tokens;
    private readonly AccountLabelFetcher _labels;
    private readonly ProviderRevoker _revoker;
    private readonly AccessTokenSource _tokenCache;
    private readonly IConnectionEvents _events;
    private readonly GatewayOptions _gateway;
    private readonly ILogger<OAuthCallbackService> _logger;

    internal OAuthCallbackService(IDbContextFactory<PlatformDbContext> db, TimeProvider time, McpAppStore apps, IProviderDirectory providers,
        TokenVault vault, TokenEndpointClient tokens, AccountLabelFetcher labels, ProviderRevoker revoker, AccessTokenSource tokenCache,
        IConnectionEvents events, IOptions<GatewayOptions> gateway, ILogger<OAuthCallbackService> logger)
    {
        _db = db;
        _time = time;
        _apps = apps;
        _providers = providers;
        _vault = vault;
        _tokens = tokens;
        _labels = labels;
        _revoker = revoker;
        _tokenCache = tokenCache;
        _events = events;
        _gateway = gateway.Value;
        _logger = logger;
    }

    /// <summary>Handles one callback request.</summary>
    /// <param name="state">The <c>state</c> query value.</param>
    /// <param name="code">The <c>code</c> query value.</param>
    /// <param name="error">The provider's <c>error</c> query value.</param>
    /// <param name="cookieNonce">The <c>gw_connect</c> cookie value, or null.</param>
    /// <param name="cancellationToken">Cancels the request (until the code exchange has succeeded).</param>
    public async Task<CallbackOutcome> CompleteAsync(string? state, string? code, string? error, string? cookieNonce, CancellationToken cancellationToken)
    {
        // Step 1: no redirect target without a known state.
        if (!OAuthSecrets.IsWellFormed(state))
        {
            return Page();
        }

        var hash = OAuthSecrets.Hash(state!);
        OAuthStateRecord? row;
        await using (var db = await _db.CreateDbContextAsync(cancellationToken))
        {
            row = await db.OAuthStates.AsNoTracking().FirstOrDefaultAsync(s => s.StateHash == hash, cancellationToken);
        }

        if (row is null)
        {
            return Page();
        }

        var redirectBase = row.RedirectBaseUrl ?? await CurrentRedirectBaseAsync(row, cancellationToken);
        if (redirectBase is null)
        {
            return Page();
        }

        // Step 2: used, expired, or a connect-link state opened in another browser.
        var now = _time.UtcNowMs();
        if (row.UsedAt is not null)
        {
            return Fail(redirectBase, row, "invalid_state");
        }

        if (row.ExpiresAt <= now)
        {
            return Fail(redirectBase, row, "state_expired");
        }

        if (row.CookieNonceHash is not null && (cookieNonce is null || !OAuthSecrets.HashEquals(row.CookieNonceHash, OAuthSecrets.Hash(cookieNonce))))
        {
            // Not consumed: whoever holds the cookie can still finish this connect.
            return Fail(redirectBase, row, "invalid_state");
        }

        if (!await ClaimAsync(row.Id, now, cancellationToken))
        {
            return Fail(redirectBase, row, "invalid_state");
        }

        // Step 3: the provider refused or failed.
        if (!string.IsNullOrEmpty(error))
        {
            return Fail(redirectBase, row, error == "access_denied" ? "access_denied" : "provider_error");
        }

        // Step 4: the world changed while the user was at the provider.
        var activated = await _apps.GetActivatedAsync(row.PlatformId, cancellationToken);
        if (!activated.TryGetValue(row.App, out var activation) || !_providers.TryGet(row.App, out var provider))
        {
            return Fail(redirectBase, row, "app_not_active");
        }

        if (!await EndUserActiveAsync(row, cancellationToken))
        {
            return Fail(redirectBase, row, "end_user_inactive");
        }

        // Step 5: exchange the code.
        if (string.IsNullOrEmpty(code))
        {
            return Fail(redirectBase, row, "token_exchange_failed");
        }

        var endpoints = _providers.Resolve(provider, activation);
        ClientCredentials client;
        string? verifier;
        try
        {
            client = new ClientCredentials(activation.ClientId, _vault.UnprotectClientSecret(activation.ClientSecretProtected));
            verifier = row.CodeVerifierProtected is null ? null : _vault.UnprotectVerifier(row.CodeVerifierProtected);
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            // The key ring no longer decrypts the client secret or the verifier: no exchange is possible.
            LogExchangeFailed(_logger, row.App, row.EndUserId, "undecryptable_secret");
            return Fail(redirectBase, row, "token_exchange_failed");
        }

        var issuedAt = _time.UtcNowMs();
        var answer = await _tokens.ExchangeCodeAsync(provider, endpoints, client, code, OAuthConnectService.CallbackUrl(_gateway), verifier, cancellationToken);
        if (!answer.Succeeded)
        {
            LogExchangeFailed(_logger, row.App, row.EndUserId, answer.ErrorCode ?? "transport");
            return Fail(redirectBase, row, "token_exchange_failed");
        }

        // Steps 6–8 run to completion on their own budget.
        using var budget = new CancellationTokenSource(s_storeBudget, _time);
        var ct = budget.Token;
        var requested = TokenVault.ReadScopes(row.ScopesJson);
        var granted = GrantedScopes(answer.Scope, requested.Count > 0 ? requested : provider.RequestedScopes(activation.Scopes));
        var label = await _labels.FetchAsync(provider, endpoints, answer.AccessToken!, ct);
        var bundle = new TokenBundle(answer.AccessToken!, answer.RefreshToken, null);
        DateTimeOffset? expiresAt = answer.ExpiresIn > 0 ? issuedAt.AddSeconds(answer.ExpiresIn) : null;
        var connection = new ConnectionRef(row.PlatformId, row.EndUserId, row.App);
        var previous = await StoreAsync(connection, row, bundle, expiresAt, granted, label, activation.ClientId, ct);
        _tokenCache.Invalidate(connection);
        LogConnected(_logger, row.App, row.EndUserId, previous is null ? "connect" : "reconnect");

        if (previous is not null && previous.AccessToken != bundle.AccessToken)
        {
            await _revoker.RevokeAsync(provider, endpoints, client, previous.AccessToken, ct);
        }

        try
        {
            await _events.ConnectedAsync(connection, row.ElicitationId, ct);
        }
        catch (Exception ex)
        {
            // The connection is stored; a failed notification must not turn the connect into an error page.
            LogEventFault(_logger, row.App, ex.GetType().Name);
        }

        return new CallbackOutcome(PlatformRedirect.Connected(redirectBase, row.App, label), row.App, CallbackOutcome.Connected, label);
    }

    /// <summary>
    /// Stores the connection (insert, or update on reconnect with <c>token_version</c> incremented) and returns the
    /// previous token bundle of a reconnect, else null.
    /// </summary>
    private async Task<TokenBundle?> StoreAsync(ConnectionRef connection, OAuthStateRecord state, TokenBundle bundle, DateTimeOffset? expiresAt,
        IReadOnlyList<string> granted, string? label, string clientId, CancellationToken ct)
    {
        var protectedBundle = _vault.Protect(bundle);
        var scopesJson = TokenVault.ScopesJson(granted);
        var settingsJson = state.Subdomain is null ? "{}" : TokenVault.SettingsJson(new Dictionary<string, string> { ["subdomain"] = state.Subdomain });
        for (var attempt = 0; ; attempt++)
        {
            var now = _time.UtcNowMs();
            await using var db = await _db.CreateDbContextAsync(ct);
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var existing = await db.Connections.FirstOrDefaultAsync(
                x => x.PlatformId == connection.PlatformId && x.EndUserId == connection.EndUserId && x.App == connection.App, ct);
            string? previousProtected = null;
            if (existing is null)
            {
                db.Connections.Add(new ConnectionRecord
                {
                    Id = Ids.NewId(_time),
                    PlatformId = connection.PlatformId,
                    EndUserId = connection.EndUserId,
                    App = connection.App,
                    Status = ConnectionStatus.Connected,
                    AccountLabel = label,
                    GrantedScopesJson = scopesJson,
                    SettingsJson = settingsJson,
                    TokensProtected = protectedBundle,
                    TokenExpiresAt = expiresAt,
                    TokenVersion = 1,
                    ClientId = clientId,
                    ConnectedAt = now,
                    UpdatedAt = now,
                });
            }
            else
            {
                previousProtected = existing.TokensProtected;
                existing.Status = ConnectionStatus.Connected;
                existing.AccountLabel = label;
                existing.GrantedScopesJson = scopesJson;
                existing.SettingsJson = settingsJson;
                existing.TokensProtected = protectedBundle;
                existing.TokenExpiresAt = expiresAt;
                existing.TokenVersion++;
                existing.ClientId = clientId;
                existing.ConnectedAt = now;
                existing.LastRefreshedAt = null;
                existing.LastErrorJson = null;
                existing.UpdatedAt = now;
            }

            try
            {
                await db.SaveChangesAsync(ct);
                await tx.CommitAsync(ct);
            }
            catch (DbUpdateException ex) when (attempt == 0 && DbErrors.IsUniqueViolation(ex))
            {
                // A concurrent connect of the same user and app inserted first: take the reconnect path.
                continue;
            }

            return previousProtected is null ? null : TryUnprotect(previousProtected);
        }
    }

    private TokenBundle? TryUnprotect(string protectedBundle)
    {
        try
        {
            return _vault.Unprotect(protectedBundle);
        }
        catch (Exception ex) when (ex is System.Security.Cryptography.CryptographicException or System.Text.Json.JsonException)
        {
            return null;
        }
    }

    private async Task<bool> ClaimAsync(Guid stateId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var db = await _db.CreateDbContextAsync(cancellationToken);
        return await db.OAuthStates
            .Where(s => s.Id == stateId && s.UsedAt == null && s.ExpiresAt > now)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.UsedAt, now), cancellationToken) == 1;
    }

    private async Task<bool> EndUserActiveAsync(OAuthStateRecord row, CancellationToken cancellationToken)
    {
        await using var db = await _db.CreateDbContextAsync(cancellationToken);
        return await db.EndUsers.AsNoTracking()
            .AnyAsync(u => u.Id == row.EndUserId && u.PlatformId == row.PlatformId && u.IsActive && u.DeletedAt == null, cancellationToken);
    }

    private async Task<string?> CurrentRedirectBaseAsync(OAuthStateRecord row, CancellationToken cancellationToken)
    {
        var activated = await _apps.GetActivatedAsync(row.PlatformId, cancellationToken);
        return activated.TryGetValue(row.App, out var activation) ? activation.RedirectBaseUrl : null;
    }

    /// <summary>
    /// API.md §9.2 step 6: the response's <c>scope</c> (GitHub sends it comma-separated although the request is
    /// space-separated, CONNECTORS.md §1.1); absent or empty (GitHub App user tokens) → the requested scopes.
    /// </summary>
    internal static IReadOnlyList<string> GrantedScopes(string? responseScope, IReadOnlyList<string> requested)
    {
        if (string.IsNullOrWhiteSpace(responseScope))
        {
            return requested;
        }

        var parts = responseScope.Split([',', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return parts.Length == 0 ? requested : parts.Distinct(StringComparer.Ordinal).ToArray();
    }

    private CallbackOutcome Fail(string redirectBase, OAuthStateRecord row, string code)
    {
        LogFailed(_logger, row.App, row.EndUserId, code);
        return new CallbackOutcome(PlatformRedirect.Error(redirectBase, row.App, code), row.App, code, null);
    }

    private static CallbackOutcome Page() => new(null, null, "invalid_state", null);

    [LoggerMessage(1, LogLevel.Information, "Connected {App} for end user {EndUserId} ({Kind}).")]
    private static partial void LogConnected(ILogger logger, string app, Guid endUserId, string kind);

    [LoggerMessage(2, LogLevel.Information, "OAuth callback for {App} of end user {EndUserId} failed: {Code}.")]
    private static partial void LogFailed(ILogger logger, string app, Guid endUserId, string code);

    [LoggerMessage(4, LogLevel.Warning, "A connect notification for {App} failed ({Fault}).")]
    private static partial void LogEventFault(ILogger logger, string app, string fault);

    [LoggerMessage(3, LogLevel.Warning, "Code exchange for {App} of end user {EndUserId} failed: {ProviderCode}.")]
    private static partial void LogExchangeFailed(ILogger logger, string app, Guid endUserId, string providerCode);
}
