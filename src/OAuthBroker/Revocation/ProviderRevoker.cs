using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Assistiv.OAuthBroker.Providers;
using Assistiv.OAuthBroker.Tokens;
using Microsoft.Extensions.Logging;

namespace Assistiv.OAuthBroker.Revocation;

/// <summary>
/// Token-level upstream revoke (API.md §9.4, §9.6): best effort, 10 s timeout, failures logged and never surfaced.
/// GitHub: <c>DELETE {api}/applications/{client_id}/token</c> with HTTP Basic <c>client_id:client_secret</c> and body
/// <c>{"access_token": …}</c> (CONNECTORS.md §1.1). Apps without a revoke URL (the mock app) revoke nothing.
/// </summary>
internal sealed partial class ProviderRevoker(IHttpClientFactory httpClients, TimeProvider time, ILogger<ProviderRevoker> logger)
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    /// <summary>Revokes one token; never throws (except for the caller's own cancellation, which it swallows too).</summary>
    public async Task RevokeAsync(ProviderDescriptor provider, ProviderEndpoints endpoints, ClientCredentials client, string accessToken,
        CancellationToken cancellationToken)
    {
        if (endpoints.RevokeUrl is null)
        {
            return;
        }

        using var timeout = new CancellationTokenSource(Timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            using var request = provider.App switch
            {
                "github" => GitHubRequest(endpoints.RevokeUrl, client, accessToken),
                _ => null,
            };
            if (request is null)
            {
                LogNoRevoke(logger, provider.App);
                return;
            }

            using var http = httpClients.CreateClient(endpoints.Guarded ? TokenEndpointClient.GuardedHttpClientName : TokenEndpointClient.HttpClientName);
            using var response = await http.SendAsync(request, linked.Token);
            if (response.IsSuccessStatusCode)
            {
                LogRevoked(logger, provider.App);
            }
            else
            {
                LogFailed(logger, provider.App, (int)response.StatusCode);
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or InvalidOperationException)
        {
            LogFault(logger, provider.App, ex.GetType().Name);
        }
    }

    private static HttpRequestMessage GitHubRequest(string revokeUrl, ClientCredentials client, string accessToken)
    {
        var url = revokeUrl.Replace("{client_id}", Uri.EscapeDataString(client.ClientId), StringComparison.Ordinal);
        var request = new HttpRequestMessage(HttpMethod.Delete, url);
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes(client.ClientId + ":" + client.ClientSecret)));
        request.Headers.UserAgent.Add(new ProductInfoHeaderValue("assistiv-gateway", "0.1.0"));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/vnd.github+json"));
        var body = new Dictionary<string, string> { ["access_token"] = accessToken };
        request.Content = new StringContent(
            JsonSerializer.Serialize(body, Vault.OAuthBrokerJsonContext.Default.DictionaryStringString), Encoding.UTF8, "application/json");
        return request;
    }

    [LoggerMessage(1, LogLevel.Information, "Revoked a token of app {App} upstream.")]
    private static partial void LogRevoked(ILogger logger, string app);

    [LoggerMessage(2, LogLevel.Warning, "Upstream revoke for app {App} answered HTTP {Status}; the connection is deleted anyway.")]
    private static partial void LogFailed(ILogger logger, string app, int status);

    [LoggerMessage(3, LogLevel.Warning, "Upstream revoke for app {App} failed ({Fault}); the connection is deleted anyway.")]
    private static partial void LogFault(ILogger logger, string app, string fault);

    [LoggerMessage(4, LogLevel.Debug, "App {App} has no token revoke call here.")]
    private static partial void LogNoRevoke(ILogger logger, string app);
}
