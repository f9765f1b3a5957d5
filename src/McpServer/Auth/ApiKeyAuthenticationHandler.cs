using System.Security.Claims;
using System.Text.Encodings.Web;
using Assistiv.McpServer.Errors;
using Assistiv.Platform.Keys;
using Assistiv.Platform.Usage;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Assistiv.McpServer.Auth;

/// <summary>
/// Authenticates <c>Authorization: Bearer sk-plat_…|sk-eu_…</c> (API.md §2.3–2.4). It records why a key failed and
/// writes the error envelope itself on challenge and forbid (STYLE.md §2.5), with a plain <c>WWW-Authenticate</c>
/// challenge and no OAuth metadata (API.md §1.5).
/// </summary>
internal sealed class ApiKeyAuthenticationHandler : AuthenticationHandler<AuthenticationSchemeOptions>
{
    private readonly ApiKeyService _keys;
    private readonly LastUsedRecorder _lastUsed;

    public ApiKeyAuthenticationHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, ApiKeyService keys,
        LastUsedRecorder lastUsed)
        : base(options, logger, encoder)
    {
        _keys = keys;
        _lastUsed = lastUsed;
    }

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (Context.GetKeyPrincipal() is { } cached)
        {
            return AuthenticateResult.Success(Ticket(cached));
        }

        var token = ReadBearer(Request.Headers.Authorization.ToString());
        if (token is null)
        {
            Context.SetAuthFailure(ApiErrors.MissingApiKey());
            return AuthenticateResult.NoResult();
        }

        var result = await _keys.AuthenticateAsync(token, Context.RequestAborted);
        switch (result.Status)
        {
            case KeyLookupStatus.Ok:
                Context.Features.Set(new KeyPrincipalFeature(result.Principal!));
                // API.md §2.2: last_used_at at most once per minute, written off the request path.
                _lastUsed.KeyUsed(result.Principal!.KeyId);
                return AuthenticateResult.Success(Ticket(result.Principal!));
            case KeyLookupStatus.Expired:
                Context.SetAuthFailure(ApiErrors.KeyExpired());
                return AuthenticateResult.Fail("key_expired");
            case KeyLookupStatus.Revoked:
                Context.SetAuthFailure(ApiErrors.KeyRevoked());
                return AuthenticateResult.Fail("key_revoked");
            default:
                Context.SetAuthFailure(ApiErrors.InvalidApiKey());
                return AuthenticateResult.Fail("invalid_api_key");
        }
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var failure = Context.GetAuthFailure();
        if (failure is null || failure.StatusCode != 401)
        {
            failure = ApiErrors.MissingApiKey();
        }

        return failure.ExecuteAsync(Context);
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        (Context.GetAuthFailure() ?? ApiErrors.Forbidden("This key may not use this route.")).ExecuteAsync(Context);

    /// <summary>API.md §2.3: scheme match case-insensitive, surrounding whitespace trimmed; empty → missing.</summary>
    internal static string? ReadBearer(string header)
    {
        var span = header.AsSpan().Trim();
        if (span.Length < 7 || !span[..6].Equals("Bearer", StringComparison.OrdinalIgnoreCase) || !char.IsWhiteSpace(span[6]))
        {
            return null;
        }

        var token = span[7..].Trim();
        return token.IsEmpty ? null : token.ToString();
    }

    private static AuthenticationTicket Ticket(KeyPrincipal p)
    {
        var claims = new List<Claim>(4)
        {
            new(ClaimTypes.NameIdentifier, p.EndUserId?.ToString() ?? p.KeyId.ToString()),
            new("key_id", p.KeyId.ToString()),
            new("platform_id", p.PlatformId.ToString()),
            new("key_type", p.Type == ApiKeyType.Platform ? "platform" : "end_user"),
        };
        return new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity(claims, GatewayAuth.Scheme)), GatewayAuth.Scheme);
    }
}
