namespace Assistiv.Bench.McpOverhead.Servers;

/// <summary>Arguments of a child server mode: <c>--port N --token T</c>.</summary>
internal sealed record ServerArgs(int Port, string Token)
{
    /// <summary>The bearer token every upstream expects and the fake token endpoint hands out.</summary>
    public const string DefaultToken = "gho_benchmarkbenchmarkbenchmarkbench01";

    public string Url => $"http://127.0.0.1:{Port}";

    public static ServerArgs Parse(string[] args)
    {
        var port = 0;
        var token = DefaultToken;
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--port":
                    port = int.Parse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture);
                    break;
                case "--token":
                    token = args[i + 1];
                    break;
                default:
                    throw new ArgumentException($"Unknown server argument '{args[i]}'.");
            }
        }

        if (port <= 0)
        {
            throw new ArgumentException("--port is required.");
        }

        return new ServerArgs(port, token);
    }

    /// <summary>The OpenAPI example body of <c>GET /user</c> (tests/Connectors.Tests/Fixtures/github/user.json).</summary>
    public static byte[] UserBody() => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", "github-user.json"));

    /// <summary>The fake token endpoint's answer (GitHub OAuth App shape, CONNECTORS.md §1.1).</summary>
    public byte[] TokenBody() => System.Text.Encoding.UTF8.GetBytes(
        $$"""{"access_token":"{{Token}}","scope":"repo,gist","token_type":"bearer"}""");

    /// <summary>Blocks until stdin closes or the process is told to stop, so a parent that dies takes its children along.</summary>
    public static async Task WaitForShutdownAsync(IHost host)
    {
        var lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();
        _ = Task.Run(async () =>
        {
            // The parent keeps our stdin open; EOF means it is gone.
            await Console.In.ReadToEndAsync();
            lifetime.StopApplication();
        });
        await host.WaitForShutdownAsync();
    }
}
