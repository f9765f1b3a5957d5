using System.Text.Json;
using Assistiv.McpServer.Json;

namespace Assistiv.McpServer.Errors;

/// <summary>
/// The one error shape (API.md §11.1): <c>{"error":{"type","code","message","param","request_id"}}</c>, with
/// <c>request_id</c> taken from the request's <c>x-request-id</c>.
/// </summary>
internal sealed class ApiErrorResult : IResult, IStatusCodeHttpResult
{
    public ApiErrorResult(int statusCode, string type, string code, string message, string? param = null)
    {
        StatusCode = statusCode;
        Type = type;
        Code = code;
        Message = message;
        Param = param;
    }

    public int StatusCode { get; }

    int? IStatusCodeHttpResult.StatusCode => StatusCode;

    public string Type { get; }

    public string Code { get; }

    public string Message { get; }

    public string? Param { get; }

    /// <summary>Extra headers (e.g. <c>Retry-After</c>, <c>WWW-Authenticate</c>, <c>Allow</c>).</summary>
    public IReadOnlyList<KeyValuePair<string, string>>? Headers { get; init; }

    public Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var response = httpContext.Response;
        response.StatusCode = StatusCode;
        if (Headers is not null)
        {
            foreach (var (name, value) in Headers)
            {
                response.Headers[name] = value;
            }
        }

        var body = new ErrorEnvelope(new ErrorBody(Type, Code, Message, Param, httpContext.TraceIdentifier));
        return response.WriteAsJsonAsync(body, GatewayJsonContext.Default.ErrorEnvelope, contentType: "application/json", cancellationToken: httpContext.RequestAborted);
    }

    /// <summary>The serialized envelope, for writers that are not IResult-based (middleware).</summary>
    public byte[] ToUtf8(string requestId) =>
        JsonSerializer.SerializeToUtf8Bytes(new ErrorEnvelope(new ErrorBody(Type, Code, Message, Param, requestId)), GatewayJsonContext.Default.ErrorEnvelope);
}

internal sealed record ErrorEnvelope(ErrorBody Error);

internal sealed record ErrorBody(string Type, string Code, string Message, string? Param, string RequestId);
