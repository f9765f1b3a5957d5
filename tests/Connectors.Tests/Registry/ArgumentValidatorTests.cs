using System.Text.Json;
using Assistiv.Connectors.Catalogue;
using Assistiv.Connectors.Registry;
using Microsoft.Extensions.Configuration;

namespace Assistiv.Connectors.Tests.Registry;

/// <summary>Validation against the catalogue schemas, also under parallel calls (json-everything#929).</summary>
public sealed class ArgumentValidatorTests
{
    private static readonly ConnectorCatalogue s_catalogue = ConnectorCatalogue.Load(new ConfigurationBuilder().Build(), AppContext.BaseDirectory);

    [Fact]
    public async Task Validate_GivesStableAnswers_UnderParallelCalls()
    {
        var tool = s_catalogue.ToolsByName["github_pull_request_read"];
        using var valid = JsonDocument.Parse("""{"owner":"o","repo":"r","pull_number":5,"method":"get_files","per_page":100}""");
        using var invalid = JsonDocument.Parse("""{"owner":"o","repo":"r","pull_number":0,"method":"merge"}""");

        var results = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => Task.Run(() =>
            ArgumentValidator.Validate(tool, i % 2 == 0 ? valid.RootElement : invalid.RootElement), TestContext.Current.CancellationToken)));

        for (var i = 0; i < results.Length; i++)
        {
            if (i % 2 == 0)
            {
                Assert.Null(results[i]);
            }
            else
            {
                Assert.Equal(
                    "pull_number: 0 should be at least 1; method: must be one of \"get\", \"get_diff\", \"get_files\", \"get_reviews\", \"get_status\"",
                    results[i]);
            }
        }
    }

    [Fact]
    public void Validate_AcceptsEveryDocumentedDefault()
    {
        // API.md §8.3 defaults written out explicitly are valid arguments.
        using var args = JsonDocument.Parse("""{"owner":"o","repo":"r","state":"open","per_page":30,"page":1}""");

        Assert.Null(ArgumentValidator.Validate(s_catalogue.ToolsByName["github_list_issues"], args.RootElement));
    }
}
