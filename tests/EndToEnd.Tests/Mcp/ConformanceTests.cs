using System.Text.Json.Nodes;
using Assistiv.EndToEnd.Tests.Support;

namespace Assistiv.EndToEnd.Tests.Mcp;

/// <summary>
/// The official conformance suite <c>@modelcontextprotocol/conformance</c> 0.1.16 (Node 22) against
/// <c>http://localhost:&lt;port&gt;/mcp</c> through <c>tools/auth-proxy.mjs</c>, which adds a real <c>sk-eu_</c> key and passes
/// Host and Origin through (the CLI cannot send a header; MCP.md §3.2). API.md §8.2 requires
/// <c>dns-rebinding-protection</c> to pass; <c>server-initialize</c>, <c>ping</c> and <c>tools-list</c> are the scenarios a
/// stateless tools-only broker can meet (MCP.md §3.3). Results are recorded in <c>docs/conformance.md</c>.
/// </summary>
public sealed class ConformanceTests(EndToEndHost host) : IClassFixture<EndToEndHost>
{
    [Theory]
    [InlineData("server-initialize")]
    [InlineData("ping")]
    [InlineData("tools-list")]
    [InlineData("dns-rebinding-protection")]
    public async Task ConformanceScenario_Passes(string scenario)
    {
        // The user needs a non-empty tool list (tools-list checks names and descriptions).
        var (_, user) = await host.UserAsync("mock");
        await using var proxy = await AuthProxy.StartAsync(host.Factory.BaseAddress, user.Key, TestContext.Current.CancellationToken);
        var results = Directory.CreateTempSubdirectory("conformance-");
        try
        {
            var cli = Path.Combine(NodeTools.Modules, "@modelcontextprotocol", "conformance", "dist", "index.js");
            var (exit, stdout, stderr) = await NodeTools.RunAsync(NodeTools.Node22,
                [cli, "server", "--url", $"http://localhost:{proxy.Port}/mcp", "--scenario", scenario, "-o", results.FullName],
                null, TimeSpan.FromMinutes(3), TestContext.Current.CancellationToken);
            TestContext.Current.TestOutputHelper?.WriteLine(stdout);

            var checks = Directory.GetFiles(results.FullName, "checks.json", SearchOption.AllDirectories)
                .SelectMany(f => JsonNode.Parse(File.ReadAllText(f))!.AsArray())
                .ToList();
            Assert.True(checks.Count > 0, $"no checks.json under {results.FullName}; exit {exit}\nstdout:\n{stdout}\nstderr:\n{stderr}");
            var failed = checks.Where(c => c!["status"]!.GetValue<string>() == "FAILURE").ToList();
            Assert.True(failed.Count == 0, $"{scenario}: failed checks:\n{string.Join('\n', failed.Select(c => c!.ToJsonString()))}\nstdout:\n{stdout}");
            Assert.Contains(checks, c => c!["status"]!.GetValue<string>() == "SUCCESS");
            Assert.True(exit == 0, $"conformance CLI exited {exit}\nstdout:\n{stdout}\nstderr:\n{stderr}");
        }
        finally
        {
            results.Delete(recursive: true);
        }
    }
}
