using System.Text.Json;
using Assistiv.Connectors.Catalogue;
using Assistiv.Platform.Connections;
using Assistiv.Platform.Metering;
using Microsoft.Extensions.Logging;

namespace Assistiv.Connectors.Registry;

/// <summary>
/// Runs one MCP <c>tools/call</c> through the pipeline of API.md §8.5: resolve (unknown, hidden by policy, app not
/// activated, or another app on <c>/mcp/{app}</c> → <see cref="ToolCallOutcome.UnknownTool"/>, nothing logged) →
/// validate the arguments against the catalogue schema (<c>[invalid_arguments]</c>, not charged) → connection check
/// (<see cref="ToolCallOutcome.ConnectRequired"/> with a connect link) → money admission (<c>[budget_*]</c>,
/// <c>[wallet_insufficient]</c>) → execute within 30 s (one refresh-and-retry on 401; short 429s waited out) → map the
/// upstream result (<c>[upstream_*]</c>) → settle and write the <c>mcp_tool</c> log row in one transaction, started
/// before the outcome is returned and finished after it (<see cref="PendingSettlements"/>, decision 0085). Results
/// never carry a token, header, stack trace or raw body. Thread-safe; registered as a singleton by <c>AddConnectors</c>.
/// </summary>
public sealed partial class ToolBroker
{
    /// <summary>Upper bound of the execute phase, refreshes and rate-limit waits included (API.md §8.5).</summary>
    public static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(30);

    internal static readonly TimeSpan SettleTimeout = TimeSpan.FromSeconds(10);
    internal static readonly TimeSpan MaxRateLimitWait = TimeSpan.FromSeconds(10);
    internal static readonly TimeSpan DefaultRateLimitWait = TimeSpan.FromSeconds(60);
    internal const int MaxRateLimitRetries = 2;

    private static readonly JsonElement s_emptyArguments = JsonDocument.Parse("{}").RootElement;

    private readonly ConnectorCatalogue _catalogue;
    private readonly ConnectorRegistry _connectors;
    private readonly McpAppStore _apps;
    private readonly IAccessTokenSource _tokens;
    private readonly IConnectLinkIssuer _links;
    private readonly IToolCallMeter _meter;
    private readonly TimeProvider _time;
    private readonly ToolCallMetrics _metrics;
    private readonly ILogger<ToolBroker> _logger;
    private readonly PendingSettlements _settlements;

    internal ToolBroker(
        ConnectorCatalogue catalogue,
        ConnectorRegistry connectors,
        McpAppStore apps,
        IAccessTokenSource tokens,
        IConnectLinkIssuer links,
        IToolCallMeter meter,
        TimeProvider time,
        ToolCallMetrics metrics,
        ILogger<ToolBroker> logger,
        PendingSettlements settlements)
    {
        _catalogue = catalogue;
        _connectors = connectors;
        _apps = apps;
        _tokens = tokens;
        _links = links;
        _meter = meter;
        _time = time;
        _metrics = metrics;
        _logger = logger;
        _settlements = settlements;
    }

    /// <summary>The catalogue the broker serves (the same instance <c>AddConnectors</c> registers).</summary>
    public ConnectorCatalogue Catalogue => _catalogue;

    /// <summary>Calls a tool for the end user of <paramref name="context"/> (API.md §8.5).</summary>
    /// <param name="context">Caller, policies and <c>/mcp/{app}</c> filter.</param>
    /// <param name="toolName">The <c>params.name</c> of <c>tools/call</c>.</param>
    /// <param name="arguments">The <c>params.arguments</c> object; null or absent means <c>{}</c>.</param>
    /// <param name="cancellationToken">The request's token. Cancellation after resolution logs a <c>cancelled</c> row and rethrows.</param>
    /// <returns>
    /// <see cref="ToolCallOutcome.UnknownTool"/> (answer JSON-RPC <c>-32602</c>), <see cref="ToolCallOutcome.ConnectRequired"/>
    /// (tool result or URL elicitation with its <c>Message</c>), or <see cref="ToolCallOutcome.Completed"/> (a tool result;
    /// <c>isError</c> results start with <c>[code]</c>).
    /// </returns>
    public async ValueTask<ToolCallOutcome> CallAsync(ToolCallContext context, string toolName, JsonElement? arguments, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(toolName);
        var started = _time.GetTimestamp();

        if (!_catalogue.TryGetTool(toolName, out var tool)
            || (context.AppFilter is not null && !string.Equals(tool.App, context.AppFilter, StringComparison.Ordinal)))
        {
            return new ToolCallOutcome.UnknownTool(toolName);
        }

        var activated = await _apps.GetActivatedAsync(context.PlatformId, cancellationToken);
        if (!activated.TryGetValue(tool.App, out var activation)
            || !ToolVisibility.IsVisible(_catalogue, tool, activated, context.Policies, context.AppFilter)
            || !_connectors.TryGet(tool.App, out var connector))
        {
            return new ToolCallOutcome.UnknownTool(toolName);
        }

        // From here on the tool is known and visible: every path writes exactly one log row.
        var meterRequest = new ToolMeterRequest(context.PlatformId, context.EndUserId, context.ApiKeyId, context.RequestId, tool.App, tool.Name);
        var connection = new ConnectionRef(context.PlatformId, context.EndUserId, tool.App);
        ToolAdmission? admission = null;
        try
        {
            var args = arguments is { ValueKind: not (JsonValueKind.Undefined or JsonValueKind.Null) } given ? given : s_emptyArguments;
            var problem = ArgumentValidator.Validate(tool, args) ?? connector.CheckArguments(tool, args);
            if (problem is not null)
            {
                return Finish(meterRequest, null, started, Error("invalid_arguments", problem));
            }

            var token = await _tokens.GetAccessTokenAsync(connection, cancellationToken);
            switch (token.Status)
            {
                case AccessTokenStatus.NotConnected:
                    return Finish(meterRequest, null, started, await ConnectRequiredAsync(tool, connection, "not_connected", context, cancellationToken));
                case AccessTokenStatus.NeedsReauth:
                    return Finish(meterRequest, null, started, await ConnectRequiredAsync(tool, connection, "needs_reauth", context, cancellationToken));
                case AccessTokenStatus.Unavailable or not AccessTokenStatus.Ok:
                    return Finish(meterRequest, null, started,
                        Error("upstream_unavailable", $"Could not refresh the {tool.AppDescriptor.Name} access token right now; try again later."));
            }

            admission = await _meter.AdmitAsync(meterRequest, cancellationToken);
            if (admission.Status != ToolAdmissionStatus.Admitted)
            {
                return Finish(meterRequest, admission, started, Rejected(admission.Status));
            }

            var execution = await ExecuteAsync(tool, connector, args, connection, token, activation, cancellationToken);
            ToolCallOutcome outcome = execution switch
            {
                { NeedsReauth: true } => await ConnectRequiredAsync(tool, connection, "needs_reauth", context, cancellationToken),
                { Result.Failure: null } ok => new ToolCallOutcome.Completed(ok.Result.Text!, ok.Result.Structured, IsError: false, ErrorCode: null),
                { TimedOut: true } => Error("upstream_timeout", $"{tool.AppDescriptor.Name} did not answer within {CallTimeout.TotalSeconds:0} seconds."),
                _ => MapFailure(tool.AppDescriptor, execution.Result!.Failure!, token.AccessToken),
            };
            return Finish(meterRequest, admission, started, outcome);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Complete(meterRequest, admission, new ToolCallCompletion(false, "cancelled", "cancelled", "The client cancelled the call.", ElapsedMs(started)));
            _metrics.Record(tool.App, success: false, "cancelled");
            throw;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogUnexpectedFailure(_logger, tool.Name, context.RequestId, ex.GetType().Name);
            Complete(meterRequest, admission, new ToolCallCompletion(false, "error", "internal_error", "The gateway failed while running the tool.", ElapsedMs(started)));
            _metrics.Record(tool.App, success: false, "internal_error");
            throw;
        }
    }

    private async Task<Execution> ExecuteAsync(
        ToolDescriptor tool,
        IConnector connector,
        JsonElement args,
        ConnectionRef connection,
        AccessTokenResult token,
        McpAppActivation activation,
        CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(CallTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var ct = linked.Token;
        var started = _time.GetTimestamp();
        var accessToken = token.AccessToken!;
        var settings = token.Settings;
        var refreshed = false;
        var rateLimitRetries = 0;
        try
        {
            while (true)
            {
                var upstream = new UpstreamContext(connection, accessToken, settings, activation, tool.AppDescriptor);
                ConnectorResult result;
                try
                {
                    result = await connector.InvokeAsync(tool, args, upstream, ct);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // Bugs and malformed upstream answers alike: the user sees upstream_unavailable, the log the type only
                    // (exception messages may quote response bodies).
                    LogConnectorFault(_logger, tool.App, tool.Name, ex.GetType().Name);
                    result = ConnectorResult.Fail(UpstreamFailureKind.Unavailable);
                }

                var failure = result.Failure;
                if (failure is null)
                {
                    return new Execution(result);
                }

                switch (failure.Kind)
                {
                    case UpstreamFailureKind.Unauthorized when !refreshed:
                        refreshed = true;
                        LogRefreshAfterUnauthorized(_logger, tool.App, connection.EndUserId);
                        var renewed = await _tokens.RefreshAfterUnauthorizedAsync(connection, accessToken, ct);
                        if (renewed.Status == AccessTokenStatus.Ok && renewed.AccessToken is not null)
                        {
                            accessToken = renewed.AccessToken;
                            settings = renewed.Settings;
                            continue;
                        }

                        if (renewed.Status == AccessTokenStatus.Unavailable)
                        {
                            return new Execution(ConnectorResult.Fail(UpstreamFailureKind.Unavailable,
                                $"Could not refresh the {tool.AppDescriptor.Name} access token right now; try again later."));
                        }

                        // NotConnected / NeedsReauth: the token source has already marked the connection (its contract).
                        return Execution.Reauth;
                    case UpstreamFailureKind.Unauthorized:
                    case UpstreamFailureKind.Revoked:
                        await MarkNeedsReauthAsync(connection, failure.Kind == UpstreamFailureKind.Revoked
                            ? "The provider reports the grant as revoked."
                            : "The provider answered 401 after a token refresh.");
                        return Execution.Reauth;
                    case UpstreamFailureKind.RateLimited:
                        var wait = failure.RetryAfter ?? DefaultRateLimitWait;
                        var remaining = CallTimeout - _time.GetElapsedTime(started);
                        if (rateLimitRetries < MaxRateLimitRetries && wait <= MaxRateLimitWait && wait < remaining)
                        {
                            rateLimitRetries++;
                            LogRateLimitWait(_logger, tool.App, wait.TotalSeconds, rateLimitRetries);
                            await Task.Delay(wait, _time, ct);
                            continue;
                        }

                        return new Execution(result);
                    default:
                        return new Execution(result);
                }
            }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return Execution.Timeout;
        }
    }

    private async ValueTask MarkNeedsReauthAsync(ConnectionRef connection, string reason)
    {
        // Not the request's token: a client hanging up must not leave a dead grant marked as connected.
        using var bounded = new CancellationTokenSource(SettleTimeout, _time);
        await _tokens.MarkNeedsReauthAsync(connection, reason, bounded.Token);
    }

    private async ValueTask<ToolCallOutcome.ConnectRequired> ConnectRequiredAsync(
        ToolDescriptor tool, ConnectionRef connection, string code, ToolCallContext context, CancellationToken cancellationToken)
    {
        var link = await _links.CreateConnectLinkAsync(connection, context.ElicitationId, cancellationToken);
        var name = tool.AppDescriptor.Name;

        // API.md §8.5: the exact text, link included, so a client that shows only text still gets the link.
        var message = code == "not_connected"
            ? $"[not_connected] {name} is not connected for this user. Open this link to connect it, then retry: {link.AbsoluteUri}"
            : $"[needs_reauth] {name} access for this user has expired or was revoked. Open this link to reconnect it, then retry: {link.AbsoluteUri}";
        return new ToolCallOutcome.ConnectRequired(tool.App, code, link, message);
    }

    private static ToolCallOutcome.Completed MapFailure(AppDescriptor app, UpstreamFailure failure, string? accessToken)
    {
        var name = app.Name;
        var detail = UpstreamText.Sanitize(failure.Message, accessToken);
        return failure.Kind switch
        {
            UpstreamFailureKind.Forbidden => Error("upstream_forbidden", detail is null
                ? $"{name} denied the request: the connected account lacks permission, or the grant lacks a scope."
                : $"{name} denied the request: {detail}"),
            UpstreamFailureKind.NotFound => Error("upstream_not_found", detail is null or "Not Found"
                ? $"{name} found nothing there, or the connected account cannot see it."
                : $"{name} found nothing there, or the connected account cannot see it: {detail}"),
            UpstreamFailureKind.Rejected => Error("upstream_rejected", $"{name} rejected the request: {detail ?? "no reason given"}"),
            UpstreamFailureKind.RateLimited => Error("upstream_rate_limited",
                $"{name} rate limit reached; retry in {Math.Max(1, (long)Math.Ceiling((failure.RetryAfter ?? DefaultRateLimitWait).TotalSeconds))} seconds."),
            _ => Error("upstream_unavailable", detail is null
                ? $"{name} is unavailable right now; try again later."
                : $"{name} is unavailable right now ({detail}); try again later."),
        };
    }

    private static ToolCallOutcome.Completed Rejected(ToolAdmissionStatus status) => status switch
    {
        ToolAdmissionStatus.BudgetSuspended => Error("budget_suspended", "This end user's budget is suspended."),
        ToolAdmissionStatus.BudgetExhausted => Error("budget_exhausted", "This end user's budget is exhausted."),
        _ => Error("wallet_insufficient", "The platform's wallet balance is insufficient for this call."),
    };

    private static ToolCallOutcome.Completed Error(string code, string cause) => new($"[{code}] {cause}", null, IsError: true, ErrorCode: code);

    private ToolCallOutcome Finish(ToolMeterRequest request, ToolAdmission? admission, long started, ToolCallOutcome outcome)
    {
        var completion = outcome switch
        {
            ToolCallOutcome.Completed { IsError: false } => new ToolCallCompletion(true, "success", null, null, ElapsedMs(started)),
            ToolCallOutcome.Completed { ErrorCode: "budget_suspended" or "budget_exhausted" or "wallet_insufficient" } c =>
                new ToolCallCompletion(false, "rejected", c.ErrorCode, Cause(c.Text), ElapsedMs(started)),
            ToolCallOutcome.Completed c => new ToolCallCompletion(false, "error", c.ErrorCode, Cause(c.Text), ElapsedMs(started)),

            // The link is a credential: the log row carries the code only.
            ToolCallOutcome.ConnectRequired r => new ToolCallCompletion(false, "error", r.Code,
                r.Code == "not_connected" ? "The app is not connected for this user." : "The app's grant expired or was revoked.", ElapsedMs(started)),
            _ => new ToolCallCompletion(false, "error", "internal_error", null, ElapsedMs(started)),
        };
        Complete(request, admission, completion);
        _metrics.Record(request.App, completion.Success, completion.ErrorCode);
        if (completion.Success)
        {
            LogToolCallSucceeded(_logger, request.Tool, request.RequestId, completion.LatencyMs);
        }
        else
        {
            LogToolCallFinished(_logger, request.Tool, request.RequestId, completion.Status, completion.ErrorCode, completion.LatencyMs);
        }
        return outcome;
    }

    // The settlement runs after the answer (decision 0085): started here, so that its money operation is queued before the
    // answer is written, and tracked until it finishes (reads of logs and balances, and shutdown, wait for it).
    private void Complete(ToolMeterRequest request, ToolAdmission? admission, ToolCallCompletion completion) =>
        _settlements.Track(CompleteAsync(request, admission, completion));

    private async Task CompleteAsync(ToolMeterRequest request, ToolAdmission? admission, ToolCallCompletion completion)
    {
        // The settle runs on its own bounded token, never the request's (STYLE.md §0.7).
        using var bounded = new CancellationTokenSource(SettleTimeout, _time);
        try
        {
            await _meter.CompleteAsync(request, admission, completion, bounded.Token);
        }
        catch (Exception ex)
        {
            LogMeterCompleteFailed(_logger, request.RequestId, request.Tool, ex.GetType().Name);
        }
    }

    private static string? Cause(string text)
    {
        var end = text.IndexOf("] ", StringComparison.Ordinal);
        var cause = end > 0 ? text[(end + 2)..] : text;
        return cause.Length <= UpstreamText.MaxMessageLength ? cause : cause[..(UpstreamText.MaxMessageLength - 1)] + "…";
    }

    private long ElapsedMs(long started) => (long)_time.GetElapsedTime(started).TotalMilliseconds;

    private sealed record Execution(ConnectorResult? Result, bool NeedsReauth = false, bool TimedOut = false)
    {
        public static Execution Reauth { get; } = new(null, NeedsReauth: true);

        public static Execution Timeout { get; } = new(null, TimedOut: true);
    }

    // Successes at Debug: the request line and the usage-log row already record them (decision 0086).
    [LoggerMessage(EventId = 3207, Level = LogLevel.Debug, Message = "Tool call {Tool} ({RequestId}) ended success in {LatencyMs} ms.")]
    private static partial void LogToolCallSucceeded(ILogger logger, string tool, string requestId, long latencyMs);

    [LoggerMessage(EventId = 3201, Level = LogLevel.Information, Message = "Tool call {Tool} ({RequestId}) ended {Status} {ErrorCode} in {LatencyMs} ms.")]
    private static partial void LogToolCallFinished(ILogger logger, string tool, string requestId, string status, string? errorCode, long latencyMs);

    [LoggerMessage(EventId = 3202, Level = LogLevel.Information, Message = "Upstream {App} is rate limiting; waiting {Seconds} s before retry {Attempt}.")]
    private static partial void LogRateLimitWait(ILogger logger, string app, double seconds, int attempt);

    [LoggerMessage(EventId = 3203, Level = LogLevel.Information, Message = "Upstream {App} answered 401; refreshing the token of end user {EndUserId} once.")]
    private static partial void LogRefreshAfterUnauthorized(ILogger logger, string app, Guid endUserId);

    [LoggerMessage(EventId = 3204, Level = LogLevel.Warning, Message = "Connector {App} failed on {Tool} with {ExceptionType}.")]
    private static partial void LogConnectorFault(ILogger logger, string app, string tool, string exceptionType);

    [LoggerMessage(EventId = 3205, Level = LogLevel.Error, Message = "Could not write the usage row of tool call {RequestId} ({Tool}): {ExceptionType}.")]
    private static partial void LogMeterCompleteFailed(ILogger logger, string requestId, string tool, string exceptionType);

    [LoggerMessage(EventId = 3206, Level = LogLevel.Error, Message = "Tool call {Tool} ({RequestId}) failed in the gateway with {ExceptionType}.")]
    private static partial void LogUnexpectedFailure(ILogger logger, string tool, string requestId, string exceptionType);
}
