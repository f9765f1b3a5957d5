using System.Text.Json;
using Assistiv.McpServer.Auth;
using Assistiv.McpServer.Errors;
using Assistiv.Platform.Connections;
using Assistiv.Platform.Tenancy;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Assistiv.McpServer.Mcp;

/// <summary>
/// The <c>/mcp*</c> rules after authentication and authorization (API.md §2.6, §8.1, §8.2), on the MCP endpoints only:
/// Content-Type (415) → app not activated (404) → the request's tool scope (policies and visible tools, from cached
/// lookups only) → <c>Accept</c> normalization → the <c>Mcp-Session-Id</c> rule (stale id → 404 with the JSON-RPC body).
/// </summary>
internal sealed class McpRequestMiddleware(
    RequestDelegate next,
    IMcpToolBackend backend,
    McpToolSets toolSets,
    McpAppStore apps,
    PlatformService platforms,
    McpSessionRegistry sessions,
    IOptions<McpGatewayOptions> options)
{
    private readonly bool _stateless = options.Value.SessionMode == McpSessionMode.Stateless;

    public async Task InvokeAsync(HttpContext context)
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<McpEndpointMetadata>() is null)
        {
            await next(context);
            return;
        }

        var request = context.Request;
        var isPost = HttpMethods.IsPost(request.Method);
        if (isPost && context.Features.Get<McpOriginalContentType>() is { Value: { Length: > 0 } })
        {
            await ApiErrors.UnsupportedMediaType().ExecuteAsync(context);
            return;
        }

        var key = context.RequireKeyPrincipal();
        var ct = context.RequestAborted;
        var activated = await apps.GetActivatedAsync(key.PlatformId, ct);
        var app = context.GetRouteValue("app") as string;
        if (app is not null && (!backend.IsApp(app) || !activated.ContainsKey(app)))
        {
            await ApiErrors.NotFound($"The app '{app}' is not activated for this platform.").ExecuteAsync(context);
            return;
        }

        var policies = new[]
        {
            await platforms.GetToolPolicyAsync(key.PlatformId, ct),
            key.EndUserToolPolicy ?? ToolPolicy.Default,
            key.KeyToolPolicy ?? ToolPolicy.Default,
        };
        var visible = backend.GetVisibleTools(activated, policies, app);
        context.Features.Set(new McpRequestScope(key, policies, app, toolSets.Get(visible)));

        NormalizeAccept(request, isPost);

        if (isPost && request.Headers.ContainsKey(McpProtocol.SessionIdHeader) && !await ApplySessionRuleAsync(context, app))
        {
            return;
        }

        var session = SessionOf(request, app);
        if (session is null)
        {
            await next(context);
            return;
        }

        // API.md §8.6: a session lists what its user sees now, even when a change notification did not reach it.
        session.ApplyTools(context.Features.Get<McpRequestScope>()!.Tools);
        if (!HttpMethods.IsGet(request.Method))
        {
            await next(context);
            return;
        }

        // The GET stream: notifications due while none was open are sent once it starts.
        var opened = false;
        context.Response.OnStarting(() =>
        {
            if (context.Response.StatusCode == StatusCodes.Status200OK)
            {
                opened = true;
                session.GetStreamOpened();
            }

            return Task.CompletedTask;
        });
        try
        {
            await next(context);
        }
        finally
        {
            if (opened)
            {
                session.GetStreamClosed();
            }
        }
    }

    /// <summary>The session this initialize-era request continues, when this instance holds it for the same URL.</summary>
    private McpSession? SessionOf(HttpRequest request, string? app) =>
        !_stateless && request.Headers[McpProtocol.SessionIdHeader] is { Count: 1 } ids && ids[0] is { Length: > 0 } id
            && sessions.TryGet(id, out var session) && string.Equals(session.App, app, StringComparison.Ordinal)
            ? session
            : null;

    /// <summary>API.md §8.2: the SDK answers 406 unless <c>Accept</c> names both media types; clients that send a bare
    /// <c>*/*</c>, one of the two, or nothing still get an answer.</summary>
    private static void NormalizeAccept(HttpRequest request, bool isPost)
    {
        var accept = request.GetTypedHeaders().Accept;
        bool json = false, sse = false;
        foreach (var media in accept)
        {
            json |= media.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase);
            sse |= media.MediaType.Equals("text/event-stream", StringComparison.OrdinalIgnoreCase);
        }

        if (isPost && !(json && sse))
        {
            request.Headers.Accept = McpProtocol.NormalizedAccept;
        }
        else if (!isPost && !sse)
        {
            request.Headers.Accept = "text/event-stream";
        }
    }

    /// <summary>
    /// API.md §8.2: the id is removed on 2026-07-28 and <c>initialize</c> requests; any other initialize-era POST with an
    /// id this instance does not hold (stateless: any id) → HTTP 404 with the JSON-RPC "Session not found" body, so
    /// spec-following clients re-initialize instead of failing on the SDK's 400.
    /// </summary>
    private async ValueTask<bool> ApplySessionRuleAsync(HttpContext context, string? app)
    {
        var request = context.Request;
        if (McpProtocol.IsPerRequestEra(request.Headers[McpProtocol.ProtocolVersionHeader].ToString()))
        {
            request.Headers.Remove(McpProtocol.SessionIdHeader);
            return true;
        }

        var method = await PeekMethodAsync(request, context.RequestAborted);
        if (method == PeekResult.Unreadable)
        {
            // Not a JSON-RPC object: the SDK answers it with its parse or batch error.
            request.Headers.Remove(McpProtocol.SessionIdHeader);
            return true;
        }

        if (method == PeekResult.Initialize)
        {
            request.Headers.Remove(McpProtocol.SessionIdHeader);
            return true;
        }

        if (!_stateless && sessions.Holds(request.Headers[McpProtocol.SessionIdHeader].ToString(), app))
        {
            return true;
        }

        context.Response.StatusCode = StatusCodes.Status404NotFound;
        context.Response.ContentType = "application/json";
        await context.Response.Body.WriteAsync(McpProtocol.SessionNotFoundBody.ToArray(), context.RequestAborted);
        return false;
    }

    private static async ValueTask<PeekResult> PeekMethodAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        request.EnableBuffering();
        try
        {
            using var document = await JsonDocument.ParseAsync(request.Body, cancellationToken: cancellationToken);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return PeekResult.Unreadable;
            }

            return document.RootElement.TryGetProperty("method", out var m) && m.ValueKind == JsonValueKind.String && m.ValueEquals("initialize"u8)
                ? PeekResult.Initialize
                : PeekResult.Other;
        }
        catch (JsonException)
        {
            return PeekResult.Unreadable;
        }
        finally
        {
            request.Body.Position = 0;
        }
    }

    private enum PeekResult
    {
        Initialize,
        Other,
        Unreadable,
    }
}

/// <summary>Marks the endpoints <c>MapMcpGateway</c> maps, so the request rules skip routing's 404/405 answers.</summary>
internal sealed class McpEndpointMetadata
{
    public static readonly McpEndpointMetadata Instance = new();
}
