using System.Text.Json.Nodes;

namespace Assistiv.Connectors.Tests.TestSupport;

/// <summary>
/// GitHub response examples extracted wire-exact from GitHub's OpenAPI description (@octokit/openapi 23.0.2) by
/// tools/extract-github-fixtures.mjs; see Fixtures/github/_manifest.json for the operation of each.
/// </summary>
public static class Fixtures
{
    public static string GitHub(string name) =>
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "github", name + ".json"));

    public static JsonNode GitHubNode(string name) => JsonNode.Parse(GitHub(name))!;
}
