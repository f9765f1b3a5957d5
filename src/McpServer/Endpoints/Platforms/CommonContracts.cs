using System.Globalization;
using Assistiv.McpServer.Errors;

namespace Assistiv.McpServer.Endpoints.Platforms;

/// <summary>API.md §0.2 list envelope.</summary>
internal sealed record ListEnvelope<T>(IReadOnlyList<T> Data, int Total, int? Page, int Limit, bool HasMore, string? NextCursor);

/// <summary>A bare <c>{"data": [...]}</c> list (routes without paging fields).</summary>
internal sealed record DataEnvelope<T>(IReadOnlyList<T> Data);

/// <summary>Page and limit query parameters (API.md §0.2): page ≥ 1 (default 1), limit 1–100 (default 20).</summary>
internal readonly record struct Paging(int Page, int Limit)
{
    public static (Paging Paging, ApiErrorResult? Error) From(HttpRequest request)
    {
        var page = 1;
        var limit = 20;
        if (request.Query.TryGetValue("page", out var p) &&
            (!int.TryParse(p.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out page) || page < 1))
        {
            return (default, ApiErrors.Validation("page", "'page' must be an integer >= 1."));
        }

        if (request.Query.TryGetValue("limit", out var l) &&
            (!int.TryParse(l.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > 100))
        {
            return (default, ApiErrors.Validation("limit", "'limit' must be an integer from 1 to 100."));
        }

        return (new Paging(page, limit), null);
    }

    public ListEnvelope<T> Envelope<T>(IReadOnlyList<T> items, int total) =>
        new(items, total, Page, Limit, (long)Page * Limit < total, null);
}

/// <summary>Query helpers.</summary>
internal static class QueryReader
{
    /// <summary>Parses an optional <c>true</c>/<c>false</c> query value (API.md §0.1).</summary>
    public static (bool? Value, ApiErrorResult? Error) Bool(HttpRequest request, string name)
    {
        if (!request.Query.TryGetValue(name, out var v))
        {
            return (null, null);
        }

        return v.ToString() switch
        {
            "true" => (true, null),
            "false" => (false, null),
            _ => (null, ApiErrors.Validation(name, $"'{name}' must be true or false.")),
        };
    }
}
