using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Assistiv.McpServer.Errors;
using Assistiv.Platform.UsageLogs;

namespace Assistiv.McpServer.Endpoints.Platforms;

/// <summary>
/// The filters and paging of a log search (API.md §4.9, §0.2), read from the query (<c>GET P/logs</c>,
/// <c>GET /v1/me/logs</c>) or from a JSON body (<c>POST P/logs/search</c>, §4.13) with the same names.
/// </summary>
internal sealed partial record LogsRequest(UsageLogFilter Filter, int Page, int Limit, UsageLogCursor? Cursor)
{
    /// <summary>Reads the query string; <paramref name="allowEndUser"/> false rejects <c>end_user_id</c> (self-service).</summary>
    public static (LogsRequest? Request, ApiErrorResult? Error) FromQuery(IQueryCollection query, bool allowEndUser)
    {
        string? Get(string name) => query.TryGetValue(name, out var v) ? v.ToString() : null;
        int? page = null, limit = null;
        var cursorText = Get("cursor");
        // API.md §0.2: with a cursor, page is ignored (and echoed as null).
        if (cursorText is null && Get("page") is { } p)
        {
            if (!int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n < 1)
            {
                return (null, ApiErrors.Validation("page", "'page' must be an integer >= 1."));
            }

            page = n;
        }

        if (Get("limit") is { } l)
        {
            if (!int.TryParse(l, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n is < 1 or > 100)
            {
                return (null, ApiErrors.Validation("limit", "'limit' must be an integer from 1 to 100."));
            }

            limit = n;
        }

        return Build(Get("end_user_id"), Get("model"), Get("since"), Get("until"), Get("request_type"), Get("status"), Get("request_id"),
            cursorText, page, limit, allowEndUser);
    }

    /// <summary>Reads a JSON body object: string filters, integer <c>page</c>/<c>limit</c>, string <c>cursor</c>.</summary>
    public static (LogsRequest? Request, ApiErrorResult? Error) FromBody(JsonElement body)
    {
        var f = new Json.FieldReader(body);
        var endUser = f.String("end_user_id", min: 0, max: 100, allowNull: true);
        var model = f.String("model", min: 0, max: 128, allowNull: true);
        var since = f.String("since", min: 0, max: 64, allowNull: true);
        var until = f.String("until", min: 0, max: 64, allowNull: true);
        var type = f.String("request_type", min: 0, max: 32, allowNull: true);
        var status = f.String("status", min: 0, max: 32, allowNull: true);
        var requestId = f.String("request_id", min: 0, max: 64, allowNull: true);
        var cursor = f.String("cursor", min: 0, max: 256, allowNull: true);
        var page = cursor is null ? JsonInts.Read(f, body, "page", 1, int.MaxValue, allowNull: true) : null;
        var limit = JsonInts.Read(f, body, "limit", 1, 100, allowNull: true);
        return f.Error is not null
            ? (null, f.Error)
            : Build(endUser, model, since, until, type, status, requestId, cursor, page, limit, allowEndUser: true);
    }

    private static (LogsRequest? Request, ApiErrorResult? Error) Build(string? endUser, string? model, string? since, string? until,
        string? type, string? status, string? requestId, string? cursorText, int? page, int? limit, bool allowEndUser)
    {
        Guid? endUserId = null;
        if (endUser is not null)
        {
            if (!allowEndUser)
            {
                return (null, ApiErrors.Validation("end_user_id", "'end_user_id' is not accepted here: the key already names the end user."));
            }

            // A malformed or foreign id matches nothing (API.md §2.6), like any list filter.
            endUserId = PlatformEndpoints.ParseId(endUser) ?? Guid.Empty;
        }

        if (!TryTimestamp(since, out var sinceAt))
        {
            return (null, ApiErrors.Validation("since", "'since' must be an RFC 3339 timestamp, e.g. 2026-05-01T00:00:00Z."));
        }

        if (!TryTimestamp(until, out var untilAt))
        {
            return (null, ApiErrors.Validation("until", "'until' must be an RFC 3339 timestamp, e.g. 2026-05-02T00:00:00Z."));
        }

        if (sinceAt is not null && untilAt is not null && sinceAt >= untilAt)
        {
            return (null, ApiErrors.Validation("until", "'until' must be later than 'since'."));
        }

        if (type is not null && !UsageLogFilter.RequestTypes.Contains(type))
        {
            return (null, ApiErrors.Validation("request_type", "'request_type' must be chat.completion, response or mcp_tool."));
        }

        if (status is not null && !UsageLogFilter.Statuses.Contains(status))
        {
            return (null, ApiErrors.Validation("status", "'status' must be success, error, cancelled or rejected."));
        }

        UsageLogCursor? cursor = null;
        if (cursorText is not null)
        {
            if (!UsageLogCursor.TryDecode(cursorText, out var c))
            {
                return (null, ApiErrors.Validation("cursor", "'cursor' is not a cursor this server issued."));
            }

            cursor = c;
        }

        var filter = new UsageLogFilter(endUserId, model, sinceAt, untilAt, type, status, requestId);
        return (new LogsRequest(filter, page ?? 1, limit ?? 20, cursor), null);
    }

    /// <summary>RFC 3339 date-time (API.md §0.1): full date, <c>T</c>, time, optional fraction, <c>Z</c> or an offset.</summary>
    internal static bool TryTimestamp(string? text, out DateTimeOffset? value)
    {
        value = null;
        if (text is null)
        {
            return true;
        }

        if (!Rfc3339().IsMatch(text)
            || !DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal, out var parsed))
        {
            return false;
        }

        value = parsed;
        return true;
    }

    /// <summary>The §0.2 envelope; <c>page</c> is null when a cursor was used.</summary>
    public ListEnvelope<T> Envelope<T>(IReadOnlyList<T> items, UsageLogPage page) =>
        new(items, page.Total, Cursor is null ? Page : null, Limit, page.HasMore, page.NextCursor?.Encode());

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$", RegexOptions.CultureInvariant)]
    private static partial Regex Rfc3339();
}
