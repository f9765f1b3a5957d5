using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WireMock.Settings;

namespace Assistiv.Bench.McpOverhead.Servers;

/// <summary>
/// The same two endpoints on WireMock.Net 1.25.0, as the issue names it and the end-to-end tests use it; reported beside
/// the Kestrel upstream to show how much of a WireMock-based number is WireMock's own request matching.
/// </summary>
internal static class WireMockUpstream
{
    public static async Task<int> RunAsync(ServerArgs args)
    {
        using var server = WireMockServer.Start(new WireMockServerSettings
        {
            Port = args.Port,
            // Request logging would grow without bound under load and is part of what we do not want to measure.
            MaxRequestLogCount = 0,
            StartAdminInterface = false,
        });
        server.Given(Request.Create().WithPath("/user").UsingGet().WithHeader("Authorization", "Bearer " + args.Token))
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json; charset=utf-8")
                .WithBody(ServerArgs.UserBody()));
        server.Given(Request.Create().WithPath("/login/oauth/access_token").UsingPost())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json; charset=utf-8")
                .WithBody(args.TokenBody()));

        // The parent keeps our stdin open; EOF means it is gone.
        await Console.In.ReadToEndAsync();
        return 0;
    }
}
