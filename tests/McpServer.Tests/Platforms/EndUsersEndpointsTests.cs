using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Assistiv.Tests.Common.Host;

namespace Assistiv.McpServer.Tests.Platforms;

public sealed class EndUsersEndpointsTests : IDisposable
{
    private readonly GatewayFactory _factory = new();

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task Create_Returns201ThenExistingUserWith200AndAFreshKey_OnRepeat()
    {
        var ct = TestContext.Current.CancellationToken;
        var p = await _factory.CreatePlatformAsync();
        using var admin = p.Admin();
        using var first = await admin.PostAsJsonAsync(p.Path("/end-users"), new { external_id = "user_42", display_name = "Jane" }, ct);
        using var second = await admin.PostAsJsonAsync(p.Path("/end-users"), new { external_id = "user_42", display_name = "ignored" }, ct);
        // API.md §4.4: new external_id → 201; existing → 200 with the existing user and a fresh key.
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        var a = JsonNode.Parse(await first.Content.ReadAsStringAsync(ct))!;
        var b = JsonNode.Parse(await second.Content.ReadAsStringAsync(ct))!;
        Assert.Equal(a["id"]!.GetValue<string>(), b["id"]!.GetValue<string>());
        Assert.Equal("Jane", b["display_name"]!.GetValue<string>());
        Assert.NotEqual(a["api_key"]!["raw_key"]!.GetValue<string>(), b["api_key"]!["raw_key"]!.GetValue<string>());
        Assert.Matches("^sk-eu_[0-9a-f]{64}$", b["api_key"]!["raw_key"]!.GetValue<string>());
        Assert.Equal(["inference"], b["api_key"]!["scopes"]!.AsArray().Select(s => s!.GetValue<string>()));

        // Previous keys stay valid unless rotate_keys (API.md §4.4).
        using var oldKey = _factory.Client(a["api_key"]!["raw_key"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, (await oldKey.GetAsync("/v1/me", ct)).StatusCode);
    }

    [Fact]
    public async Task Create_WithRotateKeys_RevokesTheUsersOtherKeys()
    {
        var ct = TestContext.Current.CancellationToken;
        var p = await _factory.CreatePlatformAsync();
        var user = await p.CreateEndUserAsync("rotating");
        using var admin = p.Admin();
        using var rotated = await admin.PostAsJsonAsync(p.Path("/end-users"), new { external_id = "rotating", rotate_keys = true }, ct);
        Assert.Equal(HttpStatusCode.OK, rotated.StatusCode);
        var fresh = JsonNode.Parse(await rotated.Content.ReadAsStringAsync(ct))!["api_key"]!["raw_key"]!.GetValue<string>();

        using var oldClient = _factory.Client(user.Key);
        await HttpAssert.ErrorAsync(await oldClient.GetAsync("/v1/me", ct), 401, "key_revoked");
        using var newClient = _factory.Client(fresh);
        Assert.Equal(HttpStatusCode.OK, (await newClient.GetAsync("/v1/me", ct)).StatusCode);
    }

    [Fact]
    public async Task Create_Returns409Conflict_WhenExistingUserInactive()
    {
        var ct = TestContext.Current.CancellationToken;
        var p = await _factory.CreatePlatformAsync();
        var user = await p.CreateEndUserAsync("sleepy");
        using var admin = p.Admin();
        (await admin.PatchAsJsonAsync(p.Path($"/end-users/{user.Id}"), new { is_active = false }, ct)).EnsureSuccessStatusCode();
        using var again = await admin.PostAsJsonAsync(p.Path("/end-users"), new { external_id = "sleepy" }, ct);
        var error = await HttpAssert.ErrorAsync(again, 409, "conflict");
        Assert.Equal("external_id", error.GetProperty("param").GetString());
    }

    [Fact]
    public async Task Delete_RevokesKeysAndFreesExternalId_AndSecondDeleteIs404()
    {
        var ct = TestContext.Current.CancellationToken;
        var p = await _factory.CreatePlatformAsync();
        var user = await p.CreateEndUserAsync("leaving");
        using var admin = p.Admin();
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync(p.Path($"/end-users/{user.Id}"), ct)).StatusCode);
        using var keyClient = _factory.Client(user.Key);
        await HttpAssert.ErrorAsync(await keyClient.GetAsync("/v1/me", ct), 401, "key_revoked");
        await HttpAssert.ErrorAsync(await admin.DeleteAsync(p.Path($"/end-users/{user.Id}"), ct), 404, "not_found");
        await HttpAssert.ErrorAsync(await admin.GetAsync(p.Path($"/end-users/{user.Id}"), ct), 404, "not_found");

        // A later create with the same external_id makes a new user (201).
        using var recreated = await admin.PostAsJsonAsync(p.Path("/end-users"), new { external_id = "leaving" }, ct);
        Assert.Equal(HttpStatusCode.Created, recreated.StatusCode);
        Assert.NotEqual(user.Id.ToString(), JsonNode.Parse(await recreated.Content.ReadAsStringAsync(ct))!["id"]!.GetValue<string>());
    }

    [Fact]
    public async Task List_FiltersByExternalIdAndQAlias_AndUnknownIsEmpty()
    {
        var ct = TestContext.Current.CancellationToken;
        var p = await _factory.CreatePlatformAsync();
        await p.CreateEndUserAsync("alpha");
        await p.CreateEndUserAsync("beta");
        using var admin = p.Admin();
        var byId = JsonNode.Parse(await admin.GetStringAsync(p.Path("/end-users?external_id=alpha"), ct))!;
        Assert.Equal(1, byId["total"]!.GetValue<int>());
        Assert.Equal("alpha", byId["data"]![0]!["external_id"]!.GetValue<string>());
        var byQ = JsonNode.Parse(await admin.GetStringAsync(p.Path("/end-users?q=beta"), ct))!;
        Assert.Equal("beta", byQ["data"]![0]!["external_id"]!.GetValue<string>());
        var none = JsonNode.Parse(await admin.GetStringAsync(p.Path("/end-users?external_id=nobody"), ct))!;
        // API.md §4.4: not found → 200 with empty data; §0.2 envelope fields.
        Assert.Empty(none["data"]!.AsArray());
        Assert.Equal(0, none["total"]!.GetValue<int>());
        Assert.Equal(1, none["page"]!.GetValue<int>());
        Assert.Equal(20, none["limit"]!.GetValue<int>());
        Assert.False(none["has_more"]!.GetValue<bool>());
        await HttpAssert.ErrorAsync(await admin.GetAsync(p.Path("/end-users?limit=101"), ct), 422, "validation_error");
    }

    [Fact]
    public async Task Patch_RejectsExternalIdChange_AndReplacesMetadata()
    {
        var ct = TestContext.Current.CancellationToken;
        var p = await _factory.CreatePlatformAsync();
        var user = await p.CreateEndUserAsync("fixed");
        using var admin = p.Admin();
        await HttpAssert.ErrorAsync(await admin.PatchAsJsonAsync(p.Path($"/end-users/{user.Id}"), new { external_id = "other" }, ct), 422, "validation_error");
        using var ok = await admin.PatchAsJsonAsync(p.Path($"/end-users/{user.Id}"), new { metadata = new { plan = "pro" }, display_name = (string?)null }, ct);
        var body = JsonNode.Parse(await ok.Content.ReadAsStringAsync(ct))!;
        Assert.Equal("pro", body["metadata"]!["plan"]!.GetValue<string>());
        Assert.Null(body["display_name"]);
    }

    [Fact]
    public async Task OtherPlatformsEndUser_Is404_NeverForbidden()
    {
        var ct = TestContext.Current.CancellationToken;
        var a = await _factory.CreatePlatformAsync();
        var b = await _factory.CreatePlatformAsync();
        var foreign = await b.CreateEndUserAsync();
        using var admin = a.Admin();
        // API.md §2.6: ids resolve within the key's platform; another platform's resource is 404, never 403.
        await HttpAssert.ErrorAsync(await admin.GetAsync(a.Path($"/end-users/{foreign.Id}"), ct), 404, "not_found");
    }
}
