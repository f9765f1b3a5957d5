using System.Text.Json.Nodes;

namespace Assistiv.Connectors.Registry;

/// <summary>The normalized outcome of one upstream attempt (API.md §8.5 "after normalization").</summary>
internal sealed class ConnectorResult
{
    private ConnectorResult(string? text, JsonObject? structured, UpstreamFailure? failure)
    {
        Text = text;
        Structured = structured;
        Failure = failure;
    }

    /// <summary>The result text (compact JSON, at most 100,000 characters) on success.</summary>
    public string? Text { get; }

    /// <summary><c>structuredContent</c> for tools with an output schema.</summary>
    public JsonObject? Structured { get; }

    /// <summary>The failure, or null on success.</summary>
    public UpstreamFailure? Failure { get; }

    public static ConnectorResult Success(string text, JsonObject? structured = null) => new(text, structured, null);

    public static ConnectorResult Fail(UpstreamFailureKind kind, string? message = null, TimeSpan? retryAfter = null) =>
        new(null, null, new UpstreamFailure(kind, message, retryAfter));
}

/// <summary>An upstream failure after provider-specific normalization.</summary>
/// <param name="Kind">The normalized kind (maps to a §8.5 code).</param>
/// <param name="Message">Provider message for <see cref="UpstreamFailureKind.Rejected"/> and others; sanitized by the broker.</param>
/// <param name="RetryAfter">For <see cref="UpstreamFailureKind.RateLimited"/>: how long the provider asks to wait.</param>
internal sealed record UpstreamFailure(UpstreamFailureKind Kind, string? Message, TimeSpan? RetryAfter);

/// <summary>Normalized upstream outcomes (API.md §8.5 table).</summary>
internal enum UpstreamFailureKind
{
    /// <summary>401: refresh once and retry once, then <c>needs_reauth</c>.</summary>
    Unauthorized,

    /// <summary>401 that no refresh can fix (Slack <c>invalid_auth</c>, revoked): straight to <c>needs_reauth</c>.</summary>
    Revoked,

    /// <summary>403 → <c>upstream_forbidden</c>.</summary>
    Forbidden,

    /// <summary>404 → <c>upstream_not_found</c>.</summary>
    NotFound,

    /// <summary>400 / 409 / 422 → <c>upstream_rejected</c> with the provider message.</summary>
    Rejected,

    /// <summary>429 → waited out when short, else <c>upstream_rate_limited</c>.</summary>
    RateLimited,

    /// <summary>5xx or network error → <c>upstream_unavailable</c>.</summary>
    Unavailable,
}
