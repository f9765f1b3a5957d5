using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Assistiv.Tests.Mcp;

/// <summary>Hand-written JSON-RPC over HTTP, for asserting statuses, headers and bodies exactly (MCP.md §2.9).</summary>
internal static class McpHttp
{
    public const string Accept = "application/json, text/event-stream";

    public static string Initialize(string version = "2025-06-18", JsonObject? capabilities = null, int id = 1) =>
        new JsonObject
        {
            ["jsonrpc"] = "2.0",
            ["id"] = id,
            ["method"] = "initialize",
            ["params"] = new JsonObject
            {
                ["protocolVersion"] = version,
                ["capabilities"] = capabilities ?? new JsonObject(),
                ["clientInfo"] = new JsonObject { ["name"] = "raw-test", ["version"] = "1.0.0" },
            },
        }.ToJsonString();

    public static string Request(string method, JsonObject? parameters = null, int id = 2) =>
        new JsonObject { ["jsonrpc"] = "2.0", ["id"] = id, ["method"] = method, ["params"] = parameters ?? new JsonObject() }.ToJsonString();

    public static string Notification(string method) =>
        new JsonObject { ["jsonrpc"] = "2.0", ["method"] = method }.ToJsonString();

    /// <summary>A 2026-07-28 request: version and capabilities in <c>params._meta</c>.</summary>
    public static string Modern(string method, JsonObject? parameters = null, JsonObject? capabilities = null, int id = 3)
    {
        parameters ??= new JsonObject();
        parameters["_meta"] = new JsonObject
        {
            ["io.modelcontextprotocol/protocolVersion"] = "2026-07-28",
            ["io.modelcontextprotocol/clientCapabilities"] = capabilities ?? new JsonObject(),
            ["io.modelcontextprotocol/clientInfo"] = new JsonObject { ["name"] = "raw-test", ["version"] = "1.0.0" },
        };
        return Request(method, parameters, id);
    }

    public static HttpRequestMessage Post(string path, string body, string? protocolVersion = null, string? accept = Accept, string? contentType = "application/json")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body)),
        };
        if (contentType is not null)
        {
            request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        }

        if (accept is not null)
        {
            request.Headers.TryAddWithoutValidation("Accept", accept);
        }

        if (protocolVersion is not null)
        {
            request.Headers.TryAddWithoutValidation("MCP-Protocol-Version", protocolVersion);
        }

        return request;
    }

    /// <summary>A 2026-07-28 POST with the headers that revision requires (<c>Mcp-Method</c>, <c>Mcp-Name</c>).</summary>
    public static HttpRequestMessage PostModern(string path, string method, JsonObject? parameters = null, JsonObject? capabilities = null, int id = 3)
    {
        var request = Post(path, Modern(method, parameters, capabilities, id), "2026-07-28");
        request.Headers.TryAddWithoutValidation("Mcp-Method", method);
        if (parameters?["name"] is JsonValue name)
        {
            request.Headers.TryAddWithoutValidation("Mcp-Name", name.GetValue<string>());
        }

        return request;
    }

    /// <summary>The JSON-RPC message of a response: the last SSE <c>data:</c> frame, or the JSON body.</summary>
    public static async Task<JsonNode> MessageAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        if (response.Content.Headers.ContentType?.MediaType == "text/event-stream")
        {
            JsonNode? last = null;
            foreach (var line in text.Split('\n'))
            {
                if (line.StartsWith("data:", StringComparison.Ordinal) && line.Length > 5)
                {
                    last = JsonNode.Parse(line[5..].Trim());
                }
            }

            return last ?? throw new InvalidOperationException("SSE response without a data frame: " + text);
        }

        return JsonNode.Parse(text) ?? throw new InvalidOperationException("empty body");
    }

    public static async Task<JsonNode> ResultAsync(HttpResponseMessage response)
    {
        var message = await MessageAsync(response);
        Assert.True(message["result"] is not null, "expected a result, got: " + message.ToJsonString());
        return message["result"]!;
    }

    public static async Task<JsonNode> ErrorAsync(HttpResponseMessage response, int code)
    {
        var message = await MessageAsync(response);
        Assert.True(message["error"] is not null, "expected a JSON-RPC error, got: " + message.ToJsonString());
        Assert.Equal(code, message["error"]!["code"]!.GetValue<int>());
        return message["error"]!;
    }

    public static string[] ToolNames(JsonNode result) =>
        result["tools"]!.AsArray().Select(t => t!["name"]!.GetValue<string>()).ToArray();

    public static JsonElement Element(this JsonNode node) => JsonDocument.Parse(node.ToJsonString()).RootElement.Clone();

    public static void Header(this HttpRequestMessage request, string name, string value) =>
        request.Headers.TryAddWithoutValidation(name, value);

    public static string? ContentType(this HttpResponseMessage response) => response.Content.Headers.ContentType?.ToString();

    public static MediaTypeHeaderValue? Media(this HttpResponseMessage response) => response.Content.Headers.ContentType;
}
