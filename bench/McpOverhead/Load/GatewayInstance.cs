using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.WebUtilities;

namespace Assistiv.Bench.McpOverhead.Load;

/// <summary>
/// The real gateway executable (<c>gateway.dll</c>, Release, copied next to this harness) as a pinned process on a fresh
/// SQLite file, seeded only through the product's own doors: <c>gateway init</c> (platform + admin key), then over HTTP
/// <c>POST P/end-users</c>, <c>POST P/mcp/apps</c> for <c>github</c> and <c>mock</c>, and the OAuth connect flow
/// (<c>GET /oauth/authorize</c> → <c>GET /oauth/callback</c>) whose code exchange hits the upstream's fake token
/// endpoint, so the stored, encrypted access token is the one the upstream checks.
/// </summary>
internal sealed class GatewayInstance : IAsyncDisposable
{
    private const string RedirectBaseUrl = "https://platform.example";

    private GatewayInstance(ChildProcess process, Uri baseUrl, Guid platformId, string adminKey)
    {
        Process = process;
        BaseUrl = baseUrl;
        PlatformId = platformId;
        AdminKey = adminKey;
    }

    public ChildProcess Process { get; }

    public Uri BaseUrl { get; }

    public Guid PlatformId { get; }

    public string AdminKey { get; }

    public string EndUserKey { get; private set; } = "";

    public static string DllPath => Path.Combine(AppContext.BaseDirectory, "gateway.dll");

    public static async Task<GatewayInstance> StartAsync(string name, string upstreamUrl, string workRoot, string? cpuList,
        IReadOnlyList<KeyValuePair<string, string>> extraEnvironment, CancellationToken cancellationToken)
    {
        var dir = Path.Combine(workRoot, name);
        Directory.CreateDirectory(dir);
        var port = ChildProcess.FreeLoopbackPort();
        var baseUrl = $"http://127.0.0.1:{port}";
        var env = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["DOTNET_ENVIRONMENT"] = "Production",
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Gateway__Database__Provider"] = "sqlite",
            ["ConnectionStrings__Gateway"] = $"Data Source={Path.Combine(dir, "gateway.db")}",
            ["Gateway__ListenUrls"] = baseUrl,
            ["Gateway__PublicBaseUrl"] = baseUrl,
            ["Gateway__EnableMockApps"] = "true",
            // The upstream listens on loopback; API-supplied hosts are not used here, but the flag keeps the guard quiet.
            ["Gateway__Network__AllowPrivateTargets"] = "true",
            ["Gateway__Apps__github__AuthorizeUrl"] = upstreamUrl + "/login/oauth/authorize",
            ["Gateway__Apps__github__TokenUrl"] = upstreamUrl + "/login/oauth/access_token",
            ["Gateway__Apps__github__ApiBaseUrl"] = upstreamUrl,
        };
        var connectors = Path.Combine(AppContext.BaseDirectory, "connectors.json");
        if (File.Exists(connectors))
        {
            env["Gateway__ConnectorsFile"] = connectors;
        }

        foreach (var (key, value) in extraEnvironment)
        {
            env[key] = value;
        }

        // The data protection certificate and anything else relative lands in the instance's own folder.
        var init = await ChildProcess.RunToEndAsync(dir, env, cancellationToken, "dotnet", DllPath, "init", "--name", "Bench " + name,
            // Tool calls are metered (API.md §5.6): past the free tier each call holds and settles from the wallet, so
            // the measured rows include the paid path. A million dollars lasts the run at 0.001 per call.
            "--wallet-usd", "1000000", "--json");
        using var created = JsonDocument.Parse(init);
        var platformId = Guid.Parse(created.RootElement.GetProperty("platform_id").GetString()!);
        var adminKey = created.RootElement.GetProperty("api_key").GetString()!;

        var process = ChildProcess.Start("gateway-" + name, cpuList, dir, Path.Combine(dir, "gateway.log"), env, stopsOnStdinEof: false, "dotnet", DllPath);
        var instance = new GatewayInstance(process, new Uri(baseUrl), platformId, adminKey);
        try
        {
            await process.WaitUntilAnswersAsync(new Uri(instance.BaseUrl, "/healthz"), TimeSpan.FromSeconds(60), cancellationToken);
            await instance.SeedAsync(cancellationToken);
            return instance;
        }
        catch
        {
            await instance.DisposeAsync();
            throw;
        }
    }

    private async Task SeedAsync(CancellationToken cancellationToken)
    {
        using var admin = Client(AdminKey);
        var platform = $"/v1/platforms/{PlatformId}";
        using (var response = await admin.PostAsJsonAsync(platform + "/end-users", new { external_id = "bench-user" }, cancellationToken))
        {
            var body = await ExpectAsync(response, HttpStatusCode.Created, "create the end user", cancellationToken);
            EndUserKey = body["api_key"]!["raw_key"]!.GetValue<string>();
        }

        foreach (var app in new[] { "github", "mock" })
        {
            using var response = await admin.PostAsJsonAsync(platform + "/mcp/apps", new
            {
                app,
                client_id = "bench-client",
                client_secret = "bench-secret",
                redirect_base_url = RedirectBaseUrl,
                settings = new { },
            }, cancellationToken);
            await ExpectAsync(response, HttpStatusCode.Created, "activate " + app, cancellationToken);
        }

        // github: the code is exchanged at the upstream's fake token endpoint; mock: at the in-process mock endpoint.
        await ConnectAsync("github", "bench-code", cancellationToken);
        await ConnectAsync("mock", "mock-code", cancellationToken);
    }

    private async Task ConnectAsync(string app, string code, CancellationToken cancellationToken)
    {
        string state;
        using (var user = Client(EndUserKey))
        using (var request = new HttpRequestMessage(HttpMethod.Get, "/oauth/authorize?app=" + app))
        {
            request.Headers.Accept.ParseAdd("application/json");
            using var response = await user.SendAsync(request, cancellationToken);
            var body = await ExpectAsync(response, HttpStatusCode.OK, "start connecting " + app, cancellationToken);
            var url = new Uri(body["url"]!.GetValue<string>());
            state = QueryHelpers.ParseQuery(url.Query)["state"].ToString();
        }

        using var browser = Client(null);
        using var callback = await browser.GetAsync($"/oauth/callback?code={code}&state={Uri.EscapeDataString(state)}", cancellationToken);
        var location = callback.Headers.Location?.ToString() ?? "";
        if (callback.StatusCode != HttpStatusCode.Redirect || !location.Contains("status=connected", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"Connecting {app} failed: {(int)callback.StatusCode} {location}; see {Process.LogPath}.");
        }
    }

    private HttpClient Client(string? key)
    {
        var client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false })
        {
            BaseAddress = BaseUrl,
            Timeout = TimeSpan.FromSeconds(30),
        };
        if (key is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return client;
    }

    private static async Task<JsonNode> ExpectAsync(HttpResponseMessage response, HttpStatusCode status, string what, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (response.StatusCode != status)
        {
            throw new InvalidOperationException($"Could not {what}: HTTP {(int)response.StatusCode} {text}");
        }

        return JsonNode.Parse(text)!;
    }

    public ValueTask DisposeAsync() => Process.DisposeAsync();
}
