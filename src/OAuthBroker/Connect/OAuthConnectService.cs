using Assistiv.OAuthBroker.Providers;
using Assistiv.OAuthBroker.Vault;
using Assistiv.Platform.Common;
using Assistiv.Platform.Connections;
using Assistiv.Platform.Hosting;
using Assistiv.Platform.Storage;
using Duende.IdentityModel.Client;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Assistiv.OAuthBroker.Connect;

/// <summary>
/// Starts a connect (API.md §9.1): checks the caller (an end-user key, or a single-use connect token), creates the OAuth
/// state (32 random bytes, stored hashed, single use, 10 minutes, bound to platform, end user, app, PKCE verifier,
/// optional elicitation id and cookie nonce hash) and builds the provider's authorize URL with
/// <c>response_type=code</c>, <c>client_id</c>, <c>redirect_uri={base}/oauth/callback</c>, <c>state</c>, the scopes and,
/// for PKCE apps, <c>code_challenge</c> + <c>code_challenge_method=S256</c> (RFC 7636).
/// </summary>
public sealed partial class OAuthConnectService
{
    private readonly IDbContextFactory<PlatformDbContext> _db;
    private readonly TimeProvider _time;
    private readonly McpAppStore _apps;
    private readonly IProviderDirectory _providers;
    private readonly TokenVault _vault;
    private readonly GatewayOptions _gateway;
    private readonly ILogger<OAuthConnectService> _logger;

    internal OAuthConnectService(IDbContextFactory<PlatformDbContext> db, TimeProvider time, McpAppStore apps, IProviderDirectory providers,
        TokenVault vault, IOptions<GatewayOptions> gateway, ILogger<OAuthConnectService> logger)
    {
        _db = db;
        _time = time;
        _apps = apps;
        _providers = providers;
        _vault = vault;
        _gateway = gateway.Value;
        _logger = logger;
    }

    /// <summary>
    /// Starts a connect for an end user authenticated by an <c>sk-eu_</c> key (the host has already applied the key
    /// checks of API.md §2.6: key type, inactive end user).
    /// </summary>
    /// <param name="platformId">The key's platform.</param>
    /// <param name="endUserId">The key's end user.</param>
    /// <param name="app">The <c>app</c> query value, or null when absent.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns><see cref="AuthorizeOutcomeKind.Authorize"/>, <see cref="AuthorizeOutcomeKind.InvalidApp"/> or <see cref="AuthorizeOutcomeKind.AppNotFound"/>.</returns>
    public async Task<AuthorizeOutcome> StartForEndUserAsync(Guid platformId, Guid endUserId, string? app, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(app))
        {
            return AuthorizeOutcome.Error(AuthorizeOutcomeKind.InvalidApp, "Query parameter 'app' is required.");
        }

        var (provider, activation) = await FindAsync(platformId, app, cancellationToken);
        if (provider is null || activation is null)
        {
            return AuthorizeOutcome.Error(AuthorizeOutcomeKind.AppNotFound, $"App '{app}' is not activated for this platform.");
        }

        await using var db = await _db.CreateDbContextAsync(cancellationToken);
        var outcome = NewState(provider, activation, endUserId, elicitationId: null, withCookie: false, out var state);
        db.OAuthStates.Add(state);
        await db.SaveChangesAsync(cancellationToken);
        LogStarted(_logger, app, endUserId, "key");
        return outcome;
    }

    /// <summary>
    /// Starts a connect from a connect link (API.md §9.1): the token is consumed when the state is created; the outcome
    /// carries the <c>gw_connect</c> cookie nonce. A used token → <see cref="AuthorizeOutcomeKind.LinkRejected"/> to
    /// <c>…/mcp/oauth-callback?status=error&amp;app={app}&amp;error=link_used</c>, an expired one → <c>error=link_expired</c>.
    /// </summary>
    /// <param name="connectToken">The <c>connect_token</c> query value.</param>
    /// <param name="app">The <c>app</c> query value, or null when absent.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public async Task<AuthorizeOutcome> StartWithConnectTokenAsync(string? connectToken, string? app, CancellationToken cancellationToken)
    {
        if (!OAuthSecrets.IsWellFormed(connectToken))
        {
            return InvalidToken();
        }

        var hash = OAuthSecrets.Hash(connectToken!);
        await using var db = await _db.CreateDbContextAsync(cancellationToken);
        var token = await db.ConnectTokens.AsNoTracking().FirstOrDefaultAsync(t => t.TokenHash == hash, cancellationToken);
        if (token is null)
        {
            return InvalidToken();
        }

        var user = await db.EndUsers.AsNoTracking()
            .Where(u => u.Id == token.EndUserId && u.PlatformId == token.PlatformId)
            .Select(u => new { u.IsActive, u.DeletedAt })
            .FirstOrDefaultAsync(cancellationToken);
        if (user is null || user.DeletedAt is not null)
        {
            // DECISION: a link of a deleted end user is dead, like that user's keys (docs/decisions/0043-connect-token-checks.md).
            return InvalidToken();
        }

        if (!user.IsActive)
        {
            return AuthorizeOutcome.Error(AuthorizeOutcomeKind.EndUserInactive, "This end user is deactivated.");
        }

        if (string.IsNullOrEmpty(app) || app != token.App)
        {
            return AuthorizeOutcome.Error(AuthorizeOutcomeKind.InvalidApp, "Query parameter 'app' must name the app this connect link was made for.");
        }

        var (provider, activation) = await FindAsync(token.PlatformId, token.App, cancellationToken);
        if (provider is null || activation is null)
        {
            return AuthorizeOutcome.Error(AuthorizeOutcomeKind.AppNotFound, $"App '{app}' is not activated for this platform.");
        }

        var now = _time.UtcNowMs();
        if (token.UsedAt is not null || token.ExpiresAt <= now)
        {
            return LinkRejected(activation, token.App, token.UsedAt is not null ? "link_used" : "link_expired");
        }

        // Consume and create the state in one transaction (SQLite: BEGIN IMMEDIATE), so a link opened twice at once
        // yields exactly one state.
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);
        var consumed = await db.ConnectTokens
            .Where(t => t.Id == token.Id && t.UsedAt == null && t.ExpiresAt > now)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.UsedAt, now), cancellationToken);
        if (consumed == 0)
        {
            await tx.RollbackAsync(cancellationToken);
            return LinkRejected(activation, token.App, "link_used");
        }

        var outcome = NewState(provider, activation, token.EndUserId, token.ElicitationId, withCookie: true, out var state);
        db.OAuthStates.Add(state);
        await db.SaveChangesAsync(cancellationToken);
        await tx.CommitAsync(cancellationToken);
        LogStarted(_logger, token.App, token.EndUserId, "connect_link");
        return outcome;
    }

    private AuthorizeOutcome NewState(ProviderDescriptor provider, McpAppActivation activation, Guid endUserId, string? elicitationId,
        bool withCookie, out OAuthStateRecord record)
    {
        var now = _time.UtcNowMs();
        var state = OAuthSecrets.NewToken();
        var verifier = provider.Pkce ? OAuthSecrets.NewToken() : null;
        var nonce = withCookie ? OAuthSecrets.NewToken() : null;
        var scopes = provider.RequestedScopes(activation.Scopes);
        record = new OAuthStateRecord
        {
            Id = Ids.NewId(_time),
            StateHash = OAuthSecrets.Hash(state),
            PlatformId = activation.PlatformId,
            EndUserId = endUserId,
            App = provider.App,
            CodeVerifierProtected = verifier is null ? null : _vault.ProtectVerifier(verifier),
            ElicitationId = elicitationId,
            CookieNonceHash = nonce is null ? null : OAuthSecrets.Hash(nonce),
            RedirectBaseUrl = activation.RedirectBaseUrl,
            ScopesJson = TokenVault.ScopesJson(scopes),
            CreatedAt = now,
            ExpiresAt = now + ConnectLinkIssuer.Lifetime,
        };

        var endpoints = _providers.Resolve(provider, activation);
        var scopeValue = string.Join(provider.ScopeSeparator, scopes);
        var extra = new Parameters();
        foreach (var (name, value) in provider.ExtraAuthorizeParams)
        {
            extra.Add(name, value);
        }

        var scopeInStandardParameter = provider.ScopeParameter == "scope";
        if (!scopeInStandardParameter && scopeValue.Length > 0)
        {
            extra.Add(provider.ScopeParameter, scopeValue);
        }

        var url = new RequestUrl(endpoints.AuthorizeUrl).CreateAuthorizeUrl(
            clientId: activation.ClientId,
            responseType: "code",
            scope: scopeInStandardParameter && scopeValue.Length > 0 ? scopeValue : null,
            redirectUri: CallbackUrl(_gateway),
            state: state,
            codeChallenge: verifier is null ? null : OAuthSecrets.PkceChallenge(verifier),
            codeChallengeMethod: verifier is null ? null : "S256",
            extra: extra);
        return new AuthorizeOutcome(AuthorizeOutcomeKind.Authorize, new Uri(url), record.ExpiresAt, nonce, null);
    }

    private async Task<(ProviderDescriptor? Provider, McpAppActivation? Activation)> FindAsync(Guid platformId, string app, CancellationToken cancellationToken)
    {
        if (!_providers.TryGet(app, out var provider))
        {
            return (null, null);
        }

        var activated = await _apps.GetActivatedAsync(platformId, cancellationToken);
        return activated.TryGetValue(app, out var activation) ? (provider, activation) : (provider, null);
    }

    private static AuthorizeOutcome InvalidToken() =>
        AuthorizeOutcome.Error(AuthorizeOutcomeKind.InvalidConnectToken, "Connect link invalid. Ask for a new link.");

    private static AuthorizeOutcome LinkRejected(McpAppActivation activation, string app, string error) =>
        AuthorizeOutcome.Rejected(PlatformRedirect.Error(activation.RedirectBaseUrl, app, error));

    /// <summary>API.md §1.2: <c>{base}/oauth/callback</c>, from the configured public base URL only.</summary>
    internal static string CallbackUrl(GatewayOptions gateway) => gateway.Url("/oauth/callback");

    [LoggerMessage(1, LogLevel.Information, "Started a {App} connect for end user {EndUserId} ({Via}).")]
    private static partial void LogStarted(ILogger logger, string app, Guid endUserId, string via);
}
