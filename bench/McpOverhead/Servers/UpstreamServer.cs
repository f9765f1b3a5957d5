namespace Assistiv.Bench.McpOverhead.Servers;

/// <summary>
/// The upstream of STYLE.md §4's load run: a minimal Kestrel app (no routing, no logging below Warning) answering what
/// <c>github_get_me</c> calls, <c>GET /user</c> with the OpenAPI example body when the bearer token matches, plus the fake
/// OAuth token endpoint the seeding's callback exchanges its code at. WireMock's request matching would add noise.
/// </summary>
internal static class UpstreamServer
{
    public static async Task<int> RunAsync(ServerArgs args)
    {
        var builder = ServerArgs.SlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseUrls(args.Url);
        var app = builder.Build();

        var user = ServerArgs.UserBody();
        var token = args.TokenBody();
        var bearer = "Bearer " + args.Token;
        app.Run(context =>
        {
            var request = context.Request;
            var response = context.Response;
            if (HttpMethods.IsGet(request.Method) && request.Path.Equals("/user", StringComparison.Ordinal))
            {
                if (!string.Equals(request.Headers.Authorization.ToString(), bearer, StringComparison.Ordinal))
                {
                    response.StatusCode = StatusCodes.Status401Unauthorized;
                    response.ContentType = "application/json; charset=utf-8";
                    return response.Body.WriteAsync("""{"message":"Bad credentials"}"""u8.ToArray()).AsTask();
                }

                response.ContentType = "application/json; charset=utf-8";
                response.ContentLength = user.Length;
                return response.Body.WriteAsync(user).AsTask();
            }

            if (HttpMethods.IsPost(request.Method) && request.Path.Equals("/login/oauth/access_token", StringComparison.Ordinal))
            {
                response.ContentType = "application/json; charset=utf-8";
                response.ContentLength = token.Length;
                return response.Body.WriteAsync(token).AsTask();
            }

            response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        });

        await app.StartAsync();
        await ServerArgs.WaitForShutdownAsync(app);
        return 0;
    }
}
