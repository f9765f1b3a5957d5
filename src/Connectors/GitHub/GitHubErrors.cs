using System.Globalization;
using System.Net;
using System.Text;
using Assistiv.Connectors.Registry;
using Octokit;

namespace Assistiv.Connectors.GitHub;

/// <summary>
/// Normalizes Octokit exceptions to the broker's upstream kinds (API.md §8.5): GitHub 403 or 429 with
/// <c>x-ratelimit-remaining: 0</c> or a "secondary rate limit" message is a 429 whose retry time comes from
/// <c>retry-after</c>, else <c>x-ratelimit-reset</c>, else 60 s; 401 → refresh once; 403 → forbidden; 404/410 → not found;
/// 400/409/422 → rejected with GitHub's message; 5xx → unavailable. A rate-limit body is never parsed as data.
/// </summary>
internal static class GitHubErrors
{
    private static readonly TimeSpan s_defaultRetry = TimeSpan.FromSeconds(60);

    public static ConnectorResult Map(ApiException exception, TimeProvider time)
    {
        var status = (int)exception.StatusCode;
        var headers = exception.HttpResponse?.Headers;
        var message = exception.ApiError?.Message;

        if (IsRateLimited(exception, status, headers, message))
        {
            return ConnectorResult.Fail(UpstreamFailureKind.RateLimited, message, RetryAfter(headers, time));
        }

        return status switch
        {
            401 => ConnectorResult.Fail(UpstreamFailureKind.Unauthorized),
            403 or 451 => ConnectorResult.Fail(UpstreamFailureKind.Forbidden, message),
            404 or 410 => ConnectorResult.Fail(UpstreamFailureKind.NotFound, message),
            >= 500 => ConnectorResult.Fail(UpstreamFailureKind.Unavailable, $"HTTP {status}"),
            _ => ConnectorResult.Fail(UpstreamFailureKind.Rejected, Describe(exception, message, status)),
        };
    }

    private static bool IsRateLimited(ApiException exception, int status, IReadOnlyDictionary<string, string>? headers, string? message)
    {
        if (exception is RateLimitExceededException or SecondaryRateLimitExceededException || status == 429)
        {
            return true;
        }

        return status == 403
            && (Header(headers, "x-ratelimit-remaining") == "0"
                || (message?.Contains("secondary rate limit", StringComparison.OrdinalIgnoreCase) ?? false));
    }

    private static TimeSpan RetryAfter(IReadOnlyDictionary<string, string>? headers, TimeProvider time)
    {
        var retryAfter = Header(headers, "retry-after");
        if (retryAfter is not null)
        {
            if (long.TryParse(retryAfter, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0)
            {
                return TimeSpan.FromSeconds(seconds);
            }

            if (DateTimeOffset.TryParse(retryAfter, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
            {
                return Clamp(at - time.GetUtcNow());
            }
        }

        if (long.TryParse(Header(headers, "x-ratelimit-reset"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var reset))
        {
            return Clamp(DateTimeOffset.FromUnixTimeSeconds(reset) - time.GetUtcNow());
        }

        return s_defaultRetry;
    }

    private static TimeSpan Clamp(TimeSpan wait) => wait < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : wait;

    // 422 bodies: {"message":"Validation Failed","errors":[{"resource":"Issue","field":"title","code":"missing_field"}]}
    private static string? Describe(ApiException exception, string? message, int status)
    {
        var sb = new StringBuilder(message ?? $"HTTP {status}");
        if (exception.ApiError?.Errors is { Count: > 0 } errors)
        {
            sb.Append(':');
            foreach (var error in errors)
            {
                sb.Append(' ');
                if (!string.IsNullOrEmpty(error.Message))
                {
                    sb.Append(error.Message);
                }
                else
                {
                    sb.Append(error.Resource).Append('.').Append(error.Field).Append(' ').Append(error.Code);
                }

                sb.Append(';');
            }

            sb.Length--;
        }

        return sb.ToString();
    }

    private static string? Header(IReadOnlyDictionary<string, string>? headers, string name)
    {
        if (headers is null)
        {
            return null;
        }

        // Octokit keeps the server's header casing in a case-sensitive dictionary.
        foreach (var (key, value) in headers)
        {
            if (string.Equals(key, name, StringComparison.OrdinalIgnoreCase))
            {
                return value.Trim();
            }
        }

        return null;
    }

    public static bool IsNetworkFailure(Exception exception) =>
        exception is HttpRequestException or IOException or WebException;
}
