using Microsoft.EntityFrameworkCore;

namespace Assistiv.Platform.Ledger;

/// <summary>A ledger row as the list pages see it.</summary>
internal interface ILedgerRow
{
    Guid Id { get; }

    string Type { get; }

    DateTimeOffset CreatedAt { get; }
}

/// <summary>Filtered, counted, keyset- or page-paginated ledger reads (API.md §0.2) over an EF query.</summary>
internal static class LedgerPaging
{
    public static async Task<LedgerPage<T>> PageAsync<T>(IQueryable<T> rows, LedgerQuery query, CancellationToken cancellationToken)
        where T : class, ILedgerRow
    {
        if (query.Since is { } since)
        {
            rows = rows.Where(t => t.CreatedAt >= since);
        }

        if (query.Until is { } until)
        {
            rows = rows.Where(t => t.CreatedAt < until);
        }

        if (query.Types is { Count: > 0 } types)
        {
            var list = types.ToList();
            rows = rows.Where(t => list.Contains(t.Type));
        }

        var total = await rows.CountAsync(cancellationToken);
        if (query.Cursor is { } cursor)
        {
            var at = DateTimeOffset.FromUnixTimeMilliseconds(cursor.CreatedAtMs);
            var id = cursor.Id;
            rows = query.Ascending
                ? rows.Where(t => t.CreatedAt > at || (t.CreatedAt == at && t.Id.CompareTo(id) > 0))
                : rows.Where(t => t.CreatedAt < at || (t.CreatedAt == at && t.Id.CompareTo(id) < 0));
        }

        var ordered = query.Ascending
            ? rows.OrderBy(t => t.CreatedAt).ThenBy(t => t.Id)
            : rows.OrderByDescending(t => t.CreatedAt).ThenByDescending(t => t.Id);
        IQueryable<T> page = ordered;
        if (query.Cursor is null && query.Page > 1)
        {
            page = page.Skip((query.Page - 1) * query.Limit);
        }

        var items = await page.Take(query.Limit + 1).AsNoTracking().ToListAsync(cancellationToken);
        var hasMore = items.Count > query.Limit;
        if (hasMore)
        {
            items.RemoveAt(items.Count - 1);
        }

        var next = hasMore && items.Count > 0
            ? new LedgerCursor(items[^1].CreatedAt.ToUnixTimeMilliseconds(), items[^1].Id, query.Ascending).Encode()
            : null;
        return new LedgerPage<T>(items, total, hasMore, next);
    }
}
