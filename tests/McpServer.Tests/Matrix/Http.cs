using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Assistiv.McpServer.Tests.Matrix;

/// <summary>A read response: status, headers and body text (the message is disposed).</summary>
internal sealed record TestResponse(int Status, string Body, HttpResponseHeaders Headers, HttpContentHeaders? ContentHeaders)
{
    public JsonNode Json => JsonNode.Parse(Body)!;

    public string? Header(string name) =>
        Headers.TryGetValues(name, out var v) ? string.Join(",", v) : ContentHeaders is not null && ContentHeaders.TryGetValues(name, out var c) ? string.Join(",", c) : null;

    public string RequestId => Header("x-request-id")!;

    /// <summary>Asserts the API.md §11.1 envelope with this status and code; returns the error object.</summary>
    public JsonElement AssertError(int status, string code)
    {
        Assert.True(Status == status, $"expected {status} {code}, got {Status}: {Body}");
        using var doc = JsonDocument.Parse(Body);
        var error = doc.RootElement.GetProperty("error");
        Assert.Equal(code, error.GetProperty("code").GetString());
        Assert.Equal(RequestId, error.GetProperty("request_id").GetString());
        return error.Clone();
    }

    /// <summary>Asserts a 422 <c>validation_error</c> whose <c>param</c> is <paramref name="param"/>.</summary>
    public void AssertValidation(string param)
    {
        var error = AssertError(422, "validation_error");
        Assert.Equal(param, error.GetProperty("param").GetString());
    }

    public void AssertStatus(int status) => Assert.True(Status == status, $"expected {status}, got {Status}: {Body}");
}

internal static class Http
{
    /// <summary>Sends a request with an optional raw JSON body and headers, and reads the whole response.</summary>
    public static async Task<TestResponse> SendAsync(this HttpClient client, HttpMethod method, string path, string? json = null,
        string? idempotencyKey = null, IEnumerable<KeyValuePair<string, string>>? headers = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        if (idempotencyKey is not null)
        {
            request.Headers.TryAddWithoutValidation("Idempotency-Key", idempotencyKey);
        }

        foreach (var (k, v) in headers ?? [])
        {
            request.Headers.TryAddWithoutValidation(k, v);
        }

        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        return new TestResponse((int)response.StatusCode, body, response.Headers, response.Content.Headers);
    }

    public static Task<TestResponse> GetJsonAsync(this HttpClient client, string path) => client.SendAsync(HttpMethod.Get, path);

    public static Task<TestResponse> PostJsonAsync(this HttpClient client, string path, string json, string? idempotencyKey = null) =>
        client.SendAsync(HttpMethod.Post, path, json, idempotencyKey);

    public static Task<TestResponse> PutJsonAsync(this HttpClient client, string path, string json, string? idempotencyKey = null) =>
        client.SendAsync(HttpMethod.Put, path, json, idempotencyKey);

    public static Task<TestResponse> PatchJsonAsync(this HttpClient client, string path, string json, string? idempotencyKey = null) =>
        client.SendAsync(HttpMethod.Patch, path, json, idempotencyKey);

    public static Task<TestResponse> DeleteJsonAsync(this HttpClient client, string path) => client.SendAsync(HttpMethod.Delete, path);
}
