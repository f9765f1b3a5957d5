using System.Net;
using System.Text.Json.Nodes;
using Assistiv.Tests.Mcp;

namespace Assistiv.McpServer.Tests.Mcp;

/// <summary>URL elicitation of a 2025-11-25 session over the real broker (API.md §8.5, §9.1).</summary>
public sealed class McpCatalogueStatefulTests(StatefulCatalogueMcpHostFixture host) : IClassFixture<StatefulCatalogueMcpHostFixture>
{
    [Fact]
    public async Task UrlElicitation_CarriesTheElicitationIdIntoTheConnectLink()
    {
        var (_, user) = await host.UserAsync("github");
        using var client = host.Factory.Client(user.Key);
        using var init = await client.SendAsync(McpHttp.Post("/mcp", McpHttp.Initialize("2025-11-25",
            new JsonObject { ["elicitation"] = new JsonObject { ["url"] = new JsonObject() } })), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, init.StatusCode);
        var session = init.Headers.GetValues("Mcp-Session-Id").Single();

        using var request = McpHttp.Post("/mcp", McpHttp.Request("tools/call", new JsonObject { ["name"] = "github_get_me", ["arguments"] = new JsonObject() }), "2025-11-25");
        request.Header("Mcp-Session-Id", session);
        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        var error = await McpHttp.ErrorAsync(response, -32042);
        var elicitation = error["data"]!["elicitations"]![0]!;

        // The link the broker minted was made for this elicitation (API.md §9.1: the elicitationId travels into the state).
        var link = host.OAuth.Links.Single(l => l.Connection.EndUserId == user.Id);
        Assert.Equal(elicitation["elicitationId"]!.GetValue<string>(), link.ElicitationId);
        Assert.Equal(link.Link.AbsoluteUri, elicitation["url"]!.GetValue<string>());
        Assert.Equal("[not_connected] GitHub is not connected for this user. Open this link to connect it, then retry: " + link.Link.AbsoluteUri,
            elicitation["message"]!.GetValue<string>());
    }
}
