using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using Assistiv.Tests.Common.Host;
using Assistiv.Tests.Mcp;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Assistiv.McpServer.Tests.Observability;

/// <summary>
/// The default log levels (decisions 0076, 0086): one request line per request from the gateway, with the route
/// pattern, and no line that repeats what a client sent (a tool name, a key) or refused-key chatter at Information.
/// The host here sets no level of its own.
/// </summary>
public sealed class RequestLogLinesTests : IAsyncLifetime
{
    private const string Requests = "Assistiv.McpServer.Requests";
    private readonly CapturingLoggerProvider _logs = new();
    private GatewayFactory _factory = null!;

    public ValueTask InitializeAsync()
    {
        _factory = new GatewayFactory();
        FakeOAuthSeams.Install(_factory);
        var install = _factory.ConfigureTestServices;
        _factory.ConfigureTestServices = s =>
        {
            install?.Invoke(s);
            s.AddSingleton<ILoggerProvider>(_logs);
        };
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        _factory.Dispose();
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task ClientInput_NeverReachesTheLog_AndEachRequestHasOneLine()
    {
        var ct = TestContext.Current.CancellationToken;
        var platform = await _factory.CreatePlatformAsync();
        await platform.ActivateAppsAsync("mock");
        var user = await platform.CreateEndUserAsync();
        var forged = "x\nfail: Forged.Category[0]\n      " + user.Key;

        using var client = _factory.Client(user.Key);
        var call = McpHttp.Request("tools/call", new JsonObject { ["name"] = forged, ["arguments"] = new JsonObject() });
        string callId;
        using (var response = await client.SendAsync(McpHttp.Post("/mcp", call, "2025-06-18"), ct))
        {
            callId = response.Headers.GetValues("x-request-id").Single();
            await McpHttp.ErrorAsync(response, -32602); // API.md §8.5: unknown tool
        }

        string refusedId;
        using (var refused = _factory.Client("sk-eu_" + new string('a', 40)))
        using (var me = await refused.GetAsync("/v1/me?connect_token=" + user.Key, ct))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, me.StatusCode);
            refusedId = me.Headers.GetValues("x-request-id").Single();
        }

        // The request line is written once the response is done, which may be just after the client has it.
        var callLine = await _logs.SingleLineAsync(callId, ct);
        var refusedLine = await _logs.SingleLineAsync(refusedId, ct);
        Assert.Equal(Requests, callLine.Category);
        Assert.Matches(@"^POST /mcp answered 200 in \d+\.\d ms \(req_[0-9A-Z]{26}\)\.$", callLine.Message);
        Assert.Matches(@"^GET /v1/me answered 401 in \d+\.\d ms \(req_[0-9A-Z]{26}\)\.$", refusedLine.Message);

        var lines = _logs.Entries();
        Assert.DoesNotContain(lines, l => l.Message.Contains(user.Key, StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Message.Contains("Forged.Category", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Level >= LogLevel.Information
            && (l.Category.StartsWith("ModelContextProtocol", StringComparison.Ordinal) || l.Category.Contains("Authentication", StringComparison.Ordinal)
                || l.Category.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal)));
    }

    private sealed record Entry(string Category, LogLevel Level, string Message);

    private sealed class CapturingLoggerProvider : ILoggerProvider
    {
        private readonly ConcurrentQueue<Entry> _entries = new();

        public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _entries);

        public IReadOnlyList<Entry> Entries() => [.. _entries];

        /// <summary>The one line that names <paramref name="requestId"/>, waiting up to 10 s for it to be written.</summary>
        public async Task<Entry> SingleLineAsync(string requestId, CancellationToken cancellationToken)
        {
            for (var i = 0; i < 200 && !_entries.Any(e => e.Message.Contains(requestId, StringComparison.Ordinal)); i++)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(50), TimeProvider.System, cancellationToken);
            }

            return Assert.Single(_entries, e => e.Message.Contains(requestId, StringComparison.Ordinal));
        }

        public void Dispose()
        {
        }

        private sealed class Logger(string category, ConcurrentQueue<Entry> entries) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                entries.Enqueue(new Entry(category, logLevel, formatter(state, exception) + (exception is null ? "" : "\n" + exception)));
        }
    }
}
