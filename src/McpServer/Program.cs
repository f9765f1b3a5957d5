using Assistiv.McpServer.Cli;
using Assistiv.McpServer.Endpoints;
using Assistiv.McpServer.Endpoints.Health;
using Assistiv.McpServer.Endpoints.OAuth;
using Assistiv.McpServer.Hosting;
using Assistiv.McpServer.Mcp;
using Assistiv.McpServer.Observability;

if (GatewayCli.Handles(args))
{
    return await GatewayCli.RunAsync(args);
}

// No configuration reload on file changes (docs/decisions/0078-no-config-reload.md): the reload watches the content
// root recursively, and the SQLite files under ./data/ change on every write, so each metered call woke the watcher.
var builder = WebApplication.CreateBuilder(["--hostBuilder:reloadConfigOnChange=false", .. GatewayCli.ServeArgs(args)]);
builder.AddGatewayHost();
builder.AddPlatform();
builder.AddOAuthBroker();
builder.AddGatewayServices();
builder.AddMcpGateway();
builder.AddGatewayMetrics();

var app = builder.Build();
app.UseGatewayPipeline();
app.MapHealth();
app.MapGatewayMetrics();
app.MapPlatformsApi();
app.MapMeApi();
app.MapMcpGateway();
app.MapOAuthApi();

return await GatewayCli.RunHostAsync(app);
