using System.Net;
using System.Text.Json.Nodes;
using Assistiv.McpServer.Tests.OAuth;
using Assistiv.Tests.Common.Host;
using Assistiv.Tests.Mcp;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Assistiv.McpServer.Tests.Observability;

/// <summary><c>GET /metrics</c> (API.md §1.5, §2.8 row 46): families, labels and counts, and the access rules.</summary>
public sealed class MetricsEndpointTests
{
    [Fact]
    public async Task Metrics_CountsRequestsByRoutePattern_AndToolCallsByResult()
    {
        using var factory = new GatewayFactory();
        FakeOAuthSeams.Install(factory); // mock is connected for every user
        var platform = await factory.CreatePlatformAsync();
        await platform.ActivateAppsAsync("mock");
        var user = await platform.CreateEndUserAsync();
        var ct = TestContext.Current.CancellationToken;

        using (var anonymous = factory.Client())
        {
            (await anonymous.GetAsync("/healthz", ct)).Dispose();
            (await anonymous.GetAsync("/healthz", ct)).Dispose();
            (await anonymous.GetAsync("/no/such/route?secret=1", ct)).Dispose();
        }

        using (var admin = platform.Admin())
        {
            (await admin.GetAsync(platform.Path(), ct)).Dispose();
            (await admin.GetAsync(platform.Path($"/end-users/{user.Id}?x=y"), ct)).Dispose();
        }

        using (var client = factory.Client(user.Key))
        {
            using var ok = await client.SendAsync(McpHttp.Post("/mcp", McpHttp.Request("tools/call", new JsonObject
            {
                ["name"] = "mock_echo",
                ["arguments"] = new JsonObject { ["text"] = "hi" },
            }), "2025-06-18"), ct);
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
            using var failed = await client.SendAsync(McpHttp.Post("/mcp", McpHttp.Request("tools/call", new JsonObject
            {
                ["name"] = "mock_echo",
                ["arguments"] = new JsonObject { ["unknown"] = 1 },
            }), "2025-06-18"), ct);
            Assert.Equal(HttpStatusCode.OK, failed.StatusCode);
        }

        var metrics = await ScrapeAsync(factory);

        // API.md §1.5: the families and their types; "A family appears once the feature that feeds it exists".
        Assert.Equal("counter", metrics.Types["gateway_http_requests_total"]);
        Assert.Equal("histogram", metrics.Types["gateway_http_request_duration_seconds"]);
        Assert.Equal("counter", metrics.Types["gateway_mcp_tool_calls_total"]);
        Assert.DoesNotContain(metrics.Types.Keys, k => k.StartsWith("gateway_inference", StringComparison.Ordinal)
            || k.StartsWith("gateway_webhook", StringComparison.Ordinal) || k.StartsWith("gateway_spend", StringComparison.Ordinal));

        // route = the endpoint's route pattern, never the raw path.
        Assert.Equal(2, metrics.Value("gateway_http_requests_total", ("route", "/healthz"), ("method", "GET"), ("status", "200")));
        Assert.Equal(1, metrics.Value("gateway_http_requests_total", ("route", "/v1/platforms/{platformId}"), ("method", "GET"), ("status", "200")));
        Assert.Equal(1, metrics.Value("gateway_http_requests_total", ("route", "/v1/platforms/{platformId}/end-users/{endUserId}"), ("method", "GET"), ("status", "200")));
        Assert.Equal(2, metrics.Value("gateway_http_requests_total", ("route", "/mcp"), ("method", "POST"), ("status", "200")));
        Assert.Equal(1, metrics.Value("gateway_http_requests_total", ("route", "unmatched"), ("method", "GET"), ("status", "404")));
        Assert.Equal(2, metrics.Value("gateway_http_request_duration_seconds_count", ("route", "/healthz"), ("method", "GET"), ("status", "200")));
        Assert.Equal(2, metrics.Value("gateway_http_request_duration_seconds_bucket", ("route", "/healthz"), ("method", "GET"), ("status", "200"), ("le", "+Inf")));

        // API.md §8.5: one count per call of a known tool, result = success or the bracketed code.
        Assert.Equal(1, metrics.Value("gateway_mcp_tool_calls_total", ("app", "mock"), ("result", "success")));
        Assert.Equal(1, metrics.Value("gateway_mcp_tool_calls_total", ("app", "mock"), ("result", "invalid_arguments")));

        // Never a key, token, id or query string.
        foreach (var secret in new[] { platform.Id.ToString(), user.Id.ToString(), user.Key, platform.AdminKey, "secret", "x=y", "/no/such" })
        {
            Assert.DoesNotContain(secret, metrics.Text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Metrics_AnswersInTextFormat004()
    {
        using var factory = new GatewayFactory();
        using var client = factory.Client();
        (await client.GetAsync("/healthz", TestContext.Current.CancellationToken)).Dispose();
        using var response = await client.GetAsync("/metrics", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        // API.md §1.5: Prometheus text format 0.0.4.
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(response.Content.Headers.ContentType!.Parameters, p => p.Name == "version" && p.Value == "0.0.4");
        Assert.NotNull(response.Headers.GetValues("x-request-id").Single());
    }

    [Fact]
    public async Task Metrics_CountsOAuthRefreshes()
    {
        await using var host = new OAuthHost();
        var platform = await host.Factory.CreatePlatformAsync();
        await host.ActivateAsync(platform, "mock");
        var user = await platform.CreateEndUserAsync();
        await host.ConnectAsync(user.Key, "mock-code", "mock");
        // API.md §9.3: mock access tokens live 1 h; §9.5: refreshed RefreshSkewSeconds (300) before expiry.
        host.Time.Advance(TimeSpan.FromMinutes(56));

        using var client = host.Factory.Client(user.Key);
        using var call = await client.SendAsync(McpHttp.Post("/mcp", McpHttp.Request("tools/call", new JsonObject
        {
            ["name"] = "mock_echo",
            ["arguments"] = new JsonObject { ["text"] = "hi" },
        }), "2025-06-18"), TestContext.Current.CancellationToken);
        Assert.NotEqual(true, (await McpHttp.ResultAsync(call))["isError"]?.GetValue<bool>());

        var metrics = await ScrapeAsync(host.Factory);
        Assert.Equal("counter", metrics.Types["gateway_oauth_refresh_total"]);
        Assert.Equal(1, metrics.Value("gateway_oauth_refresh_total", ("app", "mock"), ("result", "success")));
        Assert.Equal(1, metrics.Value("gateway_mcp_tool_calls_total", ("app", "mock"), ("result", "success")));
    }

    [Fact]
    public async Task Metrics_WithToken_RequiresExactlyThatBearer()
    {
        using var factory = new GatewayFactory().With("Gateway:Metrics:BearerToken", "scrape-token-1");
        var platform = await factory.CreatePlatformAsync();
        var user = await platform.CreateEndUserAsync();
        var ct = TestContext.Current.CancellationToken;

        using (var ok = await factory.Client("scrape-token-1").GetAsync("/metrics", ct))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        // API.md §2.8 row 46: anything but that token (gateway keys, no header) → 401 invalid_api_key.
        foreach (var key in new string?[] { null, "scrape-token-2", "scrape-token-1x", platform.AdminKey, user.Key })
        {
            using var response = await factory.Client(key).GetAsync("/metrics", ct);
            await HttpAssert.ErrorAsync(response, 401, "invalid_api_key");
        }
    }

    [Fact]
    public async Task Metrics_WithoutToken_IsNotFound_ForNonLoopbackClients()
    {
        using var factory = new GatewayFactory();
        factory.ConfigureTestServices = services => services.AddSingleton<IStartupFilter>(new RemoteAddressFilter(IPAddress.Parse("203.0.113.7")));
        var platform = await factory.CreatePlatformAsync();
        using var response = await factory.Client(platform.AdminKey).GetAsync("/metrics", TestContext.Current.CancellationToken);
        // API.md §1.5: unset token → only loopback clients; others 404 whatever they send.
        await HttpAssert.ErrorAsync(response, 404, "not_found");
    }

    [Fact]
    public async Task Metrics_OtherMethods_AreNotAllowed()
    {
        using var factory = new GatewayFactory();
        using var response = await factory.Client().PostAsync("/metrics", new StringContent(""), TestContext.Current.CancellationToken);
        await HttpAssert.ErrorAsync(response, 405, "method_not_allowed");
    }

    [Fact]
    public async Task Metrics_CountOnlyThisHostsMeters_WithTwoHostsInOneProcess()
    {
        using var other = new GatewayFactory();
        using var factory = new GatewayFactory();
        using (var client = other.Client())
        {
            for (var i = 0; i < 3; i++)
            {
                (await client.GetAsync("/healthz", TestContext.Current.CancellationToken)).Dispose();
            }
        }

        (await factory.Client().GetAsync("/healthz", TestContext.Current.CancellationToken)).Dispose();
        var metrics = await ScrapeAsync(factory);
        Assert.Equal(1, metrics.Value("gateway_http_requests_total", ("route", "/healthz"), ("method", "GET"), ("status", "200")));
    }

    internal static async Task<PrometheusText> ScrapeAsync(GatewayFactory factory)
    {
        using var client = factory.Client();
        using var response = await client.GetAsync("/metrics", TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return PrometheusText.Parse(text);
    }

    /// <summary>Makes every request look as if it came from <paramref name="address"/> (a client that is not on loopback).</summary>
    private sealed class RemoteAddressFilter(IPAddress address) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((HttpContext context, RequestDelegate inner) =>
            {
                context.Connection.RemoteIpAddress = address;
                return inner(context);
            });
            next(app);
        };
    }
}
