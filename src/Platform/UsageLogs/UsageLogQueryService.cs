using Assistiv.Platform.Storage;
using Microsoft.EntityFrameworkCore;

namespace Assistiv.Platform.UsageLogs;

/// <summary>
/// Reads usage log rows (API.md §4.9, §4.10 <c>/v1/me/logs</c>): newest first (<c>created_at</c> desc, then <c>id</c>
/// desc), paged by <c>page</c> or by an opaque cursor (API.md §0.2), with an exact <c>total</c> of the rows matching the
/// filters. Rows are written by the inference and tool-call settlement, never here.
/// </summary>
public sealed class UsageLogQueryService
{
    private readonly IDbContextFactory<PlatformDbContext> _db;

    /// <summary>Creates the service.</summary>
    /// <param name="db">Database factory.</param>
    public UsageLogQueryService(IDbContextFactory<PlatformDbContext> db) => _db = db;

    /// <summary>Searches a platform's log rows.</summary>
    /// <param name="platformId">The caller's platform.</param>
    /// <param name="filter">Filters.</param>
    /// <param name="page">1-based page, used when <paramref name="cursor"/> is null.</param>
    /// <param name="limit">Page size (1–100).</param>
    /// <param name="cursor">Continue after this row, or null.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    public async Task<UsageLogPage> SearchAsync(Guid platformId, UsageLogFilter filter, int page, int limit, UsageLogCursor? cursor,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        await using var db = await _db.CreateDbContextAsync(cancellationToken);
        var q = db.UsageLogs.AsNoTracking().Where(l => l.PlatformId == platformId);
        if (filter.EndUserId is { } eu)
        {
            q = q.Where(l => l.EndUserId == eu);
        }

        if (filter.Model is { } model)
        {
            q = q.Where(l => l.Model == model);
        }

        if (filter.Since is { } since)
        {
            q = q.Where(l => l.CreatedAt >= since);
        }

        if (filter.Until is { } until)
        {
            q = q.Where(l => l.CreatedAt < until);
        }

        if (filter.RequestType is { } type)
        {
            q = q.Where(l => l.RequestType == type);
        }

        if (filter.Status is { } status)
        {
            q = q.Where(l => l.Status == status);
        }

        if (filter.RequestId is { } requestId)
        {
            q = q.Where(l => l.RequestId == requestId);
        }

        var total = await q.CountAsync(cancellationToken);
        var ordered = q;
        if (cursor is { } c)
        {
            // Rows strictly after the cursor in (created_at desc, id desc) order. Guid comparison is done by the
            // database (uuid order on PostgreSQL, lowercase text on SQLite), the same order ORDER BY uses.
            var at = c.CreatedAt;
            var id = c.Id;
            ordered = ordered.Where(l => l.CreatedAt < at || (l.CreatedAt == at && l.Id.CompareTo(id) < 0));
        }

        var sorted = ordered.OrderByDescending(l => l.CreatedAt).ThenByDescending(l => l.Id);
        var rows = cursor is null
            ? await sorted.Skip((page - 1) * limit).Take(limit + 1).ToListAsync(cancellationToken)
            : await sorted.Take(limit + 1).ToListAsync(cancellationToken);
        var hasMore = rows.Count > limit;
        if (hasMore)
        {
            rows.RemoveAt(rows.Count - 1);
        }

        UsageLogCursor? next = hasMore ? new UsageLogCursor(rows[^1].CreatedAt, rows[^1].Id) : null;
        return new UsageLogPage(rows, total, hasMore, next);
    }
}

/// <summary>One page of log rows.</summary>
/// <param name="Items">Rows, newest first.</param>
/// <param name="Total">Rows matching the filters (the cursor position aside).</param>
/// <param name="HasMore">Whether rows follow this page.</param>
/// <param name="NextCursor">Cursor of the last row when <paramref name="HasMore"/>, else null.</param>
public sealed record UsageLogPage(IReadOnlyList<UsageLogRecord> Items, int Total, bool HasMore, UsageLogCursor? NextCursor);
