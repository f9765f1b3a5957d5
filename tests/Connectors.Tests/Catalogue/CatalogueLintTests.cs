using System.Text.Json.Nodes;
using Assistiv.Connectors.Catalogue;

namespace Assistiv.Connectors.Tests.Catalogue;

/// <summary>
/// Deliberately broken catalogues: the lint of API.md §8.3 / §12 must report every problem, each with its location,
/// so a bad catalogue cannot pass.
/// </summary>
public sealed class CatalogueLintTests
{
    private static JsonObject ValidApp(string id = "acme") => new()
    {
        ["id"] = id,
        ["name"] = "Acme",
        ["mock_only"] = false,
        ["api_base_url"] = "https://api.acme.example",
        ["oauth"] = new JsonObject
        {
            ["authorize_url"] = "https://acme.example/oauth/authorize",
            ["token_url"] = "https://acme.example/oauth/token",
            ["revoke_url"] = null,
            ["revoke_method"] = null,
            ["scope_parameter"] = "scope",
            ["scope_separator"] = " ",
            ["default_scopes"] = new JsonArray("read"),
            ["pkce"] = true,
            ["extra_authorize_params"] = new JsonObject(),
        },
        ["settings_schema"] = JsonNode.Parse("""{"type":"object","properties":{},"additionalProperties":false}"""),
        ["setting_endpoints"] = new JsonObject(),
        ["tools"] = new JsonArray(ValidTool($"{id}_get_thing"), ValidTool($"{id}_list_things", list: true)),
    };

    private static JsonObject ValidTool(string name, bool list = false)
    {
        var properties = new JsonObject { ["id"] = new JsonObject { ["type"] = "string", ["minLength"] = 1 } };
        if (list)
        {
            properties["page"] = new JsonObject { ["type"] = "integer", ["minimum"] = 1 };
        }

        return new JsonObject
        {
            ["name"] = name,
            ["title"] = "A title",
            ["description"] = list ? "Lists things; when has_more is true, call again with the page given in `next`." : "Gets a thing.",
            ["annotations"] = JsonNode.Parse("""{"readOnlyHint":true,"destructiveHint":false,"idempotentHint":true,"openWorldHint":true}"""),
            ["inputSchema"] = new JsonObject
            {
                ["type"] = "object",
                ["properties"] = properties,
                ["required"] = new JsonArray("id"),
                ["additionalProperties"] = false,
            },
        };
    }

    private static string Catalogue(params JsonObject[] apps) => new JsonObject { ["apps"] = new JsonArray(apps) }.ToJsonString();

    private static IReadOnlyList<string> Errors(string json) =>
        Assert.Throws<ConnectorCatalogueException>(() => ConnectorCatalogue.Parse(json)).Errors;

    private static JsonObject Tool(JsonObject app, int index = 0) => app["tools"]![index]!.AsObject();

    private static JsonObject Input(JsonObject app, int index = 0) => Tool(app, index)["inputSchema"]!.AsObject();

    [Fact]
    public void Parse_Accepts_TheMinimalValidCatalogue()
    {
        var catalogue = ConnectorCatalogue.Parse(Catalogue(ValidApp()));

        Assert.Equal(["acme_get_thing", "acme_list_things"], catalogue.Tools.Select(t => t.Name));
    }

    [Fact]
    public void Parse_ReportsEveryError_InOneBrokenCatalogue()
    {
        var app = ValidApp();
        Tool(app, 0)["name"] = "acme_" + new string('x', 44);                              // 49 characters
        Tool(app, 0)["description"] = "";
        Input(app, 0)["properties"]!["tags"] = JsonNode.Parse("""{"type":"array"}""");     // array without items
        Input(app, 0)["properties"]!["kind"] = JsonNode.Parse("""{"type":"string","enum":[]}""");
        Input(app, 0)["additionalProperties"] = true;
        Tool(app, 1)["name"] = "other_list_things";                                        // wrong prefix
        Tool(app, 1)["description"] = "Lists things.";                                      // list tool without `next`
        Tool(app, 1)["annotations"]!["destructiveHint"] = true;                              // R with destructive: no set
        var second = ValidApp("beta");
        Tool(second, 0)["name"] = "beta_list_things";                                      // duplicate within beta
        Input(second, 0).Remove("properties");
        second["oauth"]!["token_url"] = "http://beta.example/token";                       // not https

        var errors = Errors(Catalogue(app, second));

        string[] expected =
        [
            "apps[0].tools[0] (acme_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx).name: must match",
            "apps[0].tools[0] (acme_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx).description: required",
            "apps[0].tools[0] (acme_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx).inputSchema.properties.tags: an \"array\" schema needs \"items\"",
            "apps[0].tools[0] (acme_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx).inputSchema.properties.kind.enum: must be a non-empty array",
            "apps[0].tools[0] (acme_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx).inputSchema.additionalProperties: must be false",
            "apps[0].tools[1] (other_list_things).name: must start with 'acme_'",
            "apps[0].tools[1] (other_list_things).description: a list tool (argument 'page') must say",
            "apps[0].tools[1] (other_list_things).annotations: the hints must form one of the sets",
            "apps[1].oauth.token_url: 'http://beta.example/token' must be an absolute https URL",
            "apps[1].tools[0] (beta_list_things).inputSchema.properties: required",
            "apps[1].tools[1]: tool name 'beta_list_things' is already used at apps[1].tools[0]",
        ];
        foreach (var prefix in expected)
        {
            Assert.True(errors.Any(e => e.StartsWith(prefix, StringComparison.Ordinal)), $"Not reported: {prefix}\nReported:\n{string.Join("\n", errors)}");
        }
    }

    [Fact]
    public void Parse_RejectsNullEnum()
    {
        var app = ValidApp();
        Input(app)["properties"]!["kind"] = JsonNode.Parse("""{"type":"string","enum":null}""");

        Assert.Contains(Errors(Catalogue(app)), e => e.Contains("properties.kind.enum: must be a non-empty array", StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_RejectsNestedArrayWithoutItems()
    {
        var app = ValidApp();
        Input(app)["properties"]!["matrix"] = JsonNode.Parse("""{"type":"array","items":{"type":["array","null"]}}""");

        Assert.Contains(Errors(Catalogue(app)), e => e.Contains("properties.matrix.items: an \"array\" schema needs \"items\"", StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_RequiresEmptyProperties_ForToolsWithoutArguments()
    {
        // API.md §8.3: a tool with no arguments has "properties": {}.
        var app = ValidApp();
        Tool(app)["inputSchema"] = JsonNode.Parse("""{"type":"object","additionalProperties":false}""");

        Assert.Contains(Errors(Catalogue(app)), e => e.Contains("inputSchema.properties: required", StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_RejectsSchemasThatDoNotCompile()
    {
        var app = ValidApp();
        Input(app)["properties"]!["id"] = JsonNode.Parse("""{"type":"string","minLength":"one"}""");

        Assert.Contains(Errors(Catalogue(app)), e => e.StartsWith("apps[0].tools[0] (acme_get_thing).inputSchema", StringComparison.Ordinal)
            && (e.Contains("does not compile", StringComparison.Ordinal) || e.Contains("meta-schema", StringComparison.Ordinal)));
    }

    [Fact]
    public void Parse_RejectsRequiredNamesThatAreNotProperties()
    {
        var app = ValidApp();
        Input(app)["required"] = new JsonArray("id", "missing");

        Assert.Contains(Errors(Catalogue(app)), e => e.Contains("inputSchema.required: 'missing' is not one of the properties", StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_RejectsUnknownKeys_SoTyposDoNotPassSilently()
    {
        var app = ValidApp();
        Tool(app)["input_schema"] = new JsonObject();

        Assert.Contains(Errors(Catalogue(app)), e => e.Contains(".input_schema: unknown key", StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_RejectsDuplicateAppIds()
    {
        Assert.Contains(Errors(Catalogue(ValidApp(), ValidApp())), e => e.Contains("app id 'acme' is used twice", StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_RejectsNonObjectOutputSchema()
    {
        var app = ValidApp();
        Tool(app)["outputSchema"] = JsonNode.Parse("""{"type":"array","items":{"type":"string"}}""");

        Assert.Contains(Errors(Catalogue(app)), e => e.Contains("outputSchema: must be a JSON Schema with \"type\": \"object\"", StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_RejectsMissingOAuthFields()
    {
        var app = ValidApp();
        app["oauth"]!.AsObject().Remove("scope_separator");
        app["oauth"]!.AsObject().Remove("pkce");

        var errors = Errors(Catalogue(app));

        Assert.Contains(errors, e => e.StartsWith("apps[0].oauth.scope_separator: required", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("apps[0].oauth.pkce: required", StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_RejectsInvalidJson_WithTheSource()
    {
        var ex = Assert.Throws<ConnectorCatalogueException>(() => ConnectorCatalogue.Parse("{ \"apps\": [ }"));

        Assert.Contains("not valid JSON", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_RejectsMoreToolsThanTheMaskHolds()
    {
        var app = ValidApp();
        var tools = new JsonArray();
        for (var i = 0; i <= ConnectorCatalogue.MaxTools; i++)
        {
            tools.Add(ValidTool($"acme_t{i}"));
        }

        app["tools"] = tools;

        Assert.Contains(Errors(Catalogue(app)), e => e.Contains("129 tools exceed the limit of 128", StringComparison.Ordinal));
    }
}
