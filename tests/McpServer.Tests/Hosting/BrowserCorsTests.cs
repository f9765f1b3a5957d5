using System.Net;
using Assistiv.Tests.Common.Host;

namespace Assistiv.McpServer.Tests.Hosting;

/// <summary>API.md §1.6: CORS on the browser routes other than <c>/mcp*</c>, and none on management routes.</summary>
public sealed class BrowserCorsTests : IAsyncLifetime
{
    // API.md §1.6, as written there.
    private static readonly string[] s_allowedHeaders =
        ["Authorization", "Content-Type", "Idempotency-Key", "X-Assistiv-Platform-Id", "Mcp-Session-Id", "MCP-Protocol-Version", "Last-Event-ID"];

    // API.md §1.6, with x-ratelimit-* spelled out as §7.4 names them.
    private static readonly string[] s_exposedHeaders =
    [
        "x-request-id", "X-Assistiv-Api-Version", "Retry-After", "x-ratelimit-limit-requests", "x-ratelimit-remaining-requests",
        "x-ratelimit-reset-requests", "x-ratelimit-limit-tokens", "x-ratelimit-remaining-tokens", "x-ratelimit-reset-tokens",
        "x-ratelimit-limit-requests-day", "x-ratelimit-remaining-requests-day", "x-ratelimit-reset-requests-day", "Mcp-Session-Id",
        "x-assistiv-provider",
    ];

    private const string AnyOrigin = "https://some-app.example.net";

    private GatewayFactory _factory = null!;
    private TestPlatform _platform = null!;
    private TestEndUser _user = null!;

    public async ValueTask InitializeAsync()
    {
        _factory = new GatewayFactory();
        _platform = await _factory.CreatePlatformAsync();
        _user = await _platform.CreateEndUserAsync();
    }

    public ValueTask DisposeAsync()
    {
        _factory.Dispose();
        return ValueTask.CompletedTask;
    }

    [Theory]
    [InlineData("/v1/me", "GET")]
    [InlineData("/v1/me/connections/github", "DELETE")]
    [InlineData("/v1/chat/completions", "POST")]
    [InlineData("/v1/responses", "POST")]
    [InlineData("/v1/responses/resp_123", "GET")]
    [InlineData("/v1/models", "GET")]
    [InlineData("/v1/models/gpt-4o-mini", "GET")]
    public async Task Preflight_Answers204WithTheAllowedHeaders_ForAnyOriginWithoutAKey(string path, string method)
    {
        using var client = _factory.Client();
        using var request = Preflight(path, method);
        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal("*", Single(response, "Access-Control-Allow-Origin"));
        Assert.Equal(Set(s_allowedHeaders), Set(List(response, "Access-Control-Allow-Headers")));
        Assert.Contains(method, List(response, "Access-Control-Allow-Methods"));
        // Without credentials (API.md §1.6).
        Assert.False(response.Headers.Contains("Access-Control-Allow-Credentials"));
    }

    [Fact]
    public async Task Get_Me_WithOrigin_AllowsTheOriginAndExposesTheHeaders()
    {
        using var client = _factory.Client(_user.Key);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/me");
        request.Headers.Add("Origin", AnyOrigin);
        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("*", Single(response, "Access-Control-Allow-Origin"));
        Assert.Equal(Set(s_exposedHeaders), Set(List(response, "Access-Control-Expose-Headers")));
    }

    [Fact]
    public async Task Get_Me_WithOriginAndNoKey_StillCarriesCors_SoTheBrowserCanReadThe401()
    {
        using var client = _factory.Client();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/me");
        request.Headers.Add("Origin", AnyOrigin);
        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);

        await HttpAssert.ErrorAsync(response, 401, "missing_api_key");
        Assert.Equal("*", Single(response, "Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task Get_Me_WithoutOrigin_HasNoCorsHeaders()
    {
        using var client = _factory.Client(_user.Key);
        using var response = await client.GetAsync("/v1/me", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        AssertNoCors(response);
    }

    [Fact]
    public async Task ManagementRoute_Preflight_CarriesNoCorsHeaders()
    {
        using var client = _factory.Client();
        using var request = Preflight(_platform.Path(), "GET");
        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        // API.md §1.6: management routes emit no CORS headers (a browser refuses the call).
        Assert.NotEqual(HttpStatusCode.NoContent, response.StatusCode);
        AssertNoCors(response);
    }

    [Fact]
    public async Task ManagementRoute_GetWithOrigin_CarriesNoCorsHeaders()
    {
        using var client = _platform.Admin();
        using var request = new HttpRequestMessage(HttpMethod.Get, _platform.Path());
        request.Headers.Add("Origin", AnyOrigin);
        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        AssertNoCors(response);
    }

    private static HttpRequestMessage Preflight(string path, string method)
    {
        var request = new HttpRequestMessage(HttpMethod.Options, path);
        request.Headers.Add("Origin", AnyOrigin);
        request.Headers.Add("Access-Control-Request-Method", method);
        request.Headers.Add("Access-Control-Request-Headers", "authorization, content-type");
        return request;
    }

    private static void AssertNoCors(HttpResponseMessage response) =>
        Assert.DoesNotContain(response.Headers, h => h.Key.StartsWith("Access-Control-", StringComparison.OrdinalIgnoreCase));

    private static string Single(HttpResponseMessage response, string name) =>
        Assert.Single(response.Headers.TryGetValues(name, out var values) ? values : []);

    private static string[] List(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values)
            ? values.SelectMany(v => v.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)).ToArray()
            : [];

    private static HashSet<string> Set(IEnumerable<string> names) => new(names.Select(n => n.ToLowerInvariant()), StringComparer.Ordinal);
}
