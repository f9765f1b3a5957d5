using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Assistiv.Tests.Common.Host;

namespace Assistiv.McpServer.Tests.Platforms;

public sealed class McpAppsEndpointsTests : IDisposable
{
    private readonly GatewayFactory _factory = new();

    public void Dispose() => _factory.Dispose();

    private static object GitHubActivation(string secret = "s3cret-value") => new
    {
        app = "github",
        client_id = "Iv1.abc123",
        client_secret = secret,
        redirect_base_url = "https://app.example.com/",
    };

    [Fact]
    public async Task List_ShowsEveryCatalogueApp_ActivatedOrNot()
    {
        var ct = TestContext.Current.CancellationToken;
        var p = await _factory.CreatePlatformAsync();
        using var admin = p.Admin();
        var body = JsonNode.Parse(await admin.GetStringAsync(p.Path("/mcp/apps"), ct))!;
        var github = body["data"]!.AsArray().Single(a => a!["app"]!.GetValue<string>() == "github")!;
        // API.md §4.11 app object; §9.4 GitHub default scopes; §8.3: 14 GitHub tools.
        Assert.False(github["activated"]!.GetValue<bool>());
        Assert.Equal("GitHub", github["name"]!.GetValue<string>());
        Assert.Equal(14, github["tool_count"]!.GetValue<int>());
        Assert.Equal(["repo", "read:user", "gist", "workflow"], github["default_scopes"]!.AsArray().Select(s => s!.GetValue<string>()));
        Assert.True(github["pkce"]!.GetValue<bool>());
        Assert.Null(github["client_id"]);
        Assert.Equal("http://127.0.0.1:8080/oauth/callback", github["redirect_uri"]!.GetValue<string>());
        Assert.Null(body["total"]); // no paging fields on this list
    }

    [Fact]
    public async Task Activate_Returns201ThenReplacementWith200_AndNeverReturnsTheSecret()
    {
        var ct = TestContext.Current.CancellationToken;
        var p = await _factory.CreatePlatformAsync();
        using var admin = p.Admin();
        using var first = await admin.PostAsJsonAsync(p.Path("/mcp/apps"), GitHubActivation(), ct);
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var text = await first.Content.ReadAsStringAsync(ct);
        Assert.DoesNotContain("s3cret-value", text, StringComparison.Ordinal);
        var app = JsonNode.Parse(text)!;
        Assert.True(app["activated"]!.GetValue<bool>());
        Assert.Equal("Iv1.abc123", app["client_id"]!.GetValue<string>());
        // Trailing "/" stripped (API.md §4.11).
        Assert.Equal("https://app.example.com", app["redirect_base_url"]!.GetValue<string>());

        using var second = await admin.PostAsJsonAsync(p.Path("/mcp/apps"), GitHubActivation("other-secret"), ct);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        var detail = await admin.GetStringAsync(p.Path("/mcp/apps/github"), ct);
        Assert.DoesNotContain("other-secret", detail, StringComparison.Ordinal);
        var tools = JsonNode.Parse(detail)!["tools"]!.AsArray();
        Assert.Equal("github_get_me", tools[0]!["name"]!.GetValue<string>());
        Assert.True(tools[0]!["annotations"]!["readOnlyHint"]!.GetValue<bool>());
    }

    [Theory]
    [InlineData("""{"app":"nope","client_id":"a","client_secret":"b","redirect_base_url":"https://x.example"}""", "app")]
    [InlineData("""{"app":"github","client_secret":"b","redirect_base_url":"https://x.example"}""", "client_id")]
    [InlineData("""{"app":"github","client_id":"a","client_secret":"b","redirect_base_url":"https://x.example/?q=1"}""", "redirect_base_url")]
    [InlineData("""{"app":"github","client_id":"a","client_secret":"b","redirect_base_url":"https://x.example","settings":{"colour":"red"}}""", "settings.colour")]
    [InlineData("""{"app":"github","client_id":"a","client_secret":"b","redirect_base_url":"https://x.example","scopes":[]}""", "scopes")]
    public async Task Activate_Returns422_WithParam_ForBadInput(string json, string param)
    {
        var ct = TestContext.Current.CancellationToken;
        var p = await _factory.CreatePlatformAsync();
        using var admin = p.Admin();
        using var content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
        var error = await HttpAssert.ErrorAsync(await admin.PostAsync(p.Path("/mcp/apps"), content, ct), 422, "validation_error");
        Assert.Equal(param, error.GetProperty("param").GetString());
        var list = JsonNode.Parse(await admin.GetStringAsync(p.Path("/mcp/apps"), ct))!["data"]!.AsArray();
        Assert.All(list, a => Assert.False(a!["activated"]!.GetValue<bool>())); // nothing written
    }

    [Fact]
    public async Task Activate_RefusesPrivateEnterpriseUrl_WhenPrivateTargetsNotAllowed()
    {
        var ct = TestContext.Current.CancellationToken;
        using var factory = new GatewayFactory().With("Gateway:Network:AllowPrivateTargets", "false");
        var p = await factory.CreatePlatformAsync();
        using var admin = p.Admin();
        // API.md §1.8: loopback and private addresses are refused at creation (422, param = the field).
        using var response = await admin.PostAsJsonAsync(p.Path("/mcp/apps"), new
        {
            app = "github", client_id = "a", client_secret = "b", redirect_base_url = "https://x.example",
            settings = new { enterprise_base_url = "https://127.0.0.1:8443" },
        }, ct);
        var error = await HttpAssert.ErrorAsync(response, 422, "validation_error");
        Assert.Equal("settings.enterprise_base_url", error.GetProperty("param").GetString());
    }

    [Fact]
    public async Task ActivateAndDeactivate_NeedAdmin_AndDeactivateOfInactiveIs404()
    {
        var ct = TestContext.Current.CancellationToken;
        var p = await _factory.CreatePlatformAsync();
        using var admin = p.Admin();
        var mgmt = JsonNode.Parse(await (await admin.PostAsJsonAsync(p.Path("/api-keys"), new { scopes = new[] { "management" } }, ct)).Content.ReadAsStringAsync(ct))!;
        using var manager = _factory.Client(mgmt["raw_key"]!.GetValue<string>());
        await HttpAssert.ErrorAsync(await manager.PostAsJsonAsync(p.Path("/mcp/apps"), GitHubActivation(), ct), 403, "forbidden");
        Assert.Equal(HttpStatusCode.OK, (await manager.GetAsync(p.Path("/mcp/apps"), ct)).StatusCode);

        await HttpAssert.ErrorAsync(await admin.DeleteAsync(p.Path("/mcp/apps/github"), ct), 404, "not_found");
        (await admin.PostAsJsonAsync(p.Path("/mcp/apps"), GitHubActivation(), ct)).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync(p.Path("/mcp/apps/github"), ct)).StatusCode);
        var github = JsonNode.Parse(await admin.GetStringAsync(p.Path("/mcp/apps/github"), ct))!;
        Assert.False(github["activated"]!.GetValue<bool>());
        await HttpAssert.ErrorAsync(await admin.GetAsync(p.Path("/mcp/apps/unknown"), ct), 404, "not_found");
    }

    [Fact]
    public async Task PlatformToolPolicy_RejectsUnknownToolNames_WithTheJsonPath()
    {
        var ct = TestContext.Current.CancellationToken;
        var p = await _factory.CreatePlatformAsync();
        using var admin = p.Admin();
        // API.md §8.7: entries are catalogue tool names or {app}_*; anything else → 422 with its JSON path.
        using var bad = await admin.PatchAsJsonAsync(p.Path(), new { settings = new { tool_policy = new { allowed_tools = new[] { "github_*", "github_get_me", "github_fly" } } } }, ct);
        var error = await HttpAssert.ErrorAsync(bad, 422, "validation_error");
        Assert.Equal("settings.tool_policy.allowed_tools[2]", error.GetProperty("param").GetString());

        using var good = await admin.PatchAsJsonAsync(p.Path(), new { settings = new { tool_policy = new { allowed_tools = new[] { "github_*" }, read_only = true } } }, ct);
        Assert.Equal(HttpStatusCode.OK, good.StatusCode);
        var platform = JsonNode.Parse(await good.Content.ReadAsStringAsync(ct))!;
        Assert.True(platform["settings"]!["tool_policy"]!["read_only"]!.GetValue<bool>());
    }
}
