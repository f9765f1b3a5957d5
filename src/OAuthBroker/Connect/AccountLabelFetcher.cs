using System.Net.Http.Headers;
using System.Text.Json;
using Assistiv.OAuthBroker.Providers;
using Assistiv.OAuthBroker.Tokens;
using Microsoft.Extensions.Logging;

namespace Assistiv.OAuthBroker.Connect;

/// <summary>
/// Fetches a connection's <c>account_label</c> best effort (API.md §9.2 step 6): GitHub's login from
/// <c>GET {api}/user</c> (Enterprise included, through its API base URL). Any failure gives null; the connect succeeds.
/// </summary>
internal sealed partial class AccountLabelFetcher(IHttpClientFactory httpClients, TimeProvider time, ILogger<AccountLabelFetcher> logger)
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(10);

    public async Task<string?> FetchAsync(ProviderDescriptor provider, ProviderEndpoints endpoints, string accessToken, CancellationToken cancellationToken)
    {
        switch (provider.App)
        {
            case "mock":
                return "mock-user";
            case "github" when endpoints.ApiBaseUrl is not null:
                return await GitHubLoginAsync(endpoints, accessToken, cancellationToken);
            default:
                return null;
        }
    }

    private async Task<string?> GitHubLoginAsync(ProviderEndpoints endpoints, string accessToken, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(s_timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            using var http = httpClients.CreateClient(endpoints.Guarded ? TokenEndpointClient.GuardedHttpClientName : TokenEndpointClient.HttpClientName);
            using var request = new HttpRequestMessage(HttpMethod.Get, endpoints.ApiBaseUrl + "/user");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
            // CONNECTORS.md §1.2: GitHub requires a User-Agent.
            request.Headers.UserAgent.Add(new ProductInfoHeaderValue("assistiv-gateway", "0.1.0"));
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/vnd.github+json"));
            using var response = await http.SendAsync(request, linked.Token);
            if (!response.IsSuccessStatusCode)
            {
                LogFailed(logger, "github", (int)response.StatusCode);
                return null;
            }

            await using var body = await response.Content.ReadAsStreamAsync(linked.Token);
            using var doc = await JsonDocument.ParseAsync(body, cancellationToken: linked.Token);
            return doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("login", out var login)
                && login.ValueKind == JsonValueKind.String ? login.GetString() : null;
        }
        catch (Exception ex) when (ex is HttpRequestException or JsonException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            LogFault(logger, "github", ex.GetType().Name);
            return null;
        }
    }

    [LoggerMessage(1, LogLevel.Information, "Account label for app {App} not fetched: HTTP {Status}.")]
    private static partial void LogFailed(ILogger logger, string app, int status);

    [LoggerMessage(2, LogLevel.Information, "Account label for app {App} not fetched: {Fault}.")]
    private static partial void LogFault(ILogger logger, string app, string fault);
}
