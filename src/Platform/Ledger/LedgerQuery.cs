using Assistiv.Platform.Common;

namespace Assistiv.Platform.Ledger;

/// <summary>
/// A page request over a ledger (API.md §0.2, §4.6, §4.7): newest first unless <see cref="Ascending"/>; either a 1-based
/// <see cref="Page"/> or a <see cref="Cursor"/> from a previous page; <see cref="Since"/> inclusive, <see cref="Until"/>
/// exclusive; <see cref="Types"/> an OR filter.
/// </summary>
/// <param name="Limit">Page size, 1–100.</param>
/// <param name="Page">1-based page when no cursor is given.</param>
/// <param name="Cursor">Keyset position, or null.</param>
/// <param name="Since">Inclusive lower bound of <c>created_at</c>, or null.</param>
/// <param name="Until">Exclusive upper bound, or null.</param>
/// <param name="Types">Row types to include, or null for all.</param>
/// <param name="Ascending">Oldest first.</param>
public sealed record LedgerQuery(int Limit, int Page, LedgerCursor? Cursor, DateTimeOffset? Since, DateTimeOffset? Until,
    IReadOnlyList<string>? Types, bool Ascending);

/// <summary>One page of ledger rows.</summary>
/// <typeparam name="T">Row type.</typeparam>
/// <param name="Items">The rows.</param>
/// <param name="Total">Rows matching the filters (without the cursor).</param>
/// <param name="HasMore">Whether rows follow this page.</param>
/// <param name="NextCursor">Cursor of the next page, or null on the last page.</param>
public sealed record LedgerPage<T>(IReadOnlyList<T> Items, int Total, bool HasMore, string? NextCursor);

/// <summary>
/// An opaque keyset cursor: the sort key (<c>created_at</c> in ms, <c>id</c>) of the last row of a page and the order it
/// was made for, base64url-encoded. It stays valid while new rows arrive (API.md §0.2).
/// </summary>
/// <param name="CreatedAtMs">Unix ms of the last row.</param>
/// <param name="Id">Id of the last row.</param>
/// <param name="Ascending">Order of the page that made it.</param>
public sealed record LedgerCursor(long CreatedAtMs, Guid Id, bool Ascending)
{
    /// <summary>Encodes the cursor (tag <c>a</c> or <c>d</c>, <see cref="KeysetCursorText"/>).</summary>
    public string Encode() => KeysetCursorText.Encode(Ascending ? "a" : "d", CreatedAtMs, Id);

    /// <summary>Decodes a cursor; false for anything this server did not make.</summary>
    /// <param name="text">The cursor text.</param>
    /// <param name="cursor">The decoded cursor.</param>
    public static bool TryDecode(string? text, out LedgerCursor? cursor)
    {
        cursor = null;
        if (!KeysetCursorText.TryDecode(text, out var tag, out var ms, out var id) || tag is not ("a" or "d"))
        {
            return false;
        }

        cursor = new LedgerCursor(ms, id, tag == "a");
        return true;
    }
}
