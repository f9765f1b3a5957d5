using System.Text.Json;
using Assistiv.OAuthBroker.Mock;
using Assistiv.OAuthBroker.Providers;
using Duende.IdentityModel.Client;
using Microsoft.Extensions.Logging;

namespace Assistiv.OAuthBroker.Tokens;

/// <summary>
/// Talks to token endpoints with Duende.IdentityModel (CONNECTORS.md §5): authorization-code exchange with the PKCE
/// <c>code_verifier</c> and refresh. Every call has a 15 s timeout (API.md §9.5). Answers are judged by
/// <see cref="ProtocolResponse.IsError"/>, never by <c>ErrorType</c> alone, because GitHub and Zoho answer errors with
/// HTTP 200 (bug corpus B3, B7).
/// </summary>
internal sealed partial class TokenEndpointClient(IHttpClientFactory httpClients, TimeProvider time, ILogger<TokenEndpointClient> logger)
{
    /// <summary>Client for hosts from server configuration (trusted, API.md §1.8).</summary>
    public const string HttpClientName = "oauth-broker";

    /// <summary>Client for hosts supplied through the API (GitHub Enterprise), behind the outbound target guard.</summary>
    public const string GuardedHttpClientName = "oauth-broker-guarded";

    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    public Task<TokenEndpointResult> ExchangeCodeAsync(ProviderDescriptor provider, ProviderEndpoints endpoints, ClientCredentials client,
        string code, string redirectUri, string? codeVerifier, CancellationToken cancellationToken)
    {
        if (endpoints.InProcessToken)
        {
            return Task.FromResult(MockTokenEndpoint.Exchange(code));
        }

        var request = new AuthorizationCodeTokenRequest
        {
            Address = endpoints.TokenUrl,
            ClientId = client.ClientId,
            ClientSecret = client.ClientSecret,
            ClientCredentialStyle = provider.ClientCredentialsInBody ? ClientCredentialStyle.PostBody : ClientCredentialStyle.AuthorizationHeader,
            Code = code,
            RedirectUri = redirectUri,
            CodeVerifier = codeVerifier,
        };
        return SendAsync(provider.App, "exchange", endpoints.Guarded, (http, ct) => http.RequestAuthorizationCodeTokenAsync(request, ct), cancellationToken);
    }

    public Task<TokenEndpointResult> RefreshAsync(ProviderDescriptor provider, ProviderEndpoints endpoints, ClientCredentials client,
        string refreshToken, CancellationToken cancellationToken)
    {
        if (endpoints.InProcessToken)
        {
            return Task.FromResult(MockTokenEndpoint.Refresh(refreshToken));
        }

        var request = new RefreshTokenRequest
        {
            Address = endpoints.TokenUrl,
            ClientId = client.ClientId,
            ClientSecret = client.ClientSecret,
            ClientCredentialStyle = provider.ClientCredentialsInBody ? ClientCredentialStyle.PostBody : ClientCredentialStyle.AuthorizationHeader,
            RefreshToken = refreshToken,
        };
        return SendAsync(provider.App, "refresh", endpoints.Guarded, (http, ct) => http.RequestRefreshTokenAsync(request, ct), cancellationToken);
    }

    private async Task<TokenEndpointResult> SendAsync(string app, string operation, bool guarded,
        Func<HttpClient, CancellationToken, Task<TokenResponse>> send, CancellationToken cancellationToken)
    {
        using var http = httpClients.CreateClient(guarded ? GuardedHttpClientName : HttpClientName);
        using var timeout = new CancellationTokenSource(Timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        TokenResponse response;
        try
        {
            response = await send(http, linked.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            LogTimeout(logger, app, operation);
            return TokenEndpointResult.Transient;
        }
        catch (HttpRequestException ex)
        {
            LogTransport(logger, app, operation, ex.GetType().Name);
            return TokenEndpointResult.Transient;
        }

        // Duende turns transport faults into ErrorType.Exception instead of throwing.
        if (response.ErrorType == ResponseErrorType.Exception)
        {
            if (response.Exception is OperationCanceledException && cancellationToken.IsCancellationRequested)
            {
                throw new OperationCanceledException(cancellationToken);
            }

            LogTransport(logger, app, operation, response.Exception?.GetType().Name ?? "exception");
            return TokenEndpointResult.Transient;
        }

        var status = (int)response.HttpStatusCode;
        var json = response.Json;
        if (!response.IsError && !string.IsNullOrEmpty(response.AccessToken))
        {
            return new TokenEndpointResult(true, null, response.AccessToken, NullIfEmpty(response.RefreshToken), response.ExpiresIn,
                response.Scope, json?.Clone());
        }

        // 5xx is transient whatever the body says; an error code otherwise comes from the body (also at HTTP 200 and for
        // non-400 statuses, where Duende reports the reason phrase as Error).
        string? code = status >= 500 ? null : ReadError(json) ?? (response.ErrorType == ResponseErrorType.Protocol ? response.Error : null);
        LogFailed(logger, app, operation, status, code ?? "none");
        return code is null ? TokenEndpointResult.Transient : TokenEndpointResult.ProviderError(code);
    }

    private static string? ReadError(JsonElement? json) =>
        json is { ValueKind: JsonValueKind.Object } o && o.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.String
            ? e.GetString()
            : null;

    private static string? NullIfEmpty(string? s) => string.IsNullOrEmpty(s) ? null : s;

    [LoggerMessage(1, LogLevel.Warning, "OAuth {Operation} for app {App} timed out.")]
    private static partial void LogTimeout(ILogger logger, string app, string operation);

    [LoggerMessage(2, LogLevel.Warning, "OAuth {Operation} for app {App} failed in transport ({Fault}).")]
    private static partial void LogTransport(ILogger logger, string app, string operation, string fault);

    [LoggerMessage(3, LogLevel.Warning, "OAuth {Operation} for app {App} failed: HTTP {Status}, error {Error}.")]
    private static partial void LogFailed(ILogger logger, string app, string operation, int status, string error);
}

/// <summary>An activation's OAuth client credentials, decrypted for one call. Never log them.</summary>
/// <param name="ClientId">Client id.</param>
/// <param name="ClientSecret">Client secret.</param>
internal sealed record ClientCredentials(string ClientId, string ClientSecret)
{
    /// <summary>Keeps the secret out of any log or debugger display.</summary>
    public override string ToString() => ClientId;
}
