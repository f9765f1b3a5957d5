using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Assistiv.Tests.Common;
using Assistiv.Tests.Common.Host;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Time.Testing;
using WireMock.Logging;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace Assistiv.McpServer.Tests.OAuth;

/// <summary>
/// The real host with the <c>github</c> app pointed at a WireMock fake of github.com OAuth and api.github.com
/// (<c>Gateway:Apps:github:*</c>, API.md §1.3), plus helpers that activate apps through <c>POST P/mcp/apps</c> and
/// clients that do not follow redirects.
/// </summary>
internal sealed class OAuthHost : IAsyncDisposable
{
    public const string RedirectBaseUrl = "https://platform.example";
    public const string ClientId = "Iv1.abc";
    public const string ClientSecret = "shh-secret";

    public OAuthHost(Action<GatewayFactory>? configure = null)
    {
        GitHub = WireMockServer.Start();
        // Fallbacks rank below the per-test stubs (WireMock: the lower priority number wins).
        GitHub.Given(Request.Create().WithPath("/user").UsingGet()).AtPriority(100)
            .RespondWith(Response.Create().WithStatusCode(401).WithBodyAsJson(new { message = "Bad credentials" }));
        GitHub.Given(Request.Create().WithPath("/applications/*/token").UsingDelete()).AtPriority(100)
            .RespondWith(Response.Create().WithStatusCode(HttpStatusCode.NoContent));
        Factory = new GatewayFactory(Time)
            .With("Gateway:Apps:github:AuthorizeUrl", GitHub.Urls[0] + "/login/oauth/authorize")
            .With("Gateway:Apps:github:TokenUrl", GitHub.Urls[0] + "/login/oauth/access_token")
            .With("Gateway:Apps:github:ApiBaseUrl", GitHub.Urls[0]);
        configure?.Invoke(Factory);
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 5, 1, 12, 0, 0, TimeSpan.Zero));

    public GatewayFactory Factory { get; }

    public WireMockServer GitHub { get; }

    /// <summary>An OAuth App token for <paramref name="code"/>, and <c>GET /user</c> answering <paramref name="login"/> for it (CONNECTORS.md §1.1).</summary>
    public void GitHubToken(string code, string accessToken, string login, string scope = "repo,gist")
    {
        GitHub.Given(Request.Create().WithPath("/login/oauth/access_token").UsingPost()
                .WithBody((IDictionary<string, string>? f) => f is not null && f.TryGetValue("code", out var c) && c == code))
            .RespondWith(Response.Create().WithStatusCode(200).WithBodyAsJson(new { access_token = accessToken, scope, token_type = "bearer" }));
        GitHub.Given(Request.Create().WithPath("/user").UsingGet().WithHeader("Authorization", "Bearer " + accessToken)).AtPriority(1)
            .RespondWith(Response.Create().WithStatusCode(200).WithBodyAsJson(new { login, id = 1 }));
    }

    public IReadOnlyList<ILogEntry> Requests(string pathPrefix, string method) =>
        GitHub.LogEntries.Where(e => e.RequestMessage.Path.StartsWith(pathPrefix, StringComparison.Ordinal)
            && string.Equals(e.RequestMessage.Method, method, StringComparison.OrdinalIgnoreCase)).ToList();

    /// <summary>Activates an app through <c>POST P/mcp/apps</c> (API.md §4.11) with the platform's admin key.</summary>
    public async Task ActivateAsync(TestPlatform platform, string app, object? settings = null)
    {
        using var admin = Client(platform.AdminKey);
        using var response = await admin.PostAsJsonAsync(platform.Path("/mcp/apps"), new
        {
            app,
            client_id = ClientId,
            client_secret = ClientSecret,
            redirect_base_url = RedirectBaseUrl,
            settings = settings ?? new { },
        }, TestContext.Current.CancellationToken);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    /// <summary>A client to the real socket that shows redirects instead of following them and keeps no cookies.</summary>
    public HttpClient Client(string? key = null)
    {
        var client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false })
        {
            BaseAddress = Factory.BaseAddress,
            Timeout = TestConstants.DefaultTimeout,
        };
        if (key is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return client;
    }

    /// <summary>Authorize with an end-user key (JSON form) and return the state.</summary>
    public async Task<string> StateAsync(string key, string app = "github")
    {
        using var client = Client(key);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/oauth/authorize?app=" + app);
        request.Headers.Accept.ParseAdd("application/json");
        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        return Query(new Uri(doc.RootElement.GetProperty("url").GetString()!))["state"];
    }

    /// <summary>Runs a whole connect with an end-user key and returns the callback's <c>Location</c>.</summary>
    public async Task<Uri> ConnectAsync(string key, string code, string app = "github")
    {
        var state = await StateAsync(key, app);
        using var client = Client();
        using var response = await client.GetAsync($"/oauth/callback?code={code}&state={state}", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return response.Headers.Location!;
    }

    public static Dictionary<string, string> Query(Uri url) =>
        QueryHelpers.ParseQuery(url.Query).ToDictionary(kv => kv.Key, kv => kv.Value.ToString(), StringComparer.Ordinal);

    public async ValueTask DisposeAsync()
    {
        await Factory.DisposeAsync();
        GitHub.Stop();
    }
}
