using System.Collections.Frozen;
using System.Text.Json.Nodes;
using Assistiv.Connectors.Catalogue;
using Assistiv.Platform.Connections;
using Assistiv.Platform.Tenancy;

namespace Assistiv.Connectors.Tests.Catalogue;

/// <summary>API.md §8.1 (activated apps), §8.4 (order), §8.7 (policy intersection).</summary>
public sealed class ToolVisibilityTests
{
    private static readonly ToolPolicy[] s_open = [ToolPolicy.Default, ToolPolicy.Default, ToolPolicy.Default];

    // Apps listed out of order on purpose: the catalogue sorts them.
    private static readonly ConnectorCatalogue s_catalogue = ConnectorCatalogue.Parse(new JsonObject
    {
        ["apps"] = new JsonArray(App("zeta", ("zeta_write", false), ("zeta_read", true)), App("alpha", ("alpha_b", true), ("alpha_a", false))),
    }.ToJsonString());

    private static JsonObject App(string id, params (string Name, bool ReadOnly)[] tools)
    {
        var array = new JsonArray();
        foreach (var (name, readOnly) in tools)
        {
            array.Add(new JsonObject
            {
                ["name"] = name,
                ["title"] = name,
                ["description"] = "Does " + name,
                ["annotations"] = readOnly
                    ? JsonNode.Parse("""{"readOnlyHint":true,"destructiveHint":false,"idempotentHint":true,"openWorldHint":true}""")
                    : JsonNode.Parse("""{"readOnlyHint":false,"destructiveHint":false,"idempotentHint":false,"openWorldHint":true}"""),
                ["inputSchema"] = JsonNode.Parse("""{"type":"object","properties":{},"additionalProperties":false}"""),
            });
        }

        return new JsonObject
        {
            ["id"] = id,
            ["name"] = id,
            ["mock_only"] = false,
            ["api_base_url"] = $"https://{id}.example",
            ["oauth"] = JsonNode.Parse("""{"authorize_url":"https://a.example/authorize","token_url":"https://a.example/token","revoke_url":null,"revoke_method":null,"scope_parameter":"scope","scope_separator":" ","default_scopes":[],"pkce":false,"extra_authorize_params":{}}"""),
            ["settings_schema"] = JsonNode.Parse("""{"type":"object","properties":{},"additionalProperties":false}"""),
            ["setting_endpoints"] = new JsonObject(),
            ["tools"] = array,
        };
    }

    private static IReadOnlyDictionary<string, McpAppActivation> Activated(params string[] apps) =>
        apps.ToFrozenDictionary(a => a, a => new McpAppActivation(Guid.Empty, Guid.Empty, a, "c", "s", "https://p.example", null,
            new Dictionary<string, string>(), DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch));

    private static string[] Names(IReadOnlyList<ToolDescriptor> tools) => tools.Select(t => t.Name).ToArray();

    [Fact]
    public void GetVisibleTools_ListsAppsAlphabetically_ThenCatalogueOrder()
    {
        // API.md §8.4: apps alphabetically, then catalogue order within each app.
        var tools = ToolVisibility.GetVisibleTools(s_catalogue, Activated("zeta", "alpha"), s_open, appFilter: null);

        Assert.Equal(["alpha_b", "alpha_a", "zeta_write", "zeta_read"], Names(tools));
    }

    [Fact]
    public void GetVisibleTools_ShowsOnlyActivatedApps()
    {
        // API.md §8.1: /mcp lists the tools of every activated app.
        Assert.Equal(["zeta_write", "zeta_read"], Names(ToolVisibility.GetVisibleTools(s_catalogue, Activated("zeta"), s_open, null)));
        Assert.Empty(ToolVisibility.GetVisibleTools(s_catalogue, Activated(), s_open, null));
    }

    [Fact]
    public void GetVisibleTools_FiltersToOneApp_OnMcpApp()
    {
        // API.md §8.1: /mcp/{app} lists that app's tools.
        Assert.Equal(["zeta_write", "zeta_read"], Names(ToolVisibility.GetVisibleTools(s_catalogue, Activated("zeta", "alpha"), s_open, "zeta")));
        Assert.Empty(ToolVisibility.GetVisibleTools(s_catalogue, Activated("alpha"), s_open, "zeta"));
    }

    [Fact]
    public void GetVisibleTools_IntersectsPlatformUserAndKeyPolicies()
    {
        // API.md §8.7: visible iff every non-null allowed_tools matches and, when any read_only is true, readOnlyHint is true.
        ToolPolicy[] policies =
        [
            new(["alpha_*", "zeta_read", "zeta_write"], ReadOnly: false),  // platform
            new(null, ReadOnly: true),                                      // end user
            new(["alpha_a", "alpha_b", "zeta_write"], ReadOnly: false),     // key
        ];

        var tools = ToolVisibility.GetVisibleTools(s_catalogue, Activated("zeta", "alpha"), policies, null);

        Assert.Equal(["alpha_b"], Names(tools));
    }

    [Fact]
    public void GetVisibleTools_HidesWriteTools_WhenAnyPolicyIsReadOnly()
    {
        ToolPolicy[] policies = [ToolPolicy.Default, ToolPolicy.Default, new(null, ReadOnly: true)];

        Assert.Equal(["alpha_b", "zeta_read"], Names(ToolVisibility.GetVisibleTools(s_catalogue, Activated("zeta", "alpha"), policies, null)));
    }

    [Fact]
    public void GetVisibleTools_AcceptsAppIdSets()
    {
        var ids = new HashSet<string>(["alpha"]);

        Assert.Equal(["alpha_b", "alpha_a"], Names(ToolVisibility.GetVisibleTools(s_catalogue, ids, s_open, null)));
    }

    [Fact]
    public void GetVisibleTools_ReturnsTheCachedList_ForRepeatedRequests()
    {
        var policy = new ToolPolicy(["zeta_*"], ReadOnly: false);
        ToolPolicy[] policies = [ToolPolicy.Default, policy, ToolPolicy.Default];

        var first = ToolVisibility.GetVisibleTools(s_catalogue, Activated("zeta", "alpha"), policies, null);
        var second = ToolVisibility.GetVisibleTools(s_catalogue, Activated("zeta", "alpha"), policies, null);

        Assert.Same(first, second);
    }

    [Fact]
    public void IsVisible_AgreesWithTheList()
    {
        ToolPolicy[] policies = [new(["alpha_a", "zeta_read"], ReadOnly: false), ToolPolicy.Default, ToolPolicy.Default];
        var activated = Activated("zeta", "alpha");
        var listed = Names(ToolVisibility.GetVisibleTools(s_catalogue, activated, policies, null));

        foreach (var tool in s_catalogue.Tools)
        {
            Assert.Equal(listed.Contains(tool.Name), ToolVisibility.IsVisible(s_catalogue, tool, activated, policies, null));
        }

        Assert.False(ToolVisibility.IsVisible(s_catalogue, s_catalogue.ToolsByName["alpha_a"], activated, policies, "zeta"));
    }
}
