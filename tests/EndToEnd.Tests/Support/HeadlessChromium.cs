using System.Text.RegularExpressions;
using Assistiv.Tests.Common;
using Microsoft.Playwright;

namespace Assistiv.EndToEnd.Tests.Support;

/// <summary>
/// Debian's Chromium, headless, driven by Playwright for .NET (its driver ships inside the NuGet package; no
/// <c>playwright install</c>, no browser download). <c>./test.sh</c> installs the Debian package <c>chromium</c> when
/// <c>/usr/bin/chromium</c> is missing and exports <c>GATEWAY_TEST_CHROMIUM</c>; without the variable the default path is
/// used. A missing executable fails the test with a message naming the package; these tests never skip (API.md §1.7).
/// </summary>
internal sealed class HeadlessChromium : IAsyncDisposable
{
    public const string Variable = "GATEWAY_TEST_CHROMIUM";
    public const string DefaultPath = "/usr/bin/chromium";

    // No sandbox and no GPU (tests run as root, without a display); and no traffic of Chromium's own (updates, sync,
    // field trials, QUIC probes): the tests' machines reach nothing but loopback and the package registries.
    private static readonly string[] s_arguments =
    [
        "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync",
    ];

    private readonly IPlaywright _playwright;

    private HeadlessChromium(IPlaywright playwright, IBrowser browser)
    {
        _playwright = playwright;
        Browser = browser;
    }

    public IBrowser Browser { get; }

    /// <summary>The Chromium executable: <c>GATEWAY_TEST_CHROMIUM</c>, else <c>/usr/bin/chromium</c>; fails when it is absent.</summary>
    public static string ExecutablePath
    {
        get
        {
            var configured = Environment.GetEnvironmentVariable(Variable);
            var path = string.IsNullOrWhiteSpace(configured) ? DefaultPath : configured;
            Assert.True(File.Exists(path),
                $"Chromium not found at {path} ({(string.IsNullOrWhiteSpace(configured) ? Variable + " is not set; that is the default" : "from " + Variable)}). "
                + "The browser tests need Debian's package chromium: run ./test.sh, which installs it, or "
                + "apt-get install --no-install-recommends chromium (as root).");
            return path;
        }
    }

    public static async Task<HeadlessChromium> LaunchAsync()
    {
        var path = ExecutablePath;
        var playwright = await Playwright.CreateAsync();
        try
        {
            var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = path,
                Headless = true,
                Args = s_arguments,
                Timeout = (float)TestConstants.DefaultTimeout.TotalMilliseconds,
            });
            return new HeadlessChromium(playwright, browser);
        }
        catch
        {
            playwright.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A page in a fresh context (its own cookie jar) for a gateway that began with <c>init</c>. Requests to the gateway's
    /// public base URL are forwarded to its real socket, as the reverse proxy of API.md §1.2 would (invisibly to the page:
    /// it sees only the public URLs; see <see cref="ForwardAsync"/>); other loopback addresses (the WireMock fakes) are
    /// reached as they are; anything else is aborted, so nothing leaves the machine. Every gateway URL the browser opened
    /// is recorded in <see cref="GatewayPage.GatewayRequests"/>.
    /// </summary>
    public async Task<GatewayPage> NewPageAsync(InitializedGateway gateway)
    {
        var context = await Browser.NewContextAsync();
        context.SetDefaultTimeout((float)TestConstants.DefaultTimeout.TotalMilliseconds);
        context.SetDefaultNavigationTimeout((float)TestConstants.DefaultTimeout.TotalMilliseconds);
        var page = new GatewayPage(context, await context.NewPageAsync());

        // Playwright tries the routes registered last first.
        await context.RouteAsync(_ => true, route =>
            new Uri(route.Request.Url).IsLoopback ? route.ContinueAsync() : route.AbortAsync("blockedbyclient"));
        await context.RouteAsync(
            url => url.StartsWith(InitializedGateway.PublicBaseUrl + "/", StringComparison.Ordinal),
            route =>
            {
                var url = new Uri(route.Request.Url);
                page.Record(url);
                return ForwardAsync(route, gateway.OnSocket(url));
            });
        return page;
    }

    /// <summary>
    /// The reverse proxy: the request as the browser made it (method, body, headers with its cookies) goes to the socket,
    /// and the answer, a redirect included (not followed here), goes back to the page unchanged. (A
    /// <c>route.ContinueAsync</c> with another URL would be shorter, but with Debian's Chromium the rewritten request
    /// loses the <c>gw_connect</c> cookie.)
    /// </summary>
    private static async Task ForwardAsync(IRoute route, Uri target)
    {
        var headers = (await route.Request.AllHeadersAsync())
            .Where(h => h.Key != "host" && !h.Key.StartsWith(':'))
            .ToDictionary(h => h.Key, h => h.Value, StringComparer.OrdinalIgnoreCase);
        var response = await route.FetchAsync(new RouteFetchOptions
        {
            Url = target.AbsoluteUri,
            Headers = headers,
            MaxRedirects = 0,
            Timeout = (float)TestConstants.DefaultTimeout.TotalMilliseconds,
        });
        await route.FulfillAsync(new RouteFulfillOptions { Response = response });
    }

    public async ValueTask DisposeAsync()
    {
        await Browser.DisposeAsync();
        _playwright.Dispose();
    }
}

/// <summary>
/// A Playwright page whose context <see cref="HeadlessChromium.NewPageAsync"/> routed to a gateway. Its navigations mask
/// the single-use secrets of OAuth URLs (<c>connect_token</c>, <c>state</c>, <c>code</c>, PKCE values) in error messages,
/// which Playwright would otherwise print in full.
/// </summary>
internal sealed partial class GatewayPage(IBrowserContext context, IPage page) : IAsyncDisposable
{
    private readonly List<Uri> _gatewayRequests = [];

    public IPage Page { get; } = page;

    /// <summary>The page's current URL.</summary>
    public string Url => Page.Url;

    /// <summary>The gateway URLs (under the public base URL) the browser requested, in order.</summary>
    public IReadOnlyList<Uri> GatewayRequests
    {
        get
        {
            lock (_gatewayRequests)
            {
                return [.. _gatewayRequests];
            }
        }
    }

    /// <summary>Opens a URL as if typed into the address bar; returns the main resource's last response.</summary>
    public Task<IResponse?> GotoAsync(Uri url) => MaskedAsync(() => Page.GotoAsync(url.AbsoluteUri));

    /// <summary>Clicks the button named <paramref name="name"/> and waits until the page's URL satisfies <paramref name="until"/>.</summary>
    public Task ClickAsync(string name, Func<string, bool> until) => MaskedAsync(async () =>
    {
        await Page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = name, Exact = true }).ClickAsync();
        await Page.WaitForURLAsync(until);
        return true;
    });

    /// <summary><paramref name="url"/> with the values of OAuth's single-use query parameters replaced by <c>***</c>.</summary>
    public static string Mask(string url) => SecretParameter().Replace(url, "$1***");

    internal void Record(Uri url)
    {
        lock (_gatewayRequests)
        {
            _gatewayRequests.Add(url);
        }
    }

    private static async Task<T> MaskedAsync<T>(Func<Task<T>> action)
    {
        try
        {
            return await action();
        }
        catch (PlaywrightException ex)
        {
            throw new PlaywrightException(Mask(ex.Message));
        }
    }

    [GeneratedRegex("([?&](?:connect_token|state|code|code_challenge|code_verifier)=)[^&\\s\"']+")]
    private static partial Regex SecretParameter();

    public ValueTask DisposeAsync() => context.DisposeAsync();
}
