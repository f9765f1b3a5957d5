using System.Net.Http.Json;
using System.Text.Json;
using Assistiv.Tests.Common.Host;

namespace Assistiv.McpServer.Tests.OAuth;

/// <summary>
/// API.md §2.8, the rows of the OAuth and connection routes, kept as data (one entry per row and key kind). "Allowed"
/// cells are checked as "passes the key checks": the status the route answers for this empty platform.
/// </summary>
public sealed class OAuthRouteMatrixTests : IAsyncLifetime
{
    private OAuthHost _host = null!;
    private TestPlatform _platform = null!;
    private TestEndUser _user = null!;
    private string _inferenceOnlyKey = null!;

    public async ValueTask InitializeAsync()
    {
        _host = new OAuthHost();
        _platform = await _host.Factory.CreatePlatformAsync();
        _user = await _platform.CreateEndUserAsync();
        await _host.ActivateAsync(_platform, "github");
        using var admin = _host.Client(_platform.AdminKey);
        using var created = await admin.PostAsJsonAsync(_platform.Path("/api-keys"), new { name = "inference only", scopes = new[] { "inference" } },
            TestContext.Current.CancellationToken);
        created.EnsureSuccessStatusCode();
        using var doc = JsonDocument.Parse(await created.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        _inferenceOnlyKey = doc.RootElement.GetProperty("raw_key").GetString()!;
    }

    public ValueTask DisposeAsync() => _host.DisposeAsync();

    public enum Caller
    {
        PlatformKey,
        InferenceOnlyPlatformKey,
        EndUserKey,
        NoKey,
    }

    /// <summary>(row, method, path, caller, status, code or null for a non-envelope answer).</summary>
    public static TheoryData<int, string, string, Caller, int, string?> Rows => new()
    {
        { 30, "GET", "P/mcp/connections", Caller.PlatformKey, 200, null },
        { 30, "GET", "P/mcp/connections", Caller.InferenceOnlyPlatformKey, 403, "forbidden" },
        { 30, "GET", "P/mcp/connections", Caller.EndUserKey, 403, "wrong_key_type" },
        { 30, "GET", "P/mcp/connections", Caller.NoKey, 401, "missing_api_key" },
        { 30, "GET", "E/connections", Caller.PlatformKey, 200, null },
        { 30, "GET", "E/connections", Caller.InferenceOnlyPlatformKey, 403, "forbidden" },
        { 30, "GET", "E/connections", Caller.EndUserKey, 403, "wrong_key_type" },
        { 30, "GET", "E/connections", Caller.NoKey, 401, "missing_api_key" },
        { 31, "DELETE", "E/connections/github", Caller.PlatformKey, 404, "not_found" },
        { 31, "DELETE", "E/connections/github", Caller.InferenceOnlyPlatformKey, 403, "forbidden" },
        { 31, "DELETE", "E/connections/github", Caller.EndUserKey, 403, "wrong_key_type" },
        { 31, "DELETE", "E/connections/github", Caller.NoKey, 401, "missing_api_key" },
        { 37, "GET", "/v1/me/connections", Caller.PlatformKey, 403, "wrong_key_type" },
        { 37, "GET", "/v1/me/connections", Caller.EndUserKey, 200, null },
        { 37, "GET", "/v1/me/connections", Caller.NoKey, 401, "missing_api_key" },
        { 38, "DELETE", "/v1/me/connections/github", Caller.PlatformKey, 403, "wrong_key_type" },
        { 38, "DELETE", "/v1/me/connections/github", Caller.EndUserKey, 404, "not_found" },
        { 38, "DELETE", "/v1/me/connections/github", Caller.NoKey, 401, "missing_api_key" },
        { 43, "GET", "/oauth/authorize?app=github", Caller.PlatformKey, 403, "wrong_key_type" },
        { 43, "GET", "/oauth/authorize?app=github", Caller.EndUserKey, 302, null },
        { 43, "GET", "/oauth/authorize?app=github", Caller.NoKey, 401, "missing_api_key" },
        { 44, "GET", "/oauth/callback", Caller.PlatformKey, 400, null },
        { 44, "GET", "/oauth/callback", Caller.EndUserKey, 400, null },
        { 44, "GET", "/oauth/callback", Caller.NoKey, 400, null },
        { 44, "GET", "/oauth/mock/authorize?state=s", Caller.PlatformKey, 302, null },
        { 44, "GET", "/oauth/mock/authorize?state=s", Caller.EndUserKey, 302, null },
        { 44, "GET", "/oauth/mock/authorize?state=s", Caller.NoKey, 302, null },
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public async Task Route_AnswersPerKeyKind(int row, string method, string path, Caller caller, int status, string? code)
    {
        var key = caller switch
        {
            Caller.PlatformKey => _platform.AdminKey,
            Caller.InferenceOnlyPlatformKey => _inferenceOnlyKey,
            Caller.EndUserKey => _user.Key,
            _ => null,
        };
        var url = path.StartsWith("P/", StringComparison.Ordinal) ? _platform.Path(path[1..])
            : path.StartsWith("E/", StringComparison.Ordinal) ? _platform.Path($"/end-users/{_user.Id}{path[1..]}")
            : path;
        using var client = _host.Client(key);
        using var request = new HttpRequestMessage(new HttpMethod(method), url);

        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);

        if (code is null)
        {
            Assert.True((int)response.StatusCode == status, $"row {row}: expected {status}, got {(int)response.StatusCode}");
        }
        else
        {
            await HttpAssert.ErrorAsync(response, status, code);
        }
    }

    [Theory]
    [InlineData("sk-eu_0000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("sk-plat_0000000000000000000000000000000000000000000000000000000000000000")]
    public async Task UnknownKeys_AreInvalidApiKey_OnEveryKeyedRoute(string key)
    {
        string[] urls = [_platform.Path("/mcp/connections"), _platform.Path($"/end-users/{_user.Id}/connections"), "/v1/me/connections",
            "/oauth/authorize?app=github"];
        using var client = _host.Client(key);
        foreach (var url in urls)
        {
            using var response = await client.GetAsync(url, TestContext.Current.CancellationToken);
            await HttpAssert.ErrorAsync(response, 401, "invalid_api_key");
        }
    }
}
