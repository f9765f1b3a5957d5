using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Assistiv.Tests.Common.Host;
using Assistiv.Tests.Mcp;

namespace Assistiv.McpServer.Tests.Mcp;

/// <summary>API.md §2.4, §2.8 rows 41–42 and §8.2 on <c>/mcp*</c>: 401s with plain bodies, 403s, stateless 405.</summary>
public sealed class McpAuthTests(McpHostFixture host) : IClassFixture<McpHostFixture>
{
    [Theory]
    [InlineData("/mcp")]
    [InlineData("/mcp/mock")]
    public async Task Post_Returns401MissingApiKey_WithPlainChallenge_WhenNoKey(string path)
    {
        using var client = host.Factory.Client();
        using var response = await client.SendAsync(McpHttp.Post(path, McpHttp.Initialize()), TestContext.Current.CancellationToken);
        var error = await HttpAssert.ErrorAsync(response, 401, "missing_api_key");
        // API.md §2.4: a plain Bearer challenge without resource_metadata; the body names the key problem in plain words.
        Assert.Equal("Bearer realm=\"assistiv\"", response.Headers.WwwAuthenticate.Single().ToString());
        Assert.Contains("API key missing", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("sk-eu_0000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("sk-eu_short")]
    [InlineData("garbage")]
    public async Task Post_Returns401InvalidApiKey_WhenKeyUnknownOrMalformed(string key)
    {
        using var client = host.Factory.Client(key);
        using var response = await client.SendAsync(McpHttp.Post("/mcp", McpHttp.Initialize()), TestContext.Current.CancellationToken);
        var error = await HttpAssert.ErrorAsync(response, 401, "invalid_api_key");
        Assert.Equal("Bearer realm=\"assistiv\"", response.Headers.WwwAuthenticate.Single().ToString());
        Assert.Contains("API key invalid", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Post_Returns401KeyRevoked_AfterKeyDeleted()
    {
        var (platform, user) = await host.UserAsync("mock");
        using var admin = platform.Admin();
        using var keys = await admin.GetAsync(platform.Path("/api-keys?end_user_id=" + user.Id), TestContext.Current.CancellationToken);
        var keyId = JsonNode.Parse(await keys.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!["data"]![0]!["id"]!.GetValue<string>();
        using var revoke = await admin.DeleteAsync(platform.Path("/api-keys/" + keyId), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);

        using var client = host.Factory.Client(user.Key);
        using var response = await client.SendAsync(McpHttp.Post("/mcp", McpHttp.Initialize()), TestContext.Current.CancellationToken);
        var error = await HttpAssert.ErrorAsync(response, 401, "key_revoked");
        Assert.Equal("Bearer realm=\"assistiv\"", response.Headers.WwwAuthenticate.Single().ToString());
        Assert.Contains("API key revoked", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Post_Returns401KeyExpired_AfterExpiry()
    {
        var (platform, user) = await host.UserAsync("mock");
        using var admin = platform.Admin();
        var expires = host.Time.GetUtcNow().AddMinutes(5).ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture);
        using var created = await admin.PostAsJsonAsync(platform.Path("/api-keys"),
            new { name = "short", end_user_id = user.Id, scopes = new[] { "inference" }, expires_at = expires }, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var raw = JsonNode.Parse(await created.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!["raw_key"]!.GetValue<string>();

        using var client = host.Factory.Client(raw);
        using (var before = await client.SendAsync(McpHttp.Post("/mcp", McpHttp.Initialize()), TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }

        // The fixture's clock is shared; a new key of a later test expires after this one anyway.
        host.Time.Advance(TimeSpan.FromMinutes(6));
        using var response = await client.SendAsync(McpHttp.Post("/mcp", McpHttp.Initialize()), TestContext.Current.CancellationToken);
        var error = await HttpAssert.ErrorAsync(response, 401, "key_expired");
        Assert.Equal("Bearer realm=\"assistiv\"", response.Headers.WwwAuthenticate.Single().ToString());
        Assert.Contains("API key expired", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Post_Returns403WrongKeyType_ForPlatformKey()
    {
        var platform = await host.Factory.CreatePlatformAsync();
        using var client = platform.Admin();
        using var response = await client.SendAsync(McpHttp.Post("/mcp", McpHttp.Initialize()), TestContext.Current.CancellationToken);
        // API.md §2.8 row 41: sk-plat_ → 403 wrong_key_type.
        await HttpAssert.ErrorAsync(response, 403, "wrong_key_type");
    }

    [Fact]
    public async Task Post_Returns403Forbidden_WhenEndUserInactive()
    {
        var (platform, user) = await host.UserAsync("mock");
        using var admin = platform.Admin();
        using var patch = await admin.PatchAsJsonAsync(platform.Path("/end-users/" + user.Id), new { is_active = false }, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, patch.StatusCode);

        using var client = host.Factory.Client(user.Key);
        using var response = await client.SendAsync(McpHttp.Post("/mcp", McpHttp.Initialize()), TestContext.Current.CancellationToken);
        // API.md §2.8: an inactive end user's key → 403 forbidden.
        await HttpAssert.ErrorAsync(response, 403, "forbidden");
    }

    [Theory]
    [InlineData("GET", "/mcp", null)]
    [InlineData("DELETE", "/mcp", null)]
    [InlineData("GET", "/mcp/mock", null)]
    [InlineData("DELETE", "/mcp/github", null)]
    [InlineData("GET", "/mcp", "sk-eu_0000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("DELETE", "/mcp", "garbage")]
    public async Task GetAndDelete_Return405WithAllowPost_BeforeAuthentication(string method, string path, string? key)
    {
        using var client = host.Factory.Client(key);
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        request.Header("Accept", "text/event-stream");
        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        // API.md §2.8 row 42 / §8.2: stateless GET and DELETE → 405 method_not_allowed with Allow: POST, whatever the key.
        await HttpAssert.ErrorAsync(response, 405, "method_not_allowed");
        Assert.Equal("POST", string.Join(",", response.Content.Headers.Allow));
    }

    [Fact]
    public async Task Get_Returns405_ForPlatformKeyToo()
    {
        var platform = await host.Factory.CreatePlatformAsync();
        using var client = platform.Admin();
        using var response = await client.GetAsync("/mcp", TestContext.Current.CancellationToken);
        await HttpAssert.ErrorAsync(response, 405, "method_not_allowed");
    }
}
