using System.Net.Http.Json;
using Assistiv.Tests.Common.Host;

namespace Assistiv.Tests.Mcp;

/// <summary>Test data the MCP tests need, made through the public API.</summary>
internal static class McpTestData
{
    /// <summary>Activates apps for a platform with <c>POST P/mcp/apps</c> (API.md §4.11).</summary>
    public static async Task ActivateAppsAsync(this TestPlatform platform, params string[] apps)
    {
        using var admin = platform.Admin();
        foreach (var app in apps)
        {
            using var response = await admin.PostAsJsonAsync(platform.Path("/mcp/apps"), new
            {
                app,
                client_id = "client-" + app,
                client_secret = "secret-" + app,
                redirect_base_url = "https://platform.example.com",
            });
            Assert.True(response.IsSuccessStatusCode, $"activating {app}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }
}
