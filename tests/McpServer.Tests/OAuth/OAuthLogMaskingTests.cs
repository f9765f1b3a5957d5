using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Assistiv.Tests.Common.Host;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Assistiv.McpServer.Tests.OAuth;

/// <summary>API.md §3.2: the query values <c>connect_token</c>, <c>code</c> and <c>state</c> appear as <c>***</c> in every log line.</summary>
public sealed class OAuthLogMaskingTests : IAsyncLifetime
{
    private readonly CapturingLoggerProvider _logs = new();
    private OAuthHost _host = null!;

    public ValueTask InitializeAsync()
    {
        _host = new OAuthHost(f =>
        {
            // Everything the host and the framework can log, at every level.
            f.With("Logging:LogLevel:Default", "Trace");
            f.With("Logging:LogLevel:Microsoft", "Trace");
            f.With("Logging:LogLevel:Microsoft.AspNetCore", "Trace");
            f.ConfigureTestServices = s => s.AddSingleton<ILoggerProvider>(_logs);
        });
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync() => _host.DisposeAsync();

    [Fact]
    public async Task ConnectFlow_NeverLogsConnectTokenCodeOrState()
    {
        var ct = TestContext.Current.CancellationToken;
        var platform = await _host.Factory.CreatePlatformAsync();
        var user = await platform.CreateEndUserAsync();
        await _host.ActivateAsync(platform, "github");
        const string code = "code-c0ffee-4b1d-secret";
        _host.GitHubToken(code, "gho_tokenvalue", "octocat");

        using var client = _host.Client(user.Key);
        using var list = await client.GetAsync("/v1/me/connections", ct);
        var body = await list.Content.ReadAsStringAsync(ct);
        var link = new Uri(System.Text.Json.JsonDocument.Parse(body).RootElement.GetProperty("data")[0].GetProperty("connect_url").GetString()!);
        var connectToken = OAuthHost.Query(link)["connect_token"];
        using var browser = _host.Client();
        using var authorize = await browser.GetAsync(link.PathAndQuery, ct);
        Assert.Equal(HttpStatusCode.Redirect, authorize.StatusCode);
        var state = OAuthHost.Query(authorize.Headers.Location!)["state"];
        var cookie = authorize.Headers.GetValues("Set-Cookie").Single().Split(';')[0];
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/oauth/callback?code={code}&state={state}");
        request.Headers.Add("Cookie", cookie);
        using var callback = await browser.SendAsync(request, ct);
        Assert.EndsWith("status=connected&app=github&account=octocat", callback.Headers.Location!.AbsoluteUri, StringComparison.Ordinal);
        // A bad request line must not leak either.
        using var unknown = await browser.GetAsync("/oauth/callback?code=" + code + "&state=" + connectToken, ct);

        var lines = _logs.Lines();
        Assert.NotEmpty(lines);
        foreach (var secret in new[] { connectToken, state, code, "gho_tokenvalue", user.Key })
        {
            var leaks = lines.Where(l => l.Contains(secret, StringComparison.Ordinal)).ToList();
            Assert.True(leaks.Count == 0, $"'{secret[..6]}…' leaked in: {string.Join("\n", leaks.Take(3))}");
        }

        Assert.Contains(lines, l => l.Contains("code=***", StringComparison.Ordinal) && l.Contains("state=***", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("connect_token=***", StringComparison.Ordinal));
    }

    private sealed class CapturingLoggerProvider : ILoggerProvider
    {
        private readonly ConcurrentQueue<string> _lines = new();

        public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _lines);

        public IReadOnlyList<string> Lines() => [.. _lines];

        public void Dispose()
        {
        }

        private sealed class Logger(string category, ConcurrentQueue<string> lines) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull
            {
                lines.Enqueue(category + " scope: " + Describe(state));
                return null;
            }

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                // Structured providers (JSON console, OpenTelemetry) write the state's values, not just the message.
                lines.Enqueue(category + ": " + formatter(state, exception) + " | " + Describe(state) + (exception is null ? "" : " | " + exception));
            }

            private static string Describe<TState>(TState state)
            {
                if (state is IEnumerable<KeyValuePair<string, object?>> pairs)
                {
                    var sb = new StringBuilder();
                    foreach (var (k, v) in pairs)
                    {
                        sb.Append(k).Append('=').Append(v).Append(' ');
                    }

                    return sb.ToString();
                }

                return state?.ToString() ?? "";
            }
        }
    }
}
