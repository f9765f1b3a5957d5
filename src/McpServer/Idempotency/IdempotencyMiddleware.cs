using Assistiv.McpServer.Auth;
using Assistiv.McpServer.Errors;
using Assistiv.Platform.Idempotency;

namespace Assistiv.McpServer.Idempotency;

/// <summary>
/// <c>Idempotency-Key</c> on POST/PATCH/PUT of <c>/v1/platforms/{pid}/…</c> (API.md §11.3). It runs after
/// authentication, key type, platform, scope and body-size checks and before the handler parses JSON (§2.6). The
/// <c>in_progress</c> record is committed before the handler runs, its lease renewed every 10 s while it runs; the
/// outcome is stored (body encrypted) unless it is 401, 402, 403, 413, 429 or 5xx, in which case the record is
/// released so a retry executes afresh. A replay answers the stored status and byte-identical body with
/// <c>Idempotent-Replayed: true</c> and a fresh <c>x-request-id</c>.
/// </summary>
internal sealed partial class IdempotencyMiddleware(RequestDelegate next, IdempotencyStore store, TimeProvider time, ILogger<IdempotencyMiddleware> logger)
{
    public const string HeaderName = "Idempotency-Key";
    public const string ReplayedHeader = "Idempotent-Replayed";

    public async Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        var metadata = context.GetEndpoint()?.Metadata.GetMetadata<IdempotentRouteMetadata>();
        if (metadata is not { Enabled: true }
            || !(HttpMethods.IsPost(request.Method) || HttpMethods.IsPatch(request.Method) || HttpMethods.IsPut(request.Method))
            || !request.Headers.TryGetValue(HeaderName, out var values)
            || context.GetKeyPrincipal() is not { } principal)
        {
            await next(context);
            return;
        }

        if (values.Count != 1 || !IsValidKey(values[0]))
        {
            await ApiErrors.Validation(HeaderName, "Idempotency-Key must be 1-255 printable ASCII characters.").ExecuteAsync(context);
            return;
        }

        var path = request.Path.Value ?? "/";
        if (path.Length > IdempotencyStore.MaxPathLength)
        {
            // No stored resource has such a path, so the request cannot change anything (decision 0060).
            await next(context);
            return;
        }

        byte[] body;
        try
        {
            body = await ReadBodyAsync(request, context.RequestAborted);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            await ApiErrors.PayloadTooLarge().ExecuteAsync(context);
            return;
        }

        if (metadata.PreCheck?.Invoke(context, body) is { } refused)
        {
            await refused.ExecuteAsync(context);
            return;
        }

        var scope = new IdempotencyScope(principal.PlatformId, request.Method.ToUpperInvariant(), path, values[0]!);
        var begin = await store.BeginAsync(scope, RequestFingerprint.Compute(body), context.RequestAborted);
        switch (begin.Status)
        {
            case IdempotencyBeginStatus.Replay:
                await ReplayAsync(context, begin.Response!);
                return;
            case IdempotencyBeginStatus.KeyReused:
                await ApiErrors.IdempotencyKeyReused().ExecuteAsync(context);
                return;
            case IdempotencyBeginStatus.InProgress:
                await ApiErrors.IdempotencyInProgress().ExecuteAsync(context);
                return;
        }

        await ExecuteAsync(context, begin.Lease!);
    }

    /// <summary>API.md §11.3 / §12: 1–255 printable ASCII characters (0x20–0x7E).</summary>
    internal static bool IsValidKey(string? key)
    {
        if (key is null || key.Length is < 1 or > 255)
        {
            return false;
        }

        foreach (var c in key)
        {
            if (c is < ' ' or > '~')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Outcomes that are not stored, so that a retry executes afresh (API.md §11.3).</summary>
    internal static bool IsStored(int status) => status is not (401 or 402 or 403 or 413 or 429) && status < 500;

    private async Task ExecuteAsync(HttpContext context, IdempotencyLease lease)
    {
        var response = context.Response;
        var original = response.Body;
        using var buffer = new MemoryStream();
        response.Body = buffer;
        using var renewal = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        var renewTask = RenewLoopAsync(lease, renewal.Token);
        var completed = false;
        try
        {
            await next(context);
            completed = true;
        }
        finally
        {
            await renewal.CancelAsync();
            await renewTask;
            response.Body = original;
            if (!completed)
            {
                // The handler threw (the exception handler writes a 5xx) or the client went away: free the key.
                await ReleaseQuietlyAsync(lease);
            }
        }

        var status = response.StatusCode;
        // Money and key writes must not lose their record to a client hang-up: bounded token, not RequestAborted.
        using var bounded = new CancellationTokenSource(TimeSpan.FromSeconds(10), time);
        if (IsStored(status))
        {
            var stored = new IdempotentResponse(status, response.ContentType, buffer.ToArray());
            if (!await store.CompleteAsync(lease, stored, bounded.Token))
            {
                LogLeaseLost(logger, context.TraceIdentifier);
            }
        }
        else
        {
            await store.ReleaseAsync(lease, bounded.Token);
        }

        buffer.Position = 0;
        await buffer.CopyToAsync(original, context.RequestAborted);
    }

    private async Task RenewLoopAsync(IdempotencyLease lease, CancellationToken cancellationToken)
    {
        try
        {
            using var timer = new PeriodicTimer(IdempotencyStore.RenewInterval, time);
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                try
                {
                    await store.RenewAsync(lease, cancellationToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogRenewFailed(logger, ex);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task ReleaseQuietlyAsync(IdempotencyLease lease)
    {
        try
        {
            using var bounded = new CancellationTokenSource(TimeSpan.FromSeconds(10), time);
            await store.ReleaseAsync(lease, bounded.Token);
        }
        catch (Exception ex)
        {
            // The lease then simply expires after 30 s and a retry takes the record over.
            LogReleaseFailed(logger, ex);
        }
    }

    private static async Task ReplayAsync(HttpContext context, IdempotentResponse stored)
    {
        var response = context.Response;
        response.StatusCode = stored.StatusCode;
        if (stored.ContentType is not null)
        {
            response.ContentType = stored.ContentType;
        }

        response.Headers[ReplayedHeader] = "true";
        response.ContentLength = stored.Body.Length;
        await response.Body.WriteAsync(stored.Body, context.RequestAborted);
    }

    private static async Task<byte[]> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        // The handler reads the body again; management bodies are ≤ 1 MiB (API.md §12), so buffering is bounded.
        request.EnableBuffering();
        using var copy = new MemoryStream();
        await request.Body.CopyToAsync(copy, cancellationToken);
        request.Body.Position = 0;
        return copy.ToArray();
    }

    [LoggerMessage(1, LogLevel.Warning, "Idempotency lease of request {RequestId} was lost before its outcome was stored.")]
    private static partial void LogLeaseLost(ILogger logger, string requestId);

    [LoggerMessage(2, LogLevel.Warning, "Idempotency lease renewal failed.")]
    private static partial void LogRenewFailed(ILogger logger, Exception exception);

    [LoggerMessage(3, LogLevel.Warning, "Idempotency record release failed; its lease will expire.")]
    private static partial void LogReleaseFailed(ILogger logger, Exception exception);
}
