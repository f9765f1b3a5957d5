namespace Assistiv.Bench.McpOverhead.Servers;

/// <summary>Arguments of a child server mode: <c>--port N --token T</c>.</summary>
internal sealed record ServerArgs(int Port, string Token)
{
    /// <summary>The bearer token every upstream expects and the fake token endpoint hands out.</summary>
    public const string DefaultToken = "gho_benchmarkbenchmarkbenchmarkbench01";

    public string Url => $"http://127.0.0.1:{Port}";

    /// <summary>
    /// A slim web host builder that watches no files. The servers run in the load run's work folder, which also holds the
    /// gateway's SQLite files; ASP.NET's default config reload watches the content root recursively, so every WAL write of
    /// the gateway woke this process's file watcher on the gateway's CPU (measured: 4 % of the gateway's samples in
    /// <c>fsnotify</c>, and the "other load" of the report).
    /// </summary>
    public static WebApplicationBuilder SlimBuilder() => WebApplication.CreateSlimBuilder(new WebApplicationOptions
    {
        Args = ["--hostBuilder:reloadConfigOnChange=false"],
        ContentRootPath = AppContext.BaseDirectory,
    });

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
