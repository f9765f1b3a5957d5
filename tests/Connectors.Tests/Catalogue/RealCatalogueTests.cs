using Assistiv.Connectors.Catalogue;
using Microsoft.Extensions.Configuration;

namespace Assistiv.Connectors.Tests.Catalogue;

/// <summary>The shipped connectors.json against API.md §8.3 / §9.4 (the lint itself runs inside Load).</summary>
public sealed class RealCatalogueTests
{
    private static ConnectorCatalogue Load(bool enableMockApps, IDictionary<string, string?>? more = null)
    {
        var settings = new Dictionary<string, string?> { ["Gateway:EnableMockApps"] = enableMockApps ? "true" : "false" };
        foreach (var (k, v) in more ?? new Dictionary<string, string?>())
        {
            settings[k] = v;
        }

        return ConnectorCatalogue.Load(new ConfigurationBuilder().AddInMemoryCollection(settings).Build(), AppContext.BaseDirectory);
    }

    [Fact]
    public void Load_RealCatalogue_PassesLint_WithAndWithoutMockApps()
    {
        Assert.NotEmpty(Load(enableMockApps: true).Tools);
        Assert.NotEmpty(Load(enableMockApps: false).Tools);
    }

    [Fact]
    public void GitHubTools_FollowApiTableOrderAndAnnotationSets()
    {
        // API.md §8.3 table: name and annotation set, in list order.
        (string Name, string Set)[] expected =
        [
            ("github_get_me", "R"),
            ("github_search_repositories", "R"),
            ("github_get_file_contents", "R"),
            ("github_list_issues", "R"),
            ("github_search_issues", "R"),
            ("github_issue_read", "R"),
            ("github_issue_write", "D"),
            ("github_add_issue_comment", "A"),
            ("github_list_pull_requests", "R"),
            ("github_pull_request_read", "R"),
            ("github_create_pull_request", "A"),
            ("github_create_branch", "A"),
            ("github_dispatch_workflow", "A"),
            ("github_create_gist", "A"),
        ];

        var github = Load(enableMockApps: false).AppsById["github"];

        Assert.Equal(expected, github.Tools.Select(t => (t.Name, t.Annotations.SetName!)).ToArray());
    }

    [Fact]
    public void OutputSchemas_ExistExactlyOnDiamondTools()
    {
        // API.md §8.3: ◆ marks github_get_me, github_get_file_contents and mock_echo among the v1 apps.
        var withOutput = Load(enableMockApps: true).Tools.Where(t => t.OutputSchema is not null).Select(t => t.Name);

        Assert.Equal(["github_get_me", "github_get_file_contents", "mock_echo"], withOutput);
    }

    [Fact]
    public void Apps_AreAlphabetical_AndMockOnlyWhenEnabled()
    {
        // API.md §8.4 (apps alphabetically), §1.3 (Gateway:EnableMockApps default false).
        Assert.Equal(["github", "mock"], Load(enableMockApps: true).Apps.Select(a => a.Id));
        Assert.Equal(["github"], Load(enableMockApps: false).Apps.Select(a => a.Id));
        Assert.False(Load(enableMockApps: false).TryGetTool("mock_echo", out _));
    }

    [Fact]
    public void Tools_AreInGlobalListOrder()
    {
        var catalogue = Load(enableMockApps: true);

        Assert.Equal(Enumerable.Range(0, catalogue.Tools.Count), catalogue.Tools.Select(t => t.Index));
        Assert.Equal("mock_echo", catalogue.Tools[14].Name);
    }

    [Fact]
    public void GitHubOAuth_MatchesProviderSettings()
    {
        // API.md §9.4 github row.
        var github = Load(enableMockApps: false).AppsById["github"];

        Assert.Equal("GitHub", github.Name);
        Assert.Equal("https://github.com/login/oauth/authorize", github.OAuth.AuthorizeUrl);
        Assert.Equal("https://github.com/login/oauth/access_token", github.OAuth.TokenUrl);
        Assert.Equal("scope", github.OAuth.ScopeParameter);
        Assert.Equal(" ", github.OAuth.ScopeSeparator);
        Assert.Equal(["repo", "read:user", "gist", "workflow"], github.OAuth.DefaultScopes);
        Assert.True(github.OAuth.Pkce);
        Assert.Equal("DELETE", github.OAuth.RevokeMethod);
        Assert.Equal("https://api.github.com", github.ApiBaseUrl);
        Assert.Equal(["enterprise_base_url"], github.SettingKeys);
        Assert.Equal("https://api.github.com/applications/{client_id}/token", github.ResolveEndpoints(null).RevokeUrl);
    }

    [Fact]
    public void ResolveEndpoints_UsesEnterpriseHosts_WhenEnterpriseBaseUrlIsSet()
    {
        // API.md §9.4: with enterprise_base_url E: E/login/oauth/…, {api} = E/api/v3.
        var github = Load(enableMockApps: false).AppsById["github"];

        var endpoints = github.ResolveEndpoints(new Dictionary<string, string> { ["enterprise_base_url"] = "https://ghe.example.com/" });

        Assert.Equal("https://ghe.example.com/login/oauth/authorize", endpoints.AuthorizeUrl);
        Assert.Equal("https://ghe.example.com/login/oauth/access_token", endpoints.TokenUrl);
        Assert.Equal("https://ghe.example.com/api/v3", endpoints.ApiBaseUrl);
        Assert.Equal("https://ghe.example.com/api/v3/applications/{client_id}/token", endpoints.RevokeUrl);
        Assert.True(endpoints.FromActivationSettings);
        Assert.False(github.ResolveEndpoints(new Dictionary<string, string>()).FromActivationSettings);
    }

    [Fact]
    public void Overrides_FromConfiguration_ReplaceProviderUrls()
    {
        // API.md §1.3: Gateway:Apps:{app}:AuthorizeUrl / TokenUrl / ApiBaseUrl / RevokeUrl.
        var github = Load(enableMockApps: false, new Dictionary<string, string?>
        {
            ["Gateway:Apps:github:AuthorizeUrl"] = "http://127.0.0.1:9091/login/oauth/authorize",
            ["Gateway:Apps:github:TokenUrl"] = "http://127.0.0.1:9091/login/oauth/access_token",
            ["Gateway:Apps:github:ApiBaseUrl"] = "http://127.0.0.1:9091/",
            ["Gateway:Apps:github:RevokeUrl"] = "http://127.0.0.1:9091/applications/{client_id}/token",
        }).AppsById["github"];

        Assert.Equal("http://127.0.0.1:9091/login/oauth/authorize", github.OAuth.AuthorizeUrl);
        Assert.Equal("http://127.0.0.1:9091/login/oauth/access_token", github.OAuth.TokenUrl);
        Assert.Equal("http://127.0.0.1:9091", github.ApiBaseUrl);
        Assert.Equal("http://127.0.0.1:9091/applications/{client_id}/token", github.OAuth.RevokeUrl);
    }

    [Fact]
    public void Overrides_ThatAreNotUrls_FailStartup()
    {
        var ex = Assert.Throws<ConnectorCatalogueException>(() =>
            Load(enableMockApps: false, new Dictionary<string, string?> { ["Gateway:Apps:github:TokenUrl"] = "not a url" }));

        Assert.Contains(ex.Errors, e => e.StartsWith("Gateway:Apps:github:TokenUrl", StringComparison.Ordinal));
    }

    [Fact]
    public void MockApp_HasInProcessTokenEndpoint_AndMockAuthorizeUrl()
    {
        // API.md §9.3: authorize at {base}/oauth/mock/authorize; the token endpoint is in process.
        var mock = Load(enableMockApps: true).AppsById["mock"];

        Assert.True(mock.MockOnly);
        Assert.Equal("{base}/oauth/mock/authorize", mock.OAuth.AuthorizeUrl);
        Assert.True(mock.OAuth.HasInProcessTokenEndpoint);
        Assert.Null(mock.ApiBaseUrl);
    }

    [Fact]
    public void ListTools_TellTheModelToCallAgainWithNext()
    {
        // API.md §8.3: "the tool description says to call again with the argument named in next".
        var listTools = Load(enableMockApps: false).Tools.Where(t => t.InputSchema.GetProperty("properties").TryGetProperty("page", out _)).ToList();

        Assert.Equal(6, listTools.Count);
        Assert.All(listTools, t => Assert.Contains("call again with the same arguments plus those in `next`", t.Description, StringComparison.Ordinal));
    }

    [Fact]
    public void Load_FailsWithTheKey_WhenConnectorsFileIsMissing()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Gateway:ConnectorsFile"] = "/nonexistent/connectors.json",
        }).Build();

        var ex = Assert.Throws<ConnectorCatalogueException>(() => ConnectorCatalogue.Load(configuration));

        Assert.Contains("Gateway:ConnectorsFile", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_ReadsTheNamedFile_WhenConnectorsFileIsSet()
    {
        var path = Path.Combine(Path.GetTempPath(), $"connectors-{Guid.CreateVersion7():N}.json");
        File.Copy(Path.Combine(AppContext.BaseDirectory, "connectors.json"), path);
        try
        {
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Gateway:ConnectorsFile"] = path,
            }).Build();

            Assert.Equal(14, ConnectorCatalogue.Load(configuration).Tools.Count);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
