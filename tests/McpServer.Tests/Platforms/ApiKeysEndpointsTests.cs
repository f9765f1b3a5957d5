using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Assistiv.Tests.Common.Host;

namespace Assistiv.McpServer.Tests.Platforms;

public sealed class ApiKeysEndpointsTests : IDisposable
{
    private readonly GatewayFactory _factory = new();

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task Create_DefaultsToManagementAndInference_AndListShowsNoRawKey()
    {
        var ct = TestContext.Current.CancellationToken;
        var p = await _factory.CreatePlatformAsync();
        using var admin = p.Admin();
        using var created = await admin.PostAsJsonAsync(p.Path("/api-keys"), new { name = "ci" }, ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var key = JsonNode.Parse(await created.Content.ReadAsStringAsync(ct))!;
        // API.md §2.5: platform keys made through the API default to ["management","inference"].
        Assert.Equal(["management", "inference"], key["scopes"]!.AsArray().Select(s => s!.GetValue<string>()));
        Assert.Equal("platform", key["type"]!.GetValue<string>());
        Assert.Null(key["tool_policy"]);
        Assert.Null(key["end_user_id"]);

        var list = await admin.GetStringAsync(p.Path("/api-keys"), ct);
        Assert.DoesNotContain("raw_key", list, StringComparison.Ordinal);
        Assert.Equal(2, JsonNode.Parse(list)!["total"]!.GetValue<int>());
    }

    [Fact]
    public async Task Create_Returns403_WhenManagementKeyMintsPlatformKey()
    {
        var ct = TestContext.Current.CancellationToken;
        var p = await _factory.CreatePlatformAsync();
        using var admin = p.Admin();
        var mgmt = JsonNode.Parse(await (await admin.PostAsJsonAsync(p.Path("/api-keys"), new { scopes = new[] { "management" } }, ct)).Content.ReadAsStringAsync(ct))!;
        using var client = _factory.Client(mgmt["raw_key"]!.GetValue<string>());
        // API.md §4.2: a caller without admin creating a platform key → 403 forbidden.
        await HttpAssert.ErrorAsync(await client.PostAsJsonAsync(p.Path("/api-keys"), new { name = "x" }, ct), 403, "forbidden");
        // ... but may mint an end-user key (management).
        var user = await p.CreateEndUserAsync();
        using var euKey = await client.PostAsJsonAsync(p.Path("/api-keys"), new { end_user_id = user.Id, tool_policy = new { read_only = true } }, ct);
        Assert.Equal(HttpStatusCode.Created, euKey.StatusCode);
        var body = JsonNode.Parse(await euKey.Content.ReadAsStringAsync(ct))!;
        Assert.Equal("end_user", body["type"]!.GetValue<string>());
        Assert.StartsWith("sk-eu_", body["raw_key"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.True(body["tool_policy"]!["read_only"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Create_Returns422_ForToolPolicyWithoutEndUser_AndBadScopes()
    {
        var ct = TestContext.Current.CancellationToken;
        var p = await _factory.CreatePlatformAsync();
        using var admin = p.Admin();
        var e1 = await HttpAssert.ErrorAsync(await admin.PostAsJsonAsync(p.Path("/api-keys"), new { tool_policy = new { read_only = true } }, ct), 422, "validation_error");
        Assert.Equal("tool_policy", e1.GetProperty("param").GetString());
        var e2 = await HttpAssert.ErrorAsync(await admin.PostAsJsonAsync(p.Path("/api-keys"), new { scopes = new[] { "admin", "admin" } }, ct), 422, "validation_error");
        Assert.Equal("scopes", e2.GetProperty("param").GetString());
        await HttpAssert.ErrorAsync(await admin.PostAsJsonAsync(p.Path("/api-keys"), new { expires_at = "2000-01-01T00:00:00Z" }, ct), 422, "validation_error");
    }

    [Fact]
    public async Task Delete_Returns409_ForTheLastAdminKey_And204WhenAlreadyRevoked()
    {
        var ct = TestContext.Current.CancellationToken;
        var p = await _factory.CreatePlatformAsync();
        using var admin = p.Admin();
        var keys = JsonNode.Parse(await admin.GetStringAsync(p.Path("/api-keys"), ct))!["data"]!.AsArray();
        var adminKeyId = keys.Single()!["id"]!.GetValue<string>();
        await HttpAssert.ErrorAsync(await admin.DeleteAsync(p.Path("/api-keys/" + adminKeyId), ct), 409, "conflict");

        var other = JsonNode.Parse(await (await admin.PostAsJsonAsync(p.Path("/api-keys"), new { }, ct)).Content.ReadAsStringAsync(ct))!["id"]!.GetValue<string>();
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync(p.Path("/api-keys/" + other), ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync(p.Path("/api-keys/" + other), ct)).StatusCode);
        await HttpAssert.ErrorAsync(await admin.DeleteAsync(p.Path("/api-keys/not-a-uuid"), ct), 404, "not_found");
    }

    [Fact]
    public async Task Patch_Returns422_ForPlatformKey()
    {
        var ct = TestContext.Current.CancellationToken;
        var p = await _factory.CreatePlatformAsync();
        using var admin = p.Admin();
        var id = JsonNode.Parse(await admin.GetStringAsync(p.Path("/api-keys"), ct))!["data"]![0]!["id"]!.GetValue<string>();
        var e = await HttpAssert.ErrorAsync(await admin.PatchAsJsonAsync(p.Path("/api-keys/" + id), new { tool_policy = (object?)null }, ct), 422, "validation_error");
        Assert.Equal("tool_policy", e.GetProperty("param").GetString());
    }

    [Fact]
    public async Task EndUserKeys_AreCappedAt25_OldestRevoked()
    {
        var ct = TestContext.Current.CancellationToken;
        var p = await _factory.CreatePlatformAsync();
        var user = await p.CreateEndUserAsync();
        using var admin = p.Admin();
        for (var i = 0; i < 25; i++)
        {
            (await admin.PostAsJsonAsync(p.Path("/api-keys"), new { end_user_id = user.Id }, ct)).EnsureSuccessStatusCode();
        }

        // API.md §4.2: capped at 25 active per user; the 26th revokes the oldest (the create key).
        using var first = _factory.Client(user.Key);
        await HttpAssert.ErrorAsync(await first.GetAsync("/v1/me", ct), 401, "key_revoked");
        var active = JsonNode.Parse(await admin.GetStringAsync(p.Path($"/api-keys?end_user_id={user.Id}&is_active=true"), ct))!;
        Assert.Equal(25, active["total"]!.GetValue<int>());
    }
}
