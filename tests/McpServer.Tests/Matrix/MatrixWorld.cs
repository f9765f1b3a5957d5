using System.Collections.Concurrent;
using Assistiv.Tests.Common.Host;

namespace Assistiv.McpServer.Tests.Matrix;

/// <summary>
/// The callers of the route × key matrix (API.md §2.8), made once per host: platform A (own) with an end user and
/// keys of every kind, and platform B (other) with its own key and end user.
/// </summary>
internal sealed class MatrixWorld
{
    private static readonly ConcurrentDictionary<HostFixture, Lazy<Task<MatrixWorld>>> s_worlds = new();

    private MatrixWorld(GatewayFactory factory, TestPlatform own, TestPlatform other)
    {
        Factory = factory;
        Own = own;
        Other = other;
    }

    public GatewayFactory Factory { get; }

    public TestPlatform Own { get; }

    public TestPlatform Other { get; }

    public TestEndUser OwnUser { get; private set; } = null!;

    public string OwnUserKeyId { get; private set; } = "";

    public TestEndUser OtherUser { get; private set; } = null!;

    /// <summary>An end user of A whose keys the key-minting rows use, so the callers' keys never hit the 25-key cap.</summary>
    public TestEndUser KeyFarmUser { get; private set; } = null!;

    /// <summary>The key of an end user of A with <c>is_active=false</c>.</summary>
    public string InactiveUserKey { get; private set; } = "";

    /// <summary>The same on B.</summary>
    public TestEndUser OtherKeyFarmUser { get; private set; } = null!;

    public Dictionary<Caller, string> PlatformKeys { get; } = [];

    public Dictionary<Caller, string> EndUserKeys { get; } = [];

    /// <summary>A key with <c>["management","inference"]</c> (lacks <c>admin</c>).</summary>
    public string ManagementKey { get; private set; } = "";

    /// <summary>A key with <c>["inference"]</c> (lacks <c>management</c>).</summary>
    public string InferenceKey { get; private set; } = "";

    public static Task<MatrixWorld> GetAsync(HostFixture host) =>
        s_worlds.GetOrAdd(host, h => new Lazy<Task<MatrixWorld>>(() => CreateAsync(h))).Value;

    public async Task<TestEndUser> NewEndUserAsync() => await Own.CreateEndUserAsync();

    private static async Task<MatrixWorld> CreateAsync(HostFixture host)
    {
        var factory = host.Factory;
        var world = new MatrixWorld(factory, await factory.CreatePlatformAsync("Matrix own"), await factory.CreatePlatformAsync("Matrix other"));
        world.OwnUser = await world.Own.CreateEndUserAsync("matrix-own");
        world.OtherUser = await world.Other.CreateEndUserAsync("matrix-other");
        world.KeyFarmUser = await world.Own.CreateEndUserAsync("matrix-key-farm");
        world.OtherKeyFarmUser = await world.Other.CreateEndUserAsync("matrix-other-key-farm");
        using var admin = world.Own.Admin();
        // Budget rows (14–16, 26, 37) read the own user's budget; the other user's key reads its own /v1/me/budget.
        (await admin.PostJsonAsync(world.Own.Path($"/end-users/{world.OwnUser.Id}/budget"), """{"max_usd":100}""")).AssertStatus(201);
        using (var otherAdmin = world.Other.Admin())
        {
            (await otherAdmin.PostJsonAsync(world.Other.Path($"/end-users/{world.OtherUser.Id}/budget"), """{"max_usd":100}""")).AssertStatus(201);
        }

        // Rows 27, 31, 38, 41 and 43 name GitHub, which must be activated for the platform (§4.11, §8.1, §9.1).
        var github = await admin.PostJsonAsync(world.Own.Path("/mcp/apps"), """{"app":"github","client_id":"Iv1.matrix","client_secret":"matrix-secret","redirect_base_url":"https://app.example.com"}""");
        Assert.True(github.Status is 200 or 201, github.Body);
        using (var otherAdmin = world.Other.Admin())
        {
            var otherGithub = await otherAdmin.PostJsonAsync(world.Other.Path("/mcp/apps"), """{"app":"github","client_id":"Iv1.other","client_secret":"other-secret","redirect_base_url":"https://other.example.com"}""");
            Assert.True(otherGithub.Status is 200 or 201, otherGithub.Body);
        }

        var inactive = await world.Own.CreateEndUserAsync("matrix-inactive");
        (await admin.PatchJsonAsync(world.Own.Path($"/end-users/{inactive.Id}"), """{"is_active":false}""")).AssertStatus(200);
        world.InactiveUserKey = inactive.Key;
        var keys = await admin.GetJsonAsync(world.Own.Path($"/api-keys?type=end_user&end_user_id={world.OwnUser.Id}"));
        world.OwnUserKeyId = keys.Json["data"]![0]!["id"]!.GetValue<string>();
        world.ManagementKey = (await world.Own.CreatePlatformKeyAsync("""["management","inference"]""")).Raw;
        world.InferenceKey = (await world.Own.CreatePlatformKeyAsync("""["inference"]""")).Raw;

        var expiresAt = host.Time.GetUtcNow().AddSeconds(90).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'");
        var (revokedPlat, revokedPlatId) = await world.Own.CreatePlatformKeyAsync("""["management","inference"]""");
        (await admin.DeleteJsonAsync(world.Own.Path($"/api-keys/{revokedPlatId}"))).AssertStatus(204);
        var (expiredPlat, _) = await world.Own.CreatePlatformKeyAsync("""["admin","management","inference"]""", expiresAt);
        var revokedEu = await admin.PostJsonAsync(world.Own.Path("/api-keys"), $$"""{"end_user_id":"{{world.OwnUser.Id}}"}""");
        (await admin.DeleteJsonAsync(world.Own.Path($"/api-keys/{revokedEu.Json["id"]!.GetValue<string>()}"))).AssertStatus(204);
        var expiredEu = await admin.PostJsonAsync(world.Own.Path("/api-keys"), $$"""{"end_user_id":"{{world.OwnUser.Id}}","expires_at":"{{expiresAt}}"}""");
        expiredEu.AssertStatus(201);
        // API.md §2.2: expires_at ≤ now → key_expired.
        host.Time.Advance(TimeSpan.FromMinutes(2));

        world.PlatformKeys[Caller.Malformed] = "sk-plat_123";
        world.PlatformKeys[Caller.Unknown] = "sk-plat_" + new string('0', 64);
        world.PlatformKeys[Caller.Revoked] = revokedPlat;
        world.PlatformKeys[Caller.Expired] = expiredPlat;
        world.EndUserKeys[Caller.Malformed] = "sk-eu_xyz";
        world.EndUserKeys[Caller.Unknown] = "sk-eu_" + new string('0', 64);
        world.EndUserKeys[Caller.Revoked] = revokedEu.Json["raw_key"]!.GetValue<string>();
        world.EndUserKeys[Caller.Expired] = expiredEu.Json["raw_key"]!.GetValue<string>();
        return world;
    }
}

/// <summary>The key kinds every matrix row is tried with (API.md §2.8 and its notes).</summary>
public enum Caller
{
    NoKey,
    Malformed,
    Unknown,
    Revoked,
    Expired,
    OwnPlatformKey,
    OtherPlatformKey,
    OwnEndUserKey,
    OtherEndUserKey,
    PlatformKeyWithoutScope,
}
