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

var builder = WebApplication.CreateBuilder(GatewayCli.ServeArgs(args));
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
