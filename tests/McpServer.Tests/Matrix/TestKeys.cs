using Assistiv.Tests.Common.Host;

namespace Assistiv.McpServer.Tests.Matrix;

internal static class TestKeys
{
    /// <summary>Mints a platform key with <paramref name="scopes"/> over HTTP (API.md §4.2) and returns its raw key and id.</summary>
    public static async Task<(string Raw, string Id)> CreatePlatformKeyAsync(this TestPlatform platform, string scopesJson, string? expiresAt = null)
    {
        using var admin = platform.Admin();
        var body = expiresAt is null ? $$"""{"scopes":{{scopesJson}}}""" : $$"""{"scopes":{{scopesJson}},"expires_at":"{{expiresAt}}"}""";
        var r = await admin.PostJsonAsync(platform.Path("/api-keys"), body);
        r.AssertStatus(201);
        return (r.Json["raw_key"]!.GetValue<string>(), r.Json["id"]!.GetValue<string>());
    }
}
