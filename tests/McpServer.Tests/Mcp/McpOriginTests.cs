using System.Net;
using Assistiv.Tests.Common.Host;
using Assistiv.Tests.Mcp;

namespace Assistiv.McpServer.Tests.Mcp;

/// <summary>API.md §8.2 Origin (DNS rebinding) rule and §1.6 CORS on <c>/mcp*</c>.</summary>
public sealed class McpOriginTests(McpHostFixture host) : IClassFixture<McpHostFixture>
{
    [Theory]
    [InlineData("http://evil.example.com")]
    [InlineData("null")]
    [InlineData("https://gw.example.com:8443")]
    [InlineData("http://gw.example.com")]
    [InlineData("https://localhost:3000")]
    [InlineData("not an origin")]
    public async Task Post_Returns403Forbidden_WhenOriginNotAllowed_EvenWithValidKey(string origin)
    {
        var (_, user) = await host.UserAsync("mock");
        using var client = host.Factory.Client(user.Key);
        using var request = McpHttp.Post("/mcp", McpHttp.Initialize());
        request.Header("Origin", origin);
        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        // API.md §8.2: 403 forbidden with the error envelope, with or without a key.
        await HttpAssert.ErrorAsync(response, 403, "forbidden");
    }

    [Theory]
    [InlineData("POST")]
    [InlineData("GET")]
    [InlineData("DELETE")]
    [InlineData("OPTIONS")]
    public async Task AnyMethod_Returns403BeforeAuthentication_WhenOriginRefused(string method)
    {
        using var client = host.Factory.Client("sk-eu_not-a-real-key");
        using var request = new HttpRequestMessage(new HttpMethod(method), "/mcp");
        request.Header("Origin", "http://evil.example.com");
        if (method == "OPTIONS")
        {
            request.Header("Access-Control-Request-Method", "POST");
        }

        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        // API.md §2.6: Origin is checked first on /mcp*, before 401 and before the stateless 405.
        await HttpAssert.ErrorAsync(response, 403, "forbidden");
    }

    [Fact]
    public async Task Post_Returns403_WhenOriginRefusedAndNoKey()
    {
        using var client = host.Factory.Client();
        using var request = McpHttp.Post("/mcp/mock", McpHttp.Initialize());
        request.Header("Origin", "http://evil.example.com");
        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        await HttpAssert.ErrorAsync(response, 403, "forbidden");
    }

    [Theory]
    [InlineData("http://localhost:5173")]
    [InlineData("http://localhost:1")]
    [InlineData("http://127.0.0.1:8080")]
    [InlineData("http://127.0.0.1:65000")]
    [InlineData("http://[::1]:3000")]
    [InlineData("https://gw.example.com")]
    [InlineData("https://gw.example.com:443")]
    [InlineData("https://app.example.com")]
    [InlineData("HTTPS://APP.EXAMPLE.COM")]
    public async Task Post_IsServed_WhenOriginIsLoopbackPublicBaseUrlOrAllowed(string origin)
    {
        var (_, user) = await host.UserAsync("mock");
        using var client = host.Factory.Client(user.Key);
        using var request = McpHttp.Post("/mcp", McpHttp.Initialize());
        request.Header("Origin", origin);
        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.NotNull((await McpHttp.ResultAsync(response))["serverInfo"]);
        // API.md §1.6: responses to allowed origins carry CORS headers, without credentials.
        Assert.Equal(origin, response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Contains("x-request-id", response.Headers.GetValues("Access-Control-Expose-Headers").Single(), StringComparison.OrdinalIgnoreCase);
        Assert.False(response.Headers.Contains("Access-Control-Allow-Credentials"));
    }

    [Fact]
    public async Task Post_IsServed_WhenNoOrigin()
    {
        var (_, user) = await host.UserAsync("mock");
        using var client = host.Factory.Client(user.Key);
        using var response = await client.SendAsync(McpHttp.Post("/mcp", McpHttp.Initialize()), TestContext.Current.CancellationToken);
        // API.md §8.2: requests without Origin (native clients) pass.
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task Preflight_IsAnsweredWithoutKey_ForAllowedOrigin()
    {
        using var client = host.Factory.Client();
        using var request = new HttpRequestMessage(HttpMethod.Options, "/mcp");
        request.Header("Origin", "http://localhost:5173");
        request.Header("Access-Control-Request-Method", "POST");
        request.Header("Access-Control-Request-Headers", "authorization, content-type, mcp-protocol-version");
        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        Assert.True(response.IsSuccessStatusCode, $"got {(int)response.StatusCode}");
        Assert.Equal("http://localhost:5173", response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        var allowed = response.Headers.GetValues("Access-Control-Allow-Headers").Single();
        // API.md §1.6: the allowed request headers.
        foreach (var name in new[] { "Authorization", "Content-Type", "Idempotency-Key", "X-Assistiv-Platform-Id", "Mcp-Session-Id", "MCP-Protocol-Version", "Last-Event-ID" })
        {
            Assert.Contains(name, allowed, StringComparison.OrdinalIgnoreCase);
        }

        Assert.Contains("POST", response.Headers.GetValues("Access-Control-Allow-Methods").Single(), StringComparison.Ordinal);
        Assert.False(response.Headers.Contains("Access-Control-Allow-Credentials"));
    }

    [Fact]
    public async Task Preflight_Returns403_ForRefusedOrigin()
    {
        using var client = host.Factory.Client();
        using var request = new HttpRequestMessage(HttpMethod.Options, "/mcp/mock");
        request.Header("Origin", "https://evil.example.com");
        request.Header("Access-Control-Request-Method", "POST");
        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        await HttpAssert.ErrorAsync(response, 403, "forbidden");
        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task OtherRoutes_IgnoreOrigin()
    {
        using var client = host.Factory.Client();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/healthz");
        request.Header("Origin", "http://evil.example.com");
        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
