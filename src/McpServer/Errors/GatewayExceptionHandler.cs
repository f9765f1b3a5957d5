using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;

namespace Assistiv.McpServer.Errors;

/// <summary>
/// Turns framework failures into the envelope (STYLE.md §2.6): body-binding failures (<c>ThrowOnBadRequest</c>) with a
/// JSON cause → 400 <c>invalid_json</c>, an over-size body → 413 <c>payload_too_large</c>, anything else → 500
/// <c>internal_error</c> with no detail.
/// </summary>
internal sealed partial class GatewayExceptionHandler(ILogger<GatewayExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        ApiErrorResult error;
        if (exception is BadHttpRequestException bad)
        {
            error = bad.StatusCode == StatusCodes.Status413PayloadTooLarge ? ApiErrors.PayloadTooLarge()
                : bad.InnerException is JsonException ? ApiErrors.InvalidJson()
                : ApiErrors.InvalidJson(bad.Message.Length < 200 ? "The request could not be read." : "The request could not be read.");
        }
        else if (exception is OperationCanceledException && httpContext.RequestAborted.IsCancellationRequested)
        {
            return true;
        }
        else
        {
            LogUnhandled(logger, exception.GetType().FullName ?? "Exception", httpContext.TraceIdentifier, exception);
            error = ApiErrors.Internal();
        }

        if (!httpContext.Response.HasStarted)
        {
            await error.ExecuteAsync(httpContext);
        }

        return true;
    }

    [LoggerMessage(1, LogLevel.Error, "Unhandled {ExceptionType} in request {RequestId}.")]
    private static partial void LogUnhandled(ILogger logger, string exceptionType, string requestId, Exception exception);
}
