using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Assistiv.Tests.Common;
using Assistiv.Tests.Common.Host;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Time.Testing;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace Assistiv.EndToEnd.Tests.Support;

/// <summary>
/// A gateway that began with <c>init</c> (API.md §1.7): the CLI runs as a process on a fresh working folder (its SQLite
/// file and generated Data Protection certificate under <c>./data/</c>), then the server is hosted in-process on that same
/// file, with the same certificate and a <see cref="FakeTimeProvider"/>, on Kestrel at 127.0.0.1 port 0. Clients talk
/// HTTP to the real socket; URLs the server hands out name the public base URL, which stands for that socket (as a
/// reverse proxy would, API.md §1.2).
/// </summary>
internal sealed class InitializedGateway : IAsyncDisposable
{
    /// <summary>The platform's own site, where users land after a connect (API.md §4.11 <c>redirect_base_url</c>).</summary>
    public const string RedirectBaseUrl = "https://app.example.com";

    /// <summary><see cref="GatewayFactory"/>'s <c>Gateway:PublicBaseUrl</c>.</summary>
    public const string PublicBaseUrl = "http://127.0.0.1:8080";

    private readonly string _workingDirectory;
    private readonly FakeTimeProvider _time;
    private readonly Action<GatewayFactory>? _configure;

    private InitializedGateway(string workingDirectory, FakeTimeProvider time, Action<GatewayFactory>? configure, Guid platformId, string adminKey)
    {
        _workingDirectory = workingDirectory;
        _time = time;
        _configure = configure;
        PlatformId = platformId;
        AdminKey = adminKey;
        CertificatePath = Path.Combine(workingDirectory, "data", "dp-cert.pfx");
        Factory = NewFactory();
    }

    /// <summary>The in-process server (a new one after <see cref="RestartServerAsync"/>).</summary>
    public GatewayFactory Factory { get; private set; }

    public Guid PlatformId { get; }

    public string AdminKey { get; }

    /// <summary>The Data Protection certificate <c>init</c> generated (API.md §3.2), which the server uses too.</summary>
    public string CertificatePath { get; }

    /// <summary>The platform <c>init</c> created, with the admin key it printed.</summary>
    public TestPlatform Platform => new(Factory, PlatformId, AdminKey);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Runs <c>gateway init --json</c>, then starts the in-process server on its database.</summary>
    public static async Task<InitializedGateway> StartAsync(FakeTimeProvider time, Action<GatewayFactory>? configure = null)
    {
        var dir = GatewayProcess.NewWorkingDirectory();
        var (exit, stdout, stderr) = await GatewayProcess.RunAsync(dir, Ct, "init", "--json");
        Assert.True(exit == 0, $"gateway init exited with {exit}: {stderr}");
        // API.md §3.3: init --json prints {"platform_id","platform_slug","key_id","api_key"}; the key has all three scopes.
        using var printed = JsonDocument.Parse(stdout);
        var platformId = Guid.Parse(printed.RootElement.GetProperty("platform_id").GetString()!);
        var adminKey = printed.RootElement.GetProperty("api_key").GetString()!;
        Assert.StartsWith("sk-plat_", adminKey, StringComparison.Ordinal);

        var gateway = new InitializedGateway(dir, time, configure, platformId, adminKey);
        _ = gateway.Factory.BaseAddress;
        return gateway;
    }

    /// <summary>Stops the in-process server, runs <paramref name="whileStopped"/>, and starts a new one on the same file.</summary>
    public async Task RestartServerAsync(Func<Task>? whileStopped = null)
    {
        await Factory.DisposeAsync();
        if (whileStopped is not null)
        {
            await whileStopped();
        }

        Factory = NewFactory();
        _ = Factory.BaseAddress;
    }

    /// <summary>
    /// Runs the server executable as a process in the working folder <c>init</c> used (API.md §1.7); a process still
    /// running after <see cref="TestConstants.DefaultTimeout"/> is killed and the test fails.
    /// </summary>
    public async Task<(int ExitCode, string StdOut, string StdErr)> RunExecutableAsync(params string[] args)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        limit.CancelAfter(TestConstants.DefaultTimeout);
        return await GatewayProcess.RunAsync(_workingDirectory, limit.Token, args);
    }

    private GatewayFactory NewFactory()
    {
        var data = Path.Combine(_workingDirectory, "data");
        var factory = GatewayFactory.OnSqliteFile(Path.Combine(data, "gateway.db"), _time, CertificatePath);
        _configure?.Invoke(factory);
        return factory;
    }

    /// <summary>
    /// Activates an app over HTTP with the admin key <c>init</c> printed (API.md §4.11 <c>POST P/mcp/apps</c>; 201 on the
    /// first activation). Users land on <paramref name="redirectBaseUrl"/> (default <see cref="RedirectBaseUrl"/>) after
    /// a connect.
    /// </summary>
    public async Task ActivateAsync(string app, string clientId, string clientSecret, string redirectBaseUrl = RedirectBaseUrl)
    {
        using var admin = Client(Platform.AdminKey);
        using var response = await admin.PostAsJsonAsync(Platform.Path("/mcp/apps"), new
        {
            app,
            client_id = clientId,
            client_secret = clientSecret,
            redirect_base_url = redirectBaseUrl,
        }, Ct);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync(Ct));
    }

    /// <summary>A client to the real socket that shows redirects instead of following them and keeps no cookies.</summary>
    public HttpClient Client(string? key = null)
    {
        var client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false })
        {
            BaseAddress = Factory.BaseAddress,
            Timeout = TestConstants.DefaultTimeout,
        };
        if (key is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return client;
    }

    /// <summary>A browser without a screen: keeps cookies, never follows a redirect on its own (see <see cref="Browser"/>).</summary>
    public Browser NewBrowser() => new(this);

    /// <summary>The real socket's address for a URL the server handed out under the public base URL.</summary>
    public Uri OnSocket(Uri publicUrl)
    {
        Assert.StartsWith(PublicBaseUrl + "/", publicUrl.AbsoluteUri, StringComparison.Ordinal);
        return new Uri(Factory.BaseAddress, publicUrl.PathAndQuery);
    }

    /// <summary>The MCP C# SDK client over Streamable HTTP with the key in an <c>Authorization</c> header (API.md §8.2).</summary>
    public Task<McpClient> McpAsync(string key, string path = "/mcp") => McpAsync(new Uri(Factory.BaseAddress, path), "Bearer " + key);

    /// <inheritdoc cref="McpAsync(string, string)"/>
    public static async Task<McpClient> McpAsync(Uri endpoint, string authorization)
    {
        var transport = new HttpClientTransport(new HttpClientTransportOptions
        {
            Endpoint = endpoint,
            TransportMode = HttpTransportMode.StreamableHttp,
            AdditionalHeaders = new Dictionary<string, string> { ["Authorization"] = authorization },
        });
        return await McpClient.CreateAsync(transport, new McpClientOptions { ClientInfo = new Implementation { Name = "e2e-flows", Version = "1.0.0" } },
            cancellationToken: Ct);
    }

    public static Dictionary<string, string> Query(Uri url) =>
        QueryHelpers.ParseQuery(url.Query).ToDictionary(kv => kv.Key, kv => kv.Value.ToString(), StringComparer.Ordinal);

    public async ValueTask DisposeAsync()
    {
        await Factory.DisposeAsync();
        try
        {
            Directory.Delete(_workingDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>
    /// Follows a redirect chain one hop at a time, as a browser would: cookies are kept (the <c>gw_connect</c> binding
    /// cookie of API.md §9.1), and every hop is the caller's to assert.
    /// </summary>
    internal sealed class Browser : IDisposable
    {
        private readonly InitializedGateway _gateway;
        private readonly HttpClient _http;

        public Browser(InitializedGateway gateway)
        {
            _gateway = gateway;
            _http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = true, CookieContainer = new CookieContainer() })
            {
                Timeout = TestConstants.DefaultTimeout,
            };
        }

        /// <summary>Opens a URL under the public base URL and returns the response (a redirect is not followed).</summary>
        public Task<HttpResponseMessage> OpenAsync(Uri publicUrl) => _http.GetAsync(_gateway.OnSocket(publicUrl), Ct);

        public void Dispose() => _http.Dispose();
    }
}
