using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Assistiv.EndToEnd.Tests.Support;

namespace Assistiv.EndToEnd.Tests.Mcp;

/// <summary>
/// The request sequence VS Code (initialize era) sends (MCP.md §6 #7, microsoft/vscode#329848): <c>initialize</c>, then
/// <c>notifications/initialized</c>, then <c>tools/list</c> with <c>MCP-Protocol-Version: 2025-06-18</c>, with its
/// <c>Accept: text/event-stream, application/json</c>.
/// </summary>
public sealed class VsCodeShapedTests(EndToEndHost host) : IClassFixture<EndToEndHost>
{
    private const string VsCodeAccept = "text/event-stream, application/json";

    [Fact]
    public async Task VsCodeSequence_ListsTools()
    {
        var (_, user) = await host.UserAsync("mock", "github");
        using var http = new HttpClient { BaseAddress = host.Factory.BaseAddress };
        var initialize = new JsonObject
        {
            ["jsonrpc"] = "2.0",
            ["id"] = 1,
            ["method"] = "initialize",
            ["params"] = new JsonObject
            {
                ["protocolVersion"] = "2025-06-18",
                ["capabilities"] = new JsonObject
                {
                    ["roots"] = new JsonObject { ["listChanged"] = true },
                    ["sampling"] = new JsonObject(),
                    ["elicitation"] = new JsonObject(),
                },
                ["clientInfo"] = new JsonObject { ["name"] = "Visual Studio Code", ["version"] = "1.132.0" },
            },
        };
        using (var response = await http.SendAsync(Post(user.Key, initialize.ToJsonString(), null), TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var result = Last(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))["result"]!;
            Assert.Equal("2025-06-18", result["protocolVersion"]!.GetValue<string>());
            Assert.Equal("assistiv-gateway", result["serverInfo"]!["name"]!.GetValue<string>());
            Assert.False(response.Headers.Contains("Mcp-Session-Id"));
        }

        using (var response = await http.SendAsync(Post(user.Key, """{"jsonrpc":"2.0","method":"notifications/initialized"}""", "2025-06-18"), TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }

        using (var response = await http.SendAsync(Post(user.Key, """{"jsonrpc":"2.0","id":2,"method":"tools/list","params":{}}""", "2025-06-18"), TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var tools = Last(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))["result"]!["tools"]!.AsArray();
            var names = tools.Select(t => t!["name"]!.GetValue<string>()).ToArray();
            Assert.Contains("github_get_me", names);
            Assert.Contains("mock_echo", names);
            // API.md §8.3: names fit IDE limits, every tool has a description.
            Assert.All(tools, t =>
            {
                Assert.Matches("^[a-zA-Z0-9_-]{1,48}$", t!["name"]!.GetValue<string>());
                Assert.False(string.IsNullOrEmpty(t["description"]!.GetValue<string>()));
            });
        }
    }

    private static HttpRequestMessage Post(string key, string body, string? version)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/mcp") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.TryAddWithoutValidation("Accept", VsCodeAccept);
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + key);
        if (version is not null)
        {
            request.Headers.TryAddWithoutValidation("MCP-Protocol-Version", version);
        }

        return request;
    }

    private static JsonNode Last(string sse)
    {
        JsonNode? last = null;
        foreach (var line in sse.Split('\n'))
        {
            if (line.StartsWith("data:", StringComparison.Ordinal) && line.Length > 5)
            {
                last = JsonNode.Parse(line[5..].Trim());
            }
        }

        return last ?? throw new InvalidOperationException("no SSE data frame in: " + sse);
    }
}
