using Assistiv.Platform.Common;

namespace Assistiv.Platform.UsageLogs;

/// <summary>
/// The opaque cursor of a newest-first list (API.md §0.2): it encodes the sort key of the last row returned
/// (<c>created_at</c> in Unix ms and <c>id</c>), so it stays valid while new rows arrive. Wire form: base64url of
/// <c>v1.{ms}.{id}</c>.
/// </summary>
/// <param name="CreatedAt">The last row's creation time.</param>
/// <param name="Id">The last row's id.</param>
public readonly record struct UsageLogCursor(DateTimeOffset CreatedAt, Guid Id)
{
    /// <summary>The wire form (tag <c>v1</c>, <see cref="KeysetCursorText"/>).</summary>
    public string Encode() => KeysetCursorText.Encode("v1", CreatedAt.ToUnixTimeMilliseconds(), Id);

    /// <summary>Parses a wire cursor; false when it is not one of ours (→ 422 <c>param: "cursor"</c>).</summary>
    /// <param name="text">The query or body value.</param>
    /// <param name="cursor">The decoded cursor.</param>
    public static bool TryDecode(string? text, out UsageLogCursor cursor)
    {
        cursor = default;
        if (!KeysetCursorText.TryDecode(text, out var tag, out var unixMs, out var id) || tag != "v1")
        {
            return false;
        }

        cursor = new UsageLogCursor(DateTimeOffset.FromUnixTimeMilliseconds(unixMs), id);
        return true;
    }
}
