using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Assistiv.Tests.Common.Host;
using Microsoft.Extensions.Time.Testing;

namespace Assistiv.McpServer.Tests.Auth;

public sealed partial class KeyAuthenticationTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 5, 1, 12, 0, 0, TimeSpan.Zero));
    private GatewayFactory _factory = null!;

    public ValueTask InitializeAsync()
    {
        _factory = new GatewayFactory(_time);
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        _factory.Dispose();
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task PlatformRoute_Returns401MissingApiKey_WithPlainChallenge_WhenNoKey()
    {
        var p = await _factory.CreatePlatformAsync();
        using var client = _factory.Client();
        using var response = await client.GetAsync(p.Path(), TestContext.Current.CancellationToken);
        await HttpAssert.ErrorAsync(response, 401, "missing_api_key");
        // API.md §2.4: WWW-Authenticate: Bearer realm="assistiv", never resource_metadata.
        Assert.Equal("Bearer realm=\"assistiv\"", response.Headers.WwwAuthenticate.Single().ToString());
    }

    [Theory]
    [InlineData("sk-plat_123")]
    [InlineData("sk-plat_0000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("not-a-key")]
    public async Task PlatformRoute_Returns401InvalidApiKey_WhenKeyMalformedOrUnknown(string key)
    {
        var p = await _factory.CreatePlatformAsync();
        using var client = _factory.Client(key);
        using var response = await client.GetAsync(p.Path(), TestContext.Current.CancellationToken);
        await HttpAssert.ErrorAsync(response, 401, "invalid_api_key");
    }

    [Theory]
    [InlineData("Basic abc")]
    [InlineData("Bearer ")]
    public async Task PlatformRoute_Returns401MissingApiKey_WhenNotBearerOrEmpty(string header)
    {
        var p = await _factory.CreatePlatformAsync();
        using var client = _factory.Client();
        using var request = new HttpRequestMessage(HttpMethod.Get, p.Path());
        request.Headers.TryAddWithoutValidation("Authorization", header);
        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        await HttpAssert.ErrorAsync(response, 401, "missing_api_key");
    }

    [Fact]
    public async Task Key_IsRejectedAsRevoked_OnTheVeryNextRequest_AfterDelete()
    {
        var p = await _factory.CreatePlatformAsync();
        using var admin = p.Admin();
        using var created = await admin.PostAsJsonAsync(p.Path("/api-keys"), new { name = "second", scopes = new[] { "management" } }, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = await created.Content.ReadFromJsonAsync<Dictionary<string, object>>(TestContext.Current.CancellationToken);
        var raw = body!["raw_key"].ToString()!;
        var id = body["id"].ToString()!;
        using var second = _factory.Client(raw);
        Assert.Equal(HttpStatusCode.OK, (await second.GetAsync(p.Path(), TestContext.Current.CancellationToken)).StatusCode);

        using var revoke = await admin.DeleteAsync(p.Path("/api-keys/" + id), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        using var after = await second.GetAsync(p.Path(), TestContext.Current.CancellationToken);
        await HttpAssert.ErrorAsync(after, 401, "key_revoked");
    }

    [Fact]
    public async Task Key_IsRejectedAsExpired_OnceExpiresAtPasses()
    {
        var p = await _factory.CreatePlatformAsync();
        using var admin = p.Admin();
        var expiresAt = _time.GetUtcNow().AddMinutes(5);
        using var created = await admin.PostAsJsonAsync(p.Path("/api-keys"), new { scopes = new[] { "management" }, expires_at = expiresAt.ToString("O") }, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var raw = (await created.Content.ReadFromJsonAsync<Dictionary<string, object>>(TestContext.Current.CancellationToken))!["raw_key"].ToString()!;
        using var client = _factory.Client(raw);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(p.Path(), TestContext.Current.CancellationToken)).StatusCode);

        _time.Advance(TimeSpan.FromMinutes(5));
        using var after = await client.GetAsync(p.Path(), TestContext.Current.CancellationToken);
        await HttpAssert.ErrorAsync(after, 401, "key_expired");
    }

    [Fact]
    public async Task PlatformKey_Gets403Forbidden_OnAnotherPlatformsPath()
    {
        var a = await _factory.CreatePlatformAsync();
        var b = await _factory.CreatePlatformAsync();
        using var client = a.Admin();
        using var response = await client.GetAsync(b.Path("/end-users"), TestContext.Current.CancellationToken);
        await HttpAssert.ErrorAsync(response, 403, "forbidden");
    }

    [Fact]
    public async Task PlatformKey_Gets403Forbidden_WhenPlatformHeaderDiffers()
    {
        var a = await _factory.CreatePlatformAsync();
        var b = await _factory.CreatePlatformAsync();
        using var client = a.Admin();
        client.DefaultRequestHeaders.Add("X-Assistiv-Platform-Id", b.Id.ToString());
        using var response = await client.GetAsync(a.Path(), TestContext.Current.CancellationToken);
        await HttpAssert.ErrorAsync(response, 403, "forbidden");
    }

    [Fact]
    public async Task EndUserKey_Gets403WrongKeyType_OnPlatformRoute()
    {
        var p = await _factory.CreatePlatformAsync();
        var user = await p.CreateEndUserAsync();
        using var client = _factory.Client(user.Key);
        using var response = await client.GetAsync(p.Path(), TestContext.Current.CancellationToken);
        await HttpAssert.ErrorAsync(response, 403, "wrong_key_type");
    }

    [Fact]
    public async Task PlatformKey_Gets403WrongKeyType_OnMe()
    {
        var p = await _factory.CreatePlatformAsync();
        using var client = p.Admin();
        using var response = await client.GetAsync("/v1/me", TestContext.Current.CancellationToken);
        await HttpAssert.ErrorAsync(response, 403, "wrong_key_type");
    }

    [Fact]
    public async Task EndUserKey_Gets403Forbidden_WhenEndUserDeactivated()
    {
        var p = await _factory.CreatePlatformAsync();
        var user = await p.CreateEndUserAsync();
        using var admin = p.Admin();
        using var patch = await admin.PatchAsJsonAsync(p.Path($"/end-users/{user.Id}"), new { is_active = false }, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, patch.StatusCode);
        using var client = _factory.Client(user.Key);
        using var response = await client.GetAsync("/v1/me", TestContext.Current.CancellationToken);
        await HttpAssert.ErrorAsync(response, 403, "forbidden");
    }

    [Fact]
    public async Task EveryResponse_CarriesRequestIdAndApiVersion()
    {
        using var client = _factory.Client();
        using var response = await client.GetAsync("/healthz", TestContext.Current.CancellationToken);
        // API.md §0.3: req_ + 26-char ULID; X-Assistiv-Api-Version exactly 0.1.0.
        Assert.Matches(RequestIdPattern(), response.Headers.GetValues("x-request-id").Single());
        Assert.Equal("0.1.0", response.Headers.GetValues("X-Assistiv-Api-Version").Single());
    }

    [GeneratedRegex("^req_[0-9A-HJKMNP-TV-Z]{26}$")]
    private static partial Regex RequestIdPattern();
}
