using System.Net;
using System.Text;
using System.Text.Json;

namespace Assistiv.Bench.McpOverhead.Load;

/// <summary>One request shape of the load run and how to tell a good answer from a bad one.</summary>
internal sealed class Scenario : IDisposable
{
    public const string ProtocolVersion = "2025-11-25";

    private readonly Func<HttpRequestMessage> _newRequest;
    private readonly Func<HttpResponseMessage, byte[], string?> _check;

    private Scenario(string key, string title, Uri baseUrl, IReadOnlyList<ChildProcess> servers, Func<HttpRequestMessage> newRequest,
        Func<HttpResponseMessage, byte[], string?> check)
    {
        Key = key;
        Title = title;
        Servers = servers;
        _newRequest = newRequest;
        _check = check;
        // Closed loop: one connection per worker, kept for the whole run (no redirects, cookies or decompression).
        Client = new HttpClient(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(10),
        })
        {
            BaseAddress = baseUrl,
            Timeout = TimeSpan.FromSeconds(30),
        };
    }

    public string Key { get; }

    public string Title { get; }

    /// <summary>The processes that do the server-side work of one request (for CPU per request).</summary>
    public IReadOnlyList<ChildProcess> Servers { get; }

    public HttpClient Client { get; }

    public HttpRequestMessage NewRequest() => _newRequest();

    /// <returns>Null when the answer is the expected one, else what is wrong with it.</returns>
    public string? Check(HttpResponseMessage response, byte[] body) => _check(response, body);

    /// <summary>(a) <c>GET /user</c> straight to the upstream with the same bearer token the gateway sends.</summary>
    public static Scenario DirectUpstream(string key, string title, Uri upstream, string token, int expectedLength, ChildProcess server)
    {
        var bearer = "Bearer " + token;
        return new Scenario(key, title, upstream, [server], () =>
        {
            var request = new HttpRequestMessage(HttpMethod.Get, "/user");
            request.Headers.TryAddWithoutValidation("Authorization", bearer);
            request.Headers.TryAddWithoutValidation("Accept", "application/vnd.github+json");
            request.Headers.TryAddWithoutValidation("User-Agent", "assistiv-bench");
            return request;
        }, (response, body) => response.StatusCode != HttpStatusCode.OK
            ? $"HTTP {(int)response.StatusCode}"
            : body.Length != expectedLength ? $"body of {body.Length} bytes, expected {expectedLength}" : null);
    }

    /// <summary>(b)–(d) MCP <c>tools/call</c>: <c>POST /mcp</c>, stateless, <c>MCP-Protocol-Version: 2025-11-25</c>.</summary>
    public static Scenario ToolCall(string key, string title, Uri server, string? bearerKey, string tool, string argumentsJson, IReadOnlyList<ChildProcess> servers)
    {
        var body = Encoding.UTF8.GetBytes(
            """{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":""" + "\"" + tool + "\",\"arguments\":" + argumentsJson + "}}");
        var bearer = bearerKey is null ? null : "Bearer " + bearerKey;
        return new Scenario(key, title, server, servers, () =>
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/mcp") { Content = new ByteArrayContent(body) };
            request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
            if (bearer is not null)
            {
                request.Headers.TryAddWithoutValidation("Authorization", bearer);
            }

            request.Headers.TryAddWithoutValidation("Accept", "application/json, text/event-stream");
            request.Headers.TryAddWithoutValidation("MCP-Protocol-Version", ProtocolVersion);
            return request;
        }, CheckToolResult);
    }

    /// <summary>The answer is one JSON-RPC response (SSE <c>data:</c> or plain JSON) with a result whose isError is not true.</summary>
    private static string? CheckToolResult(HttpResponseMessage response, byte[] body)
    {
        if (response.StatusCode != HttpStatusCode.OK)
        {
            return $"HTTP {(int)response.StatusCode}: {Snippet(body)}";
        }

        ReadOnlySpan<byte> json = body;
        if (response.Content.Headers.ContentType?.MediaType == "text/event-stream")
        {
            var data = json.IndexOf("data:"u8);
            if (data < 0)
            {
                return "SSE answer without a data line: " + Snippet(body);
            }

            json = json[(data + 5)..];
            var end = json.IndexOf((byte)'\n');
            json = (end < 0 ? json : json[..end]).Trim(" \r"u8);
        }

        try
        {
            var reader = new Utf8JsonReader(json);
            using var document = JsonDocument.ParseValue(ref reader);
            if (!document.RootElement.TryGetProperty("result", out var result))
            {
                return "no result: " + Snippet(body);
            }

            if (result.TryGetProperty("isError", out var isError) && isError.ValueKind == JsonValueKind.True)
            {
                return "isError: " + Snippet(body);
            }

            return result.TryGetProperty("content", out var content) && content.GetArrayLength() > 0 ? null : "empty content: " + Snippet(body);
        }
        catch (JsonException ex)
        {
            return "not JSON (" + ex.Message + "): " + Snippet(body);
        }
    }

    private static string Snippet(byte[] body) => Encoding.UTF8.GetString(body, 0, Math.Min(body.Length, 300));

    public void Dispose() => Client.Dispose();
}
